/**
 * The `auth_failure` probe against the simulator: it logs in as a made-up user name, never as a
 * configured account, so no real account's failed-login counter moves; it still detects an
 * appliance that accepts bad credentials; `--skip auth_failure` sends no failed login at all.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.js';

const BUNDLED = new URL('../../generated/sps-api.json', import.meta.url);
const PROBE_NAME = /^sps-conformance-probe-[0-9a-f]{12}$/;

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(opts: SimulatorOptions, extra: { skip?: string[] } = {}) {
  sim = await startSimulator({ nodes: 2, ...opts });
  const report = await runConformance({
    urls: sim.nodes.map((n) => n.url),
    username: sim.users.admin.username,
    password: sim.users.admin.password,
    caFile: sim.caFile!,
    only: ['Authentication', 'auth_failure', 'status_code'],
    ...extra,
  });
  return { sim, report, rows: report.results.filter((r) => r.check === 'auth_failure') };
}

describe.runIf(existsSync(BUNDLED))('auth_failure against the simulator', () => {
  it('passes with one login per node as a made-up user; no configured account gets a failed login', async () => {
    const { sim, report, rows } = await run({});
    expect(report.exitCode, JSON.stringify(report.results.filter((r) => r.outcome === 'failed'))).toBe(0);
    expect(rows.map((r) => r.outcome)).toEqual(['passed', 'passed']);
    const names = new Set<string>();
    for (const [i, node] of sim.nodes.entries()) {
      const failed = Object.entries(node.stats.failedLogins);
      // Exactly one failed login per node, under the made-up name, never under admin/auditor/operator.
      expect(failed).toHaveLength(1);
      const [name, count] = failed[0]!;
      expect(name).toMatch(PROBE_NAME);
      expect(count).toBe(1);
      for (const account of ['admin', 'auditor', 'operator']) expect(node.stats.failedLogins[account]).toBeUndefined();
      // The report row says what was sent: the made-up name (not a secret), a random password.
      expect(rows[i]!.message).toContain(`login as the made-up user ${name} with a random password`);
      expect(rows[i]!.user).toBe(name);
      expect(rows[i]!.curl).toContain(`${name}:<random-password>`);
      names.add(name);
    }
    expect(names.size).toBe(2); // one name per node
  }, 60_000);

  it('detects an appliance that accepts any password', async () => {
    const { report, rows } = await run({ nodeBehaviours: [{}, { acceptAnyPassword: true }] });
    expect(report.exitCode).toBe(1);
    expect(rows.map((r) => [r.node === report.targets[1]!.node, r.outcome])).toEqual([
      [false, 'passed'],
      [true, 'failed'],
    ]);
    expect(rows[1]!.message).toMatch(/received 200, expected 401 AuthenticationFailure; a session_id cookie was set for a wrong password/);
  }, 60_000);

  it('--skip auth_failure sends no failed login at all', async () => {
    const { sim, rows } = await run({}, { skip: ['auth_failure'] });
    expect(rows).toEqual([]);
    for (const node of sim.nodes) {
      expect(node.stats.failedLogins).toEqual({});
      expect(node.stats.loginFailures).toBe(0);
    }
  }, 60_000);
});
