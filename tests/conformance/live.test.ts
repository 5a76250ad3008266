/**
 * Live runs against a small local server that follows the fixture spec: a conformant one
 * passes, and a server that breaks one rule makes exactly the check for that rule fail.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance, type ConformanceReport } from '../../src/conformance/runner.js';
import type { CheckName } from '../../src/conformance/check-api.js';
import { startSimulator } from '../../src/simulator/index.js';
import { FIXTURE_SPEC, startBreakableSps, type Break, type BreakableSps } from './helpers/breakable-sps.js';

let sps: BreakableSps | undefined;
afterEach(async () => {
  await sps?.close();
  sps = undefined;
});

async function runAgainst(breaks: Break[], extra: { allowWrites?: boolean; strict?: boolean } = {}): Promise<ConformanceReport> {
  sps = await startBreakableSps({ breaks });
  return runConformance({
    specFile: FIXTURE_SPEC,
    urls: [sps.url],
    username: 'admin',
    password: sps.password,
    timeoutMs: 3000,
    ...extra,
  });
}

function failedChecks(report: ConformanceReport): Set<CheckName> {
  return new Set(report.results.filter((r) => r.outcome === 'failed').map((r) => r.check));
}

describe('a conformant target', () => {
  it('passes read-only, logging in once and sending no write', async () => {
    const report = await runAgainst([]);
    expect(report.exitCode).toBe(0);
    expect(report.summary.failed).toBe(0);
    expect(sps!.logins).toBe(1);
    expect(sps!.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    // The transaction state is read first, right after the login.
    expect(sps!.requests.slice(0, 2).map((r) => r.path)).toEqual(['/api/authentication', '/api/transaction']);
    for (const check of ['auth_required', 'auth_failure', 'not_found', 'meta_links', 'undocumented_properties'] as const) {
      expect(
        report.results.some((r) => r.check === check && r.outcome === 'passed'),
        check,
      ).toBe(true);
    }
    // Writes, commits and cluster membership changes are reported as not sent, with the reason.
    const notSent = report.results.filter((r) => r.outcome === 'skipped').map((r) => `${r.operationId}: ${r.message}`);
    expect(notSent).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^promoteClusterNode: never sent to a target: it changes cluster membership/),
        expect.stringMatching(/^commitTransaction: never sent to a target: the runner never commits/),
        expect.stringMatching(/^updateTimezone: read-only run: writes need --allow-writes/),
      ]),
    );
    expect(report.targets[0]).toMatchObject({ loggedIn: true, transactionAtStart: 'closed' });
  });

  it('with --allow-writes puts a different value into each setting, reads it back and always rolls back', async () => {
    const report = await runAgainst([], { allowWrites: true });
    expect(report.exitCode).toBe(0);
    const writes = sps!.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(writes).toEqual([
      'POST /api/transaction',
      'PUT /api/configuration/datetime/timezone',
      'DELETE /api/transaction',
      'POST /api/transaction',
      'PUT /api/configuration/datetime/ntp_servers',
      'DELETE /api/transaction',
      // collection_roundtrip: a new backup policy, created and deleted again, then the rollback.
      'POST /api/transaction',
      'POST /api/configuration/policies/backup_policies',
      expect.stringMatching(/^DELETE \/api\/configuration\/policies\/backup_policies\/[0-9a-f]{22}$/),
      'DELETE /api/transaction',
      // invalid_write: a forbidden body per setting, each in its own rolled-back transaction.
      'POST /api/transaction',
      'PUT /api/configuration/datetime/timezone',
      'DELETE /api/transaction',
      'POST /api/transaction',
      'PUT /api/configuration/datetime/ntp_servers',
      'DELETE /api/transaction',
    ]);
    // Only the object this run created was deleted, never the one that existed before.
    expect(writes.filter((w) => w.includes('99375192754364c2b1bd01'))).toEqual([]);
    expect(sps!.transactionOpen()).toBe(false);
    expect(sps!.committed()).toEqual({ timezone: 'America/New_York', ntp: [{ selection: 'fqdn', value: 'pool.ntp.org' }] });
    const roundtrips = report.results.filter((r) => r.check === 'write_roundtrip' && r.outcome === 'passed').map((r) => r.message);
    expect(roundtrips).toEqual(
      expect.arrayContaining([
        expect.stringContaining(
          'updateTimezone (PUT /api/configuration/datetime/timezone): PUT a different value (the value set from "America/New_York" to "Europe/Budapest" (a documented request example)',
        ),
        expect.stringContaining('updateNtpServers (PUT /api/configuration/datetime/ntp_servers): PUT a different value (the list: one documented entry added'),
        'updateTimezone (PUT /api/configuration/datetime/timezone): transaction rolled back',
        'updateTimezone (PUT /api/configuration/datetime/timezone): after the rollback it reads the original value again',
        'after the write cycle: no transaction left open',
      ]),
    );
    // The different value was sent: the timezone PUT carried the documented example, not the value read.
    const tzPut = sps!.requests.find((r) => r.method === 'PUT' && r.path === '/api/configuration/datetime/timezone');
    expect(tzPut?.body).toBe('"Europe/Budapest"');
    expect(sps!.logins).toBe(1);
  });
});

describe('each check can fail', () => {
  const cases: Array<[Break, CheckName, RegExp]> = [
    ['undocumented-status', 'status_code', /received 418, which is not documented/],
    ['wrong-content-type', 'content_type', /received Content-Type text\/plain \(\d+ bytes, sha256 [0-9a-f]{64}\), documented application\/json/],
    ['schema-violation', 'response_schema', /\/body: must be string/],
    ['wrong-meta-href', 'meta_links', /meta.href is "\/api\/configuration\/datetime\/ntp_servers", the requested path is/],
    ['missing-error-type', 'error_body', /no error.type in the body/],
  ];
  it.each(cases)('%s -> %s fails', async (brk, check, message) => {
    const report = await runAgainst([brk]);
    expect(report.exitCode).toBe(1);
    const failures = report.results.filter((r) => r.outcome === 'failed' && r.check === check);
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.map((f) => f.message).join('\n')).toMatch(message);
    expect(failures[0]!.curl).toMatch(/^curl /);
  });

  it('an undocumented property is an undocumented_properties warning (exit 0), and a failure with --strict (exit 1)', async () => {
    const lenient = await runAgainst(['extra-property']);
    expect(lenient.exitCode).toBe(0);
    expect(lenient.results.filter((r) => r.check === 'undocumented_properties' && r.outcome === 'warning').map((r) => r.message)).toContain(
      '200: 1 property is not in the spec: sps_build',
    );
    await sps!.close();
    const strict = await runAgainst(['extra-property'], { strict: true });
    expect(strict.exitCode).toBe(1);
    expect(failedChecks(strict)).toEqual(new Set(['undocumented_properties']));
  });

  it('write_roundtrip fails when the value read back differs, and the transaction is still rolled back', async () => {
    const report = await runAgainst(['readback-differs'], { allowWrites: true });
    expect(report.exitCode).toBe(1);
    expect(report.results.find((r) => r.check === 'write_roundtrip' && r.outcome === 'failed')?.message).toContain('the value read back differs');
    expect(sps!.transactionOpen()).toBe(false);
    expect(sps!.committed().timezone).toBe('America/New_York');
  });
});

describe('safety, on the simulator', () => {
  it('does not write and does not touch the transaction when another session holds the lock; the writes are "not checked" (exit 2)', async () => {
    const sim = await startSimulator({ https: false });
    try {
      const node = sim.nodes[0]!;
      // The operator's session holds the configuration lock (a real lock, not a switch).
      const auth = `Basic ${Buffer.from(`${sim.users.operator!.username}:${sim.users.operator!.password}`).toString('base64')}`;
      const login = await fetch(`${node.url}/api/authentication`, { headers: { authorization: auth } });
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      expect((await fetch(`${node.url}/api/transaction`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' })).status).toBe(
        200,
      );
      const committed = node.state.committedConfig();
      node.resetStats();

      const report = await runConformance({
        urls: [node.url],
        username: sim.users.admin.username,
        password: sim.users.admin.password,
        timeoutMs: 3000,
        allowWrites: true,
      });
      expect(report.exitCode).toBe(2);
      expect(report.notChecked).toEqual([expect.objectContaining({ check: 'write_roundtrip', reason: expect.stringContaining('locked by another session') })]);
      expect(report.targets[0]!.transactionAtStart).toBe('locked by another session');
      expect(report.targets[0]!.lock).toEqual({ state: 'nothing opened', opened: 0 });
      // One write was sent, the POST /api/transaction refused with 409: no PUT, no DELETE.
      expect(node.stats.writes).toBe(1);
      expect(node.stats.byMethod).not.toHaveProperty('PUT');
      expect(node.stats.byMethod).not.toHaveProperty('DELETE');
      expect(node.stats.byStatus['409']).toBe(1);
      expect(report.targets[0]!.notes.join(' ')).toContain('locked by another session');
      expect(report.results.filter((r) => r.check === 'write_roundtrip').every((r) => r.outcome === 'skipped')).toBe(true);
      // The other session's transaction is untouched, and nothing was committed.
      expect(node.state.openTransaction()).toMatchObject({ username: 'operator' });
      expect(node.state.committedConfig()).toEqual(committed);
    } finally {
      await sim.close();
    }
  });

  it('a server that is not SPS ends the run with exit 2, naming the node and the problem', async () => {
    const sim = await startSimulator({ https: false, switches: ['not-sps'] });
    try {
      const report = await runConformance({ urls: [sim.nodes[0]!.url], username: 'admin', password: sim.users.admin.password, timeoutMs: 3000 });
      expect(report.exitCode).toBe(2);
      expect(report.fatal).toBe(
        `node ${new URL(sim.nodes[0]!.url).host}: not an SPS REST API? GET /api/authentication answered 200 text/html without a session_id cookie`,
      );
    } finally {
      await sim.close();
    }
  });
});
