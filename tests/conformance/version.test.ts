/**
 * The runner reads each node's version from `GET /api/info` (with the session) right after the
 * login and shows it in every report; without the operation in the spec it is "unknown".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { root } from '../spec/lib.js';

const PASSWORD = 'version-test-password';
const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sps-version-'));
  dirs.push(d);
  return d;
};

async function run(sim: SimulatorHandle, extra: string[], only = 'Navigation,Appliance') {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  let stderr = '';
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  const reportDir = tmp();
  const code = await main(['--url', sim.nodes[0]!.url, '--username', 'admin', '--ca', sim.caFile!, '--report-dir', reportDir, '--only', only, ...extra], {
    env: { SPS_PASSWORD: PASSWORD },
    stdout: out,
    stderr: err,
  } as never);
  if (code === 2) throw new Error(stderr);
  const read = (f: string): string => readFileSync(join(reportDir, f), 'utf8');
  return { code, stdout, json: JSON.parse(read('report.json')), html: read('report.html'), junit: read('junit.xml') };
}

describe('the node version in the reports', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ firmwareVersion: '7.4.2', users: { admin: { username: 'admin', password: PASSWORD } } });
  });
  afterAll(async () => {
    await sim?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('reads body.firmware_version of GET /api/info after the login: report.json, console, html, junit', async () => {
    sim.nodes[0]!.resetStats();
    const r = await run(sim, []);
    expect(r.code).toBe(0);
    expect(r.json.targets[0].version).toBe('7.4.2');
    expect(r.stdout).toMatch(/target \[127\.0\.0\.1:\d+\]: https:\/\/127\.0\.0\.1:\d+, SPS version 7\.4\.2/);
    expect(r.html).toContain('<td>7.4.2</td>');
    expect(r.junit).toContain('<property name="sps.version" value="7.4.2"/>');
    expect(sim.nodes[0]!.stats.logins).toBe(1);
    // Read once, with the session, and checked like any other read.
    const info = r.json.results.filter((x: any) => x.operationId === 'getInfo' && x.check === 'status_code' && x.path === '/api/info');
    expect(info.length).toBeGreaterThan(0);
  });

  it('is "unknown" when the spec has no GET /api/info, and the run goes on', async () => {
    const spec = JSON.parse(readFileSync(join(root, 'generated/sps-api.json'), 'utf8'));
    delete spec.paths['/api/info'];
    const file = join(tmp(), 'spec.json');
    writeFileSync(file, JSON.stringify(spec));
    const r = await run(sim, ['--spec', file], 'Navigation');
    expect(r.code).toBe(0);
    expect(r.json.targets[0].version).toBe('unknown');
    expect(r.stdout).toMatch(/SPS version unknown/);
  });

  it('is "unknown" when GET /api/info fails, and the run goes on', async () => {
    sim.nodes[0]!.injectFault('/api/info', { kind: 'html502', times: 1 });
    const r = await run(sim, [], 'Navigation');
    expect(r.code).toBe(0); // getInfo is not selected (--only Navigation): its 502 is no result row
    expect(r.json.targets[0].version).toBe('unknown');
    expect(r.json.results.some((x: any) => x.operationId === 'listApiEndpoints' && x.outcome === 'passed')).toBe(true);
  });
});

describe('an SPS 6.9 node: what 6.9 lacks is skipped with the reason', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ spsVersion: '6.9', users: { admin: { username: 'admin', password: PASSWORD } } });
  });
  afterAll(async () => {
    await sim?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('serves only 6.9 paths, and the runner skips the 7.x operations naming the range', async () => {
    const before = JSON.stringify(sim.nodes[0]!.state.committedConfig());
    const r = await run(sim, ['--allow-writes'], 'Management');
    expect(r.code).toBe(0);
    expect(r.json.targets[0].version).toBe('6.9');
    const rows = r.json.results.filter((x: any) => x.operationId === 'getSystemBackup');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((x: any) => x.outcome === 'skipped')).toBe(true);
    expect(rows[0].message).toBe('not documented for SPS 6.9: x-sps-versions >=7.0');
    const put = r.json.results.filter((x: any) => x.operationId === 'updateSystemBackup');
    expect(put.every((x: any) => x.outcome === 'skipped' && /not documented for SPS 6\.9/.test(x.message))).toBe(true);
    // What 6.9 has is read and passes.
    expect(r.json.results.some((x: any) => x.operationId === 'getExportedConfigurationEncryption' && x.outcome === 'passed')).toBe(true);
    expect(sim.nodes[0]!.stats.logins).toBe(1);
    expect(JSON.stringify(sim.nodes[0]!.state.committedConfig())).toBe(before);
  });
});
