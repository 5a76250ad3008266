/**
 * Issue 19, point 2: the options of a run are validated once into one frozen shape; the runner
 * owns what the run opens (RunResources, closed in one finally); the rows are redacted once, when
 * the run is over, so a secret learned late still reaches every row; one user agent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { userAgentFor, USER_AGENT, VERSION } from '../../src/client/version.js';
import { DEFAULTS, validateOptions } from '../../src/conformance/options.js';
import { renderHtml, renderJson, renderJunit, renderSummary, writeReports } from '../../src/conformance/report/index.js';
import { RunResources } from '../../src/conformance/run-resources.js';
import { runConformance } from '../../src/conformance/runner.js';
import type { TargetInfo } from '../../src/conformance/report/report.js';
import { TransactionLedger } from '../../src/conformance/transaction-ledger.js';
import { discoverMain } from '../../src/discover/cli.js';
import { SecretRegistry } from '../../src/redact.js';
import { sendJson, startServer, type TestServer } from '../helpers/servers.js';
import { FIXTURE_SPEC, startBreakableSps, type BreakableSps } from './helpers/breakable-sps.js';
import { readReports, tempDir } from './helpers/cli.js';
import { op } from './helpers/exchange.js';
import { Writable } from 'node:stream';

/** package.json's version, read here on its own (not through src/client/version.ts). */
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }).version;

let sps: BreakableSps | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await sps?.close();
  await server?.close();
  sps = undefined;
  server = undefined;
});

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

describe('one validated shape', () => {
  it('validateOptions returns a frozen object whose lists are frozen too', () => {
    const only = ['Cluster'];
    const options = validateOptions({ urls: ['https://sps1/api/'], username: 'admin', password: 'pw-x', only, timeoutMs: 1500 });
    expect(Object.isFrozen(options)).toBe(true);
    for (const list of [options.urls, options.only, options.skip, options.roles]) expect(Object.isFrozen(list)).toBe(true);
    expect(options.urls).toEqual(['https://sps1']);
    expect(options.timeoutMs).toBe(1500);
    // A copy: the caller's array is neither frozen nor shared.
    only.push('Other');
    expect(options.only).toEqual(['Cluster']);
    expect(() => {
      (options as { timeoutMs: number }).timeoutMs = 1;
    }).toThrow(TypeError);
  });

  it('a run with --deadline and a caller signal leaves the options as they were (the run joins the signals itself)', async () => {
    sps = await startBreakableSps();
    const controller = new AbortController();
    const report = await runConformance({
      urls: [sps.url],
      username: 'admin',
      password: sps.password,
      specFile: FIXTURE_SPEC,
      deadlineSeconds: 60,
      signal: controller.signal,
    });
    expect(report.fatal).toBeUndefined();
    expect(report.exitCode).toBe(0);
    expect(report.aborted).toBeUndefined();
  }, 60_000);
});

describe('one user agent', () => {
  it('userAgentFor names the product and package.json version', () => {
    expect(VERSION).toBe(PACKAGE_VERSION);
    expect(userAgentFor('sps-conformance')).toBe(`sps-conformance/${PACKAGE_VERSION}`);
    expect(USER_AGENT).toBe(`sps-contract/${PACKAGE_VERSION}`);
    expect(DEFAULTS.userAgent).toBe(`sps-conformance/${PACKAGE_VERSION}`);
  });

  it('the runner and discover send sps-conformance/<package version>', async () => {
    server = await startServer((_req, res) => sendJson(res, 401, { error: { type: 'AuthenticationFailure', message: 'no' } }));
    await runConformance({ urls: [server.url], username: 'admin', password: 'pw-ua-test', specFile: FIXTURE_SPEC });
    const fromRunner = server.seen.map((r) => r.headers['user-agent']);
    const out = new Sink();
    const err = new Sink();
    await discoverMain(['--url', server.url, '--username', 'admin', '--report-dir', tempDir()], {
      env: { SPS_PASSWORD: 'pw-ua-test' },
      stdout: out,
      stderr: err,
    });
    const fromDiscover = server.seen.slice(fromRunner.length).map((r) => r.headers['user-agent']);
    expect(fromRunner.length).toBeGreaterThan(0);
    expect(fromDiscover.length).toBeGreaterThan(0);
    for (const ua of [...fromRunner, ...fromDiscover]) expect(ua).toBe(`sps-conformance/${PACKAGE_VERSION}`);
  }, 60_000);
});

describe('rows are redacted once, at the end of the run', () => {
  it('a secret registered after rows were recorded is absent from every row: JSON, HTML, JUnit and the console summary', async () => {
    sps = await startBreakableSps();
    // A value every row carries (the node's address, in `node` and in each curl line), made a
    // secret only once the run has recorded rows: the way a session id issued late or a
    // roles-file password reaches rows recorded before it was known.
    const late = new URL(sps.url).host;
    const secrets = new SecretRegistry();
    let registeredAfter = -1;
    const report = await runConformance({
      urls: [sps.url],
      username: 'admin',
      password: sps.password,
      specFile: FIXTURE_SPEC,
      secrets,
      onProgress: (event) => {
        if (registeredAfter < 0 && (event.completed ?? 0) >= 3) {
          registeredAfter = event.completed ?? 0;
          secrets.add(late, 'late');
        }
      },
    });
    expect(registeredAfter).toBeGreaterThanOrEqual(3);
    expect(report.exitCode).toBe(0);
    expect(report.results.length).toBeGreaterThan(registeredAfter);
    // Every row, the first ones included, shows the placeholder where the address was.
    expect(report.results.every((r) => r.node === '<late>')).toBe(true);
    const dir = tempDir();
    await writeReports(report, dir); // no registry: the report is redacted already
    const files = readReports(dir);
    const outputs = {
      json: renderJson(report),
      html: renderHtml(report),
      junit: renderJunit(report),
      console: renderSummary(report),
      ...files,
    };
    for (const [name, text] of Object.entries(outputs)) {
      expect(text.length, name).toBeGreaterThan(0);
      expect(text, name).not.toContain(late);
    }
    expect(JSON.parse(files['report.json']!).results[0].node).toBe('<late>');
  }, 60_000);
});

describe('the runner owns what it opens', () => {
  it('RunResources counts each target from its own sessions and closes every session once, safely twice', async () => {
    server = await startServer((_req, res) => sendJson(res, 200, { items: [] }));
    const resources = new RunResources({ ...validateOptions({}), ledger: new TransactionLedger() });
    const target = { node: 'mock', requests: 0 } as TargetInfo;
    const node = { label: 'mock', baseUrl: server.url, target: 'mock' as const, sessionCookieName: 'session_id' };
    const a = resources.openSession(node, { target });
    const b = resources.openSession(node, { target });
    const account = resources.openSession(node, { account: { username: 'auditor', password: 'pw-aud' } });
    const get = op('listApiEndpoints');
    for (const s of [a, b, b, account]) await s.send({ op: get, probe: 'normal', path: get.path, auth: 'none' });
    expect(resources.sessionOf(target)).toBe(a);
    resources.countRequests();
    expect(target.requests).toBe(3); // the account's request counts toward no target
    await resources.close();
    await resources.close();
    const after = await a.send({ op: get, probe: 'normal', path: get.path, auth: 'none' });
    expect(after.response).toBeUndefined();
    expect(after.error?.message).toMatch(/closed/);
  });
});
