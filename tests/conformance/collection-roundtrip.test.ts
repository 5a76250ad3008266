/**
 * The collection write cycle (`collection_roundtrip`) against the simulator: with
 * `--allow-writes` it creates, reads back, finds in the change log and removes an object in the
 * collections that allow it (a policy, the SSH and RDP connection policies), skips what the
 * node's version makes read-only with the reason, never touches a built-in or pre-existing
 * object, and leaves the committed configuration byte for byte unchanged. A node that answers a
 * POST with 201 and stores nothing (`ignorePosts`) fails the run, naming the collection.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import type { CheckResult } from '../../src/conformance/check-api.js';
import { startSimulator, type SimBehaviour, type SimulatorHandle } from '../../src/simulator/index.js';

const BUNDLED = new URL('../../generated/sps-api.json', import.meta.url);

let sims: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function writeRun(opts: { spsVersion?: string; behaviour?: SimBehaviour } = {}) {
  // `[node1] METHOD /path status 3ms`: every request the node handled.
  const sent: Array<{ method: string; path: string }> = [];
  const sim = await startSimulator({
    nodes: 1,
    ...opts,
    onRequestLog: (line) => {
      const m = /^\[node\d+\] (\S+) (\S+) /.exec(line);
      if (m) sent.push({ method: m[1]!, path: m[2]! });
    },
  });
  sims.push(sim);
  const node = sim.nodes[0]!;
  const before = JSON.stringify(node.state.committedConfig());
  const report = await runConformance({
    urls: [node.url],
    caFile: sim.caFile!,
    username: sim.users.admin.username,
    password: sim.users.admin.password,
    allowWrites: true,
    only: ['collection_roundtrip', 'write_roundtrip'],
  });
  return { sim, node, before, report, sent, rows: report.results.filter((r) => r.check === 'collection_roundtrip') };
}

const rowOf = (rows: CheckResult[], method: string, path: string, outcome: string): CheckResult | undefined =>
  rows.find((r) => r.method === method && r.path === path && r.outcome === outcome);

describe.runIf(existsSync(BUNDLED))('collection_roundtrip against the simulator', () => {
  // Measured on the shared 2-core machine (load average 12 to 25): 12 to 22 s per run below.
  it('creates, reads back, finds in the change log and deletes an object per collection, and commits nothing', async () => {
    const { node, before, report, rows, sent } = await writeRun();
    const failed = report.results.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => `${r.check} ${r.method} ${r.path}: ${r.message}`)).toEqual([]);
    for (const path of ['/api/configuration/policies/time_policies', '/api/configuration/ssh/connections', '/api/configuration/rdp/connections']) {
      const created = rowOf(rows, 'POST', path, 'passed');
      expect(created?.message, path).toMatch(/created \w+ \(201\).*read it back, found its create in the change log, deleted it and the list is as it was/);
      expect(rowOf(rows, 'GET', path, 'passed')?.message, path).toMatch(/after the rollback the list is as it was/);
    }
    // What the node's version makes read-only, and a write-only list, are skipped with the reason.
    expect(rowOf(rows, 'POST', '/api/configuration/policies/ticketing_policies', 'skipped')?.message).toMatch(
      /read-only on SPS 7\.5\.1: createTicketingPolicy .*>=6\.0 <7\.0/,
    );
    expect(rowOf(rows, 'POST', '/api/configuration/passwords', 'skipped')?.message).toMatch(/write-only list/);
    // Never a built-in object (negative key), never an object that existed before the run.
    const writes = sent.filter((r) => r.method === 'PUT' || r.method === 'DELETE');
    expect(writes.filter((r) => r.method === 'PUT').length).toBeGreaterThan(10);
    expect(writes.filter((r) => /\/-\d+(\/|$)/.test(r.path)).map((r) => r.path)).toEqual([]);
    const deleted = writes.filter((r) => r.method === 'DELETE' && r.path.startsWith('/api/configuration/'));
    expect(deleted.length).toBeGreaterThan(10);
    for (const r of deleted) expect(before).not.toContain(`"${decodeURIComponent(r.path.slice(r.path.lastIndexOf('/') + 1))}"`);
    // Nothing committed, nothing left open, one login.
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
    expect(node.state.commits()).toEqual([]);
    expect(node.stats.logins).toBe(1);
  }, 120_000);

  it('fails, naming the collection, when a POST answers 201 but stores nothing (ignorePosts)', async () => {
    const { node, before, report, rows } = await writeRun({ behaviour: { ignorePosts: true } });
    expect(report.summary.failed).toBeGreaterThan(0);
    const failed = rows.filter((r) => r.outcome === 'failed');
    const ssh = failed.find((r) => r.method === 'POST' && r.path === '/api/configuration/ssh/connections');
    expect(ssh?.message).toMatch(
      /^\/api\/configuration\/ssh\/connections: POST answered 201 with key \w+, but reading \S+ back got 404.*the object was not stored/,
    );
    expect(new Set(report.results.filter((r) => r.outcome === 'failed').map((r) => r.check))).toEqual(new Set(['collection_roundtrip']));
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
  }, 120_000);

  it('on a 6.x node, skips with the reason what 6.x lacks and writes what 6.x has', async () => {
    const { node, before, report, rows } = await writeRun({ spsVersion: '6.9' });
    expect(report.results.filter((r) => r.outcome === 'failed').map((r) => r.message)).toEqual([]);
    expect(rowOf(rows, 'POST', '/api/configuration/aaa/ldap_servers', 'skipped')?.message).toMatch(/read-only on SPS 6\.9: createAaaLdapServer .*>=7\.0/);
    expect(rowOf(rows, 'POST', '/api/configuration/ssh/connections', 'passed')?.message).toMatch(/deleted it and the list is as it was/);
    // The 6.x option shape (audit{cleanup, timestamping}) is the one written and read back.
    const options = report.results.find((r) => r.check === 'write_roundtrip' && r.method === 'PUT' && r.path === '/api/configuration/ssh/options');
    expect(options?.outcome).toBe('passed');
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
  }, 120_000);
});
