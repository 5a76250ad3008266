/**
 * `write_roundtrip` proves that a write takes effect, and a stopped run leaves nothing locked.
 * Against the simulator: one that accepts PUTs and keeps the old value, and one whose change
 * log stays empty, fail the check naming the setting; the committed configuration is byte for
 * byte unchanged after every write run and no transaction is left open. With 2 s of latency on
 * every request, SIGTERM during the write phase rolls back within one round trip and exits 143;
 * `--deadline` ends a slow run with exit 2 naming the deadline, rolled back, with a progress
 * line at least every 10 s.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import { collectSecretValues } from '../../src/redact.js';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';
import { CLI, ROOT, tempDir } from './helpers/cli.js';

const PASSWORD = 'write-effect-test-password';
const USERS = { admin: { username: 'admin', password: PASSWORD } };
let sim: SimulatorHandle | undefined;
const dirs: string[] = [];

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The settings of the former 29-path contract: a value, a list, a reference, a key (the old-world assertions; the whole-spec write run is tests/conformance/simulator.test.ts). */
const FEW_SETTINGS = [
  'write_roundtrip',
  'getTimezone',
  'updateTimezone',
  'getNtpServers',
  'updateNtpServers',
  'getSystemBackup',
  'updateSystemBackup',
  'getExportedConfigurationEncryption',
  'updateExportedConfigurationEncryption',
];

async function writeRun(behaviour: SimulatorOptions['behaviour'], only: string[] = ['write_roundtrip']) {
  sim = await startSimulator({ users: USERS, behaviour });
  const node = sim.nodes[0]!;
  const before = JSON.stringify(node.state.committedConfig());
  const report = await runConformance({ urls: [node.url], username: 'admin', password: PASSWORD, caFile: sim.caFile!, allowWrites: true, only });
  const rows = report.results.filter((r) => r.check === 'write_roundtrip');
  return { report, rows, node, before, after: JSON.stringify(node.state.committedConfig()) };
}

describe('write_roundtrip: a write must take effect', () => {
  it('passes against the simulator with a different value for the settings where one is safe, the same value elsewhere', async () => {
    const { report, rows, node, before, after } = await writeRun({}, FEW_SETTINGS);
    expect(report.exitCode).toBe(0);
    const puts = rows.filter((r) => r.method === 'PUT');
    const tz = puts.find((r) => r.operationId === 'updateTimezone')!;
    expect(tz.outcome).toBe('passed');
    // The simulator seeds the spec's GET example (America/New_York); the PUT's request example differs.
    expect(tz.message).toMatch(
      /updateTimezone \(PUT \/api\/configuration\/datetime\/timezone\): PUT a different value \(the value set from "America\/New_York" to "Europe\/Budapest" \(a documented request example\)/,
    );
    const ntp = puts.find((r) => r.operationId === 'updateNtpServers')!;
    expect(ntp.message).toMatch(/PUT a different value \(the list: one documented entry added/);
    // A reference (the backup policy) is never varied: the same value, and the result says why.
    const backup = puts.find((r) => r.operationId === 'updateSystemBackup')!;
    expect(backup.message).toMatch(/PUT the same value back .*backup_policy holds a reference.*does not prove that a write takes effect/);
    const encryption = puts.find((r) => r.operationId === 'updateExportedConfigurationEncryption')!;
    expect(encryption.message).toMatch(/gpg_public_key holds a reference, key or secret/);
    // Read again after the rollback: the original value.
    const again = rows.filter((r) => r.method === 'GET' && /after the rollback it reads the original value again/.test(r.message));
    expect(again.map((r) => r.operationId).sort()).toEqual(['getNtpServers', 'getTimezone']);
    for (const r of again) expect(r.message).toMatch(/^update(NtpServers|Timezone) \(PUT /);
    expect(after).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
    expect(node.state.commits()).toEqual([]);
  }, 60_000);

  it('a setting with a secret field (SNMP community): the change log hides it, the GET shows it; the non-secret change is proven and the secret reaches no report', async () => {
    const { report, rows, node, before, after } = await writeRun({}, ['updateSnmpAgent', 'updateSnmpTrap']);
    const secrets = collectSecretValues(node.state.committedConfig());
    expect(secrets.length).toBeGreaterThan(0);
    const puts = rows.filter((r) => r.method === 'PUT' && r.check === 'write_roundtrip');
    expect(puts.map((r) => r.operationId).sort()).toEqual(['updateSnmpAgent', 'updateSnmpTrap']);
    for (const r of puts) {
      expect(r.outcome, r.message).toBe('passed');
      // A different value was written (not the same-value fallback), so the change log proved it.
      expect(r.message).toMatch(/PUT a different value .* found it in the change log with the old and the new value/);
    }
    expect(report.exitCode).toBe(0);
    const text = JSON.stringify(report);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(after).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
  }, 60_000);

  it('fails when the appliance accepts the PUT but keeps the old value, naming the setting', async () => {
    const { report, rows, node, before, after } = await writeRun({ ignorePuts: true }, FEW_SETTINGS);
    expect(report.exitCode).toBe(1);
    const failed = rows.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.operationId).sort()).toEqual(['updateNtpServers', 'updateTimezone']);
    const tz = failed.find((r) => r.operationId === 'updateTimezone')!;
    expect(tz.message).toContain('updateTimezone (PUT /api/configuration/datetime/timezone)');
    expect(tz.message).toContain('the appliance accepted the PUT (200) but kept the old value "America/New_York"'); // the seeded GET example
    expect(after).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
  }, 60_000);

  it('fails when the change log stays empty after a PUT of a different value, naming the setting', async () => {
    const { report, rows, node, before, after } = await writeRun({ emptyChangeLog: true }, FEW_SETTINGS);
    expect(report.exitCode).toBe(1);
    const failed = rows.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.operationId).sort()).toEqual(['updateNtpServers', 'updateTimezone']);
    for (const f of failed) {
      expect(f.message).toContain(`${f.operationId} (PUT ${f.path})`);
      expect(f.message).toContain('the change log (GET /api/transaction/changes) is empty after the PUT of a different value');
    }
    expect(after).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
  }, 60_000);
});

