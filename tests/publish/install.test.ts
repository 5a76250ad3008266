/**
 * The package as a user gets it: `npm pack` (which runs `prepack`, the build), the tarball
 * installed into an empty folder, and `npx sps-conformance` run from there. The installed bin
 * has no TypeScript sources and no tsx: it must run the built `dist/` and find the bundled spec.
 *
 * The install takes its dependencies from the local npm cache (`--prefer-offline`), falling
 * back to the registry; this takes 15-60 s.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'sps-install-'));
const app = join(work, 'app');
// Not the settings of the npm (npx vitest) that runs this test, nor SPS_* variables of the shell.
const npmEnv: NodeJS.ProcessEnv = {};
for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|SPS_)/i.test(k)) npmEnv[k] = v;
Object.assign(npmEnv, { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return execFileAsync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, timeout: 240_000 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (err: { code?: number; stdout?: string; stderr?: string }) => ({
      code: typeof err.code === 'number' ? err.code : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }),
  );
}

beforeAll(async () => {
  const packed = await run('npm', ['pack', '--pack-destination', work, '--json'], root);
  expect(packed.code, packed.stderr.slice(-2000)).toBe(0);
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
  mkdirSync(app);
  const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(work, info!.filename)], app);
  expect(installed.code, installed.stderr.slice(-2000)).toBe(0);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball installed into an empty folder', () => {
  it('installs the client and types small: no Prism (an optional peer dependency)', () => {
    expect(existsSync(join(app, 'node_modules', '@stoplight'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'openapi-fetch'))).toBe(true);
    for (const line of ['6.x', '7.x']) expect(existsSync(join(app, 'node_modules', 'sps-contract', 'generated', `sps-api-${line}.json`))).toBe(true);
  });

  it('the client and the per-line spec load through the package exports', async () => {
    const script =
      "const c = await import('sps-contract/client'); const s = await import('sps-contract/spec/7.x.json', { with: { type: 'json' } }); console.log(typeof c.createSpsClient, s.default.info['x-sps-release-line']);";
    const r = await run(process.execPath, ['--input-type=module', '-e', script], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('function 7.x');
  }, 60_000);

  it('starts `sps-simulator` from there: the banner names a node, SIGTERM stops it', async () => {
    const binFile = join(app, 'node_modules', '.bin', 'sps-simulator');
    expect(readFileSync(binFile, 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
    const child = spawn(process.execPath, [binFile, '--http'], {
      cwd: app,
      env: { ...npmEnv, SPS_SIM_ADMIN_PASSWORD: 'install-sim-password' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!/Press Ctrl-C to stop/.test(out) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out, err).toMatch(/node 1 {2}http:\/\/127\.0\.0\.1:\d+/);
      const url = /node 1 {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const info = await fetch(`${url}/api/info`);
      expect(info.status).toBe(200);
      expect(out + err).not.toContain('install-sim-password');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('Simulator stopped.');
  }, 90_000);

  it('installs the built CLI and the bundled spec, without sources', () => {
    const pkg = join(app, 'node_modules', 'sps-contract');
    expect(existsSync(join(pkg, 'dist', 'conformance', 'cli.js'))).toBe(true);
    expect(existsSync(join(pkg, 'generated', 'sps-api.json'))).toBe(true);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
    expect(readFileSync(join(app, 'node_modules', '.bin', 'sps-conformance'), 'utf8').split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('`npx sps-conformance --help` prints the help from there', async () => {
    const r = await run('npx', ['sps-conformance', '--help'], app);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: sps-conformance \[options\]/);
    for (const flag of ['--url <url>', '--allow-writes', '--deadline <seconds>', 'Exit codes:']) expect(r.stdout).toContain(flag);
  }, 60_000);

  it('finds the bundled spec and runs: an unreachable node ends with exit 2 naming it', async () => {
    const env = { ...npmEnv, SPS_PASSWORD: 'install-test-password' };
    const r = await run(
      'npx',
      ['sps-conformance', '--url', 'http://127.0.0.1:9', '--username', 'admin', '--timeout', '2', '--report-dir', join(work, 'report')],
      app,
      env,
    );
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^sps-conformance: could not run: node 127\.0\.0\.1:9: unreachable/m);
    expect(r.stderr + r.stdout).not.toContain('install-test-password');
  }, 60_000);
});
