/**
 * Issue 19, point 5: durations are seconds in every flag. `--timeout <seconds>` (decimals
 * allowed) replaces `--timeout-ms`, which still works with one deprecation line on stderr; the
 * same in `discover`, whose reports now default to ./discovery-report.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { DISCOVERY_REPORT_DIR } from '../../src/discover/cli.js';
import { sendJson, startServer, startTcpServer } from '../helpers/servers.js';
import { FIXTURE_SPEC } from './helpers/breakable-sps.js';
import { CLI, ROOT, tempDir } from './helpers/cli.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A node that accepts connections and never answers. */
async function hangingNode(): Promise<string> {
  const s = await startTcpServer(() => undefined);
  closers.push(s.close);
  return s.url;
}

async function conformance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(args, { env: { SPS_PASSWORD: 'pw-flags-test' }, stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function discover(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return conformance(['discover', ...args]);
}

const DEPRECATED_TIMEOUT = /deprecated: --timeout-ms is now --timeout <seconds>: --timeout-ms 500 is --timeout 0\.5/;

describe('sps-conformance --timeout <seconds>', () => {
  it('--timeout 0.5 is a 500 ms per-request timeout, without a deprecation line', async () => {
    const url = await hangingNode();
    const run = await conformance(['--url', url, '--username', 'admin', '--spec', FIXTURE_SPEC, '--timeout', '0.5', '--report-dir', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no answer in time: .*no complete response within 500 ms/);
    expect(run.stderr).not.toContain('deprecated');
  }, 30_000);

  it('the former --timeout-ms 500 still works, with one deprecation line naming the new spelling', async () => {
    const url = await hangingNode();
    const run = await conformance(['--url', url, '--username', 'admin', '--spec', FIXTURE_SPEC, '--timeout-ms', '500', '--report-dir', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no complete response within 500 ms/);
    const lines = run.stderr.split('\n').filter((l) => l.includes('deprecated'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sps-conformance: /);
    expect(lines[0]).toMatch(DEPRECATED_TIMEOUT);
  }, 30_000);

  it.each([
    [['--timeout', '2', '--timeout-ms', '500'], /--timeout and --timeout-ms exclude each other/],
    [['--timeout', '0.0001'], /--timeout 0\.0001: less than a millisecond/],
    [['--timeout', 'soon'], /--timeout must be a positive number/],
    [['--timeout', '-1'], /--timeout must be a positive number/],
  ])('%j -> exit 2 with a one-line reason, nothing sent', async (args, reason) => {
    const run = await conformance([...(args as string[]), '--spec', FIXTURE_SPEC, '--report-dir', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(reason as RegExp);
  });

  it('--help shows --timeout <seconds> and marks --timeout-ms deprecated', async () => {
    const run = await conformance(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--timeout <seconds> +per-request timeout in seconds \(default 10\)/);
    expect(run.stdout).toMatch(/--timeout-ms <ms> +deprecated: use --timeout <seconds>/);
    expect(run.stdout).toMatch(/--deadline <seconds>/);
  });
});

describe('sps-conformance discover', () => {
  it('--timeout 0.5 and the former --timeout-ms 500 (with its deprecation line) are the same timeout', async () => {
    const url = await hangingNode();
    const now = await discover(['--url', url, '--username', 'admin', '--timeout', '0.5', '--report-dir', tempDir()]);
    const former = await discover(['--url', url, '--username', 'admin', '--timeout-ms', '500', '--report-dir', tempDir()]);
    for (const run of [now, former]) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).toMatch(/500 ms/);
    }
    expect(now.stderr).not.toContain('deprecated');
    const lines = former.stderr.split('\n').filter((l) => l.includes('deprecated'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^sps-conformance discover: /);
    expect(lines[0]).toMatch(DEPRECATED_TIMEOUT);
  }, 30_000);

  it('--help shows --timeout <seconds>, marks --timeout-ms deprecated and names ./discovery-report', async () => {
    const run = await discover(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--timeout <seconds> +per-request timeout in seconds/);
    expect(run.stdout).toMatch(/--timeout-ms <ms> +deprecated: use --timeout <seconds>/);
    expect(run.stdout).toContain('"./discovery-report"');
  });

  it("writes its reports to ./discovery-report unless --report-dir says otherwise (not the runner's ./conformance-report)", async () => {
    expect(DISCOVERY_REPORT_DIR).toBe('./discovery-report');
    const node = await startServer((_req, res) => sendJson(res, 401, { error: { type: 'AuthenticationFailure', message: 'no' } }));
    closers.push(node.close);
    const cwd = tempDir('sps-discover-cwd-');
    const tsx = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPS_')) env[k] = v;
    const child = spawn(process.execPath, ['--import', tsx, CLI, 'discover', '--url', node.url, '--username', 'admin'], {
      cwd,
      env: { ...env, SPS_PASSWORD: 'pw-discover-dir' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, out).toBe(2); // the login failed; the reports still say what was found
    expect(readdirSync(join(cwd, 'discovery-report')).sort()).toEqual(['discovery.html', 'discovery.json']);
    expect(existsSync(join(cwd, 'conformance-report'))).toBe(false);
    expect(out).toContain('Reports: discovery-report/discovery.json');
  }, 60_000);
});