interface Spawned {
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
  /** stderr lines with the ms since the start at which they arrived. */
  lines: Array<{ at: number; text: string }>;
  started: number;
}

function spawnCli(args: string[]): Spawned {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPS_')) env[k] = v;
  Object.assign(env, { NO_COLOR: '1', SPS_PASSWORD: PASSWORD });
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let partial = '';
  const lines: Spawned['lines'] = [];
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    stderr += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) lines.push({ at: Date.now() - started, text: p });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 110_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
  return { done, kill: (s) => child.kill(s), lines, started };
}

async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<number> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return Date.now() - start;
}

describe('a slow node: signals and the deadline', () => {
  // Only the timezone setting is written: the run reaches the write phase in a few round trips.
  const writeArgs = (url: string, caFile: string, reportDir: string): string[] => [
    '--url',
    url,
    '--username',
    'admin',
    '--ca',
    caFile,
    '--allow-writes',
    '--only',
    'updateTimezone,write_roundtrip',
    '--report-dir',
    reportDir,
    '--timeout',
    '30',
  ];

  it('SIGTERM during the write phase: the transaction is rolled back within 3 s of the signal and the process exits 143', async () => {
    sim = await startSimulator({ users: USERS, behaviour: { latencyMs: 2000 } });
    const node = sim.nodes[0]!;
    const before = JSON.stringify(node.state.committedConfig());
    const dir = tempDir();
    dirs.push(dir);
    const run = spawnCli(writeArgs(node.url, sim.caFile!, dir));
    // The transaction is open (POST /api/transaction answered); the next request is in flight.
    await waitFor(() => node.state.openTransaction() !== null, 60_000);
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    run.kill('SIGTERM');
    const rollbackMs = await waitFor(() => node.state.openTransaction() === null, 10_000, 10);
    const result = await run.done;
    const exitMs = Date.now() - signalled;
    console.info(`SIGTERM with 2 s latency: rolled back ${rollbackMs} ms after the signal, exit after ${exitMs} ms`);
    expect(rollbackMs).toBeLessThan(3000);
    expect(result.code, result.stderr.slice(-2000)).toBe(143);
    expect(result.stderr).toContain('SIGTERM received: stopping, rolling back');
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect(node.state.commits()).toEqual([]);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      results: Array<{ method: string; path: string; message: string; outcome: string }>;
    };
    expect(report.results.some((r) => r.method === 'DELETE' && r.outcome === 'passed' && /updateTimezone .*transaction rolled back/.test(r.message))).toBe(
      true,
    );
  }, 90_000);

  it('--deadline ends a slow run with exit 2 naming the deadline, rolled back, with a progress line at least every 10 s', async () => {
    sim = await startSimulator({ users: USERS, behaviour: { latencyMs: 2000 } });
    const node = sim.nodes[0]!;
    const before = JSON.stringify(node.state.committedConfig());
    const dir = tempDir();
    dirs.push(dir);
    // Login, transaction state, open, read: 8 s; the deadline falls while the PUT is in flight.
    const run = spawnCli([...writeArgs(node.url, sim.caFile!, dir), '--deadline', '13']);
    const result = await run.done;
    const total = Date.now() - run.started;
    expect(result.code, result.stderr.slice(-2000)).toBe(2);
    expect(result.stderr).toContain('sps-conformance: stopped by the --deadline of 13 s');
    expect(result.stdout).toContain('Stopped by the --deadline of 13 s');
    expect(total).toBeLessThan(13_000 + 2 * 2000 + 5000);
    expect(node.state.openTransaction()).toBeNull();
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    // What ran is reported: the reads and the rollback.
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      aborted?: string;
      exitCode: number;
      results: Array<{ method: string; message: string }>;
    };
    expect(report.aborted).toBe('the --deadline of 13 s');
    expect(report.exitCode).toBe(2);
    expect(report.results.some((r) => r.method === 'DELETE' && /transaction rolled back/.test(r.message))).toBe(true);
    // Progress: not a TTY, yet a line with "done of planned" and a time estimate at least every 10 s.
    const progress = run.lines.filter((l) => /^\[127\.0\.0\.1:\d+\] /.test(l.text));
    const counted = progress.filter((l) => /: \d+ of \d+ requests done, (about \d+ s left|time left unknown)/.test(l.text));
    expect(counted.length, run.lines.map((l) => `${l.at} ${l.text}`).join('\n')).toBeGreaterThanOrEqual(2);
    const times = [0, ...progress.map((l) => l.at)];
    const ended = run.lines.find((l) => /stopped by the --deadline/.test(l.text))?.at ?? total;
    times.push(ended);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps), run.lines.map((l) => `${l.at} ${l.text}`).join('\n')).toBeLessThanOrEqual(10_500);
    console.info(`--deadline 13 with 2 s latency: exit 2 after ${total} ms; progress gaps ${gaps.join(', ')} ms`);
  }, 90_000);
});
