/**
 * Known deviations: `--baseline FILE` accepts the failures its entries match (outcome
 * `accepted`, exit 0, listed in every report), an expired entry fails again naming itself, an
 * entry that matches nothing is a warning, and `--write-baseline` writes a baseline that
 * accepts the same failures. The planted failure is the breakable SPS stand-in's
 * `schema-violation` (GET .../timezone answers a number), a vendor fact of the fixture spec.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { baselineFromResults, dayAfter, parseBaseline, readBaseline, TODO_REASON } from '../../src/conformance/baseline.js';
import { UsageError } from '../../src/shared/cli-options.js';
import { runConformance } from '../../src/conformance/runner.js';
import { FIXTURE_SPEC, startBreakableSps, type BreakableSps } from './helpers/breakable-sps.js';
import { readReports, runCli, tempDir } from './helpers/cli.js';

let sps: BreakableSps | undefined;
afterEach(async () => {
  await sps?.close();
  sps = undefined;
});

const FUTURE = dayAfter(new Date(), 30);
const PAST = '2020-01-31';

function usageError(doc: unknown): string {
  try {
    parseBaseline(doc, 'known.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('the baseline file', () => {
  const ok = { check: 'response_schema', operationId: 'getTimezone', reason: 'firmware 7.4 bug SPS-1234', expires: FUTURE };

  it('is validated against its schema, naming the entry', () => {
    expect(usageError({ entries: [ok, { check: 'meta_links', operationId: 'getInfo', expires: FUTURE }] })).toBe(
      "--baseline known.yaml: entry 2 (meta_links getInfo): must have required property 'reason'",
    );
    expect(usageError({ entries: [{ check: 'undocumented_properties', reason: 'x', expires: FUTURE }] })).toBe(
      '--baseline known.yaml: entry 1 (undocumented_properties): needs an operationId or a path',
    );
    expect(usageError({ entries: [{ ...ok, expires: '31.12.2026' }] })).toMatch(
      /^--baseline known\.yaml: entry 1 \(response_schema getTimezone\): expires must match pattern/,
    );
    expect(usageError({ entries: [{ ...ok, expires: '2026-02-30' }] })).toBe(
      '--baseline known.yaml: entry 1 (response_schema getTimezone): expires 2026-02-30 is not a date (YYYY-MM-DD)',
    );
    expect(usageError({ entries: [{ ...ok, check: 'no_such_check' }] })).toMatch(
      /^--baseline known\.yaml: entry 1 \(no_such_check getTimezone\): unknown check "no_such_check" \(checks: status_code, /,
    );
    expect(usageError({ entries: [{ ...ok, message: '(' }] })).toMatch(
      /^--baseline known\.yaml: entry 1 \(response_schema getTimezone\): message is not a regular expression/,
    );
    expect(usageError({ entries: [{ ...ok, colour: 'red' }] })).toMatch(
      /^--baseline known\.yaml: entry 1 \(response_schema getTimezone\): must NOT have additional properties \(colour\)/,
    );
    expect(usageError([ok])).toMatch(/^--baseline known\.yaml: not a baseline/);
  });

  it('maps a former check name to the current one, as --only does', () => {
    const told: string[] = [];
    expect(parseBaseline({ entries: [{ ...ok, check: 'response_schema_conformance' }] }, 'b.json', (m) => told.push(m)).entries[0]!.check).toBe(
      'response_schema',
    );
    expect(told).toEqual([
      '--baseline b.json: entry 1 (response_schema_conformance getTimezone): the check is now named response_schema; the old name still works for now and will be removed in a later release',
    ]);
  });

  it('is read as YAML or JSON; an unreadable file is a usage error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'b.yaml'), `entries:\n  - check: undocumented_properties\n    path: /api/info\n    reason: r\n    expires: ${FUTURE}\n`);
    writeFileSync(join(dir, 'b.json'), JSON.stringify({ entries: [ok] }));
    expect(readBaseline(join(dir, 'b.yaml')).entries[0]).toMatchObject({ check: 'undocumented_properties', path: '/api/info' });
    expect(readBaseline(join(dir, 'b.json')).entries[0]).toMatchObject(ok);
    expect(() => readBaseline(join(dir, 'missing.yaml'))).toThrow(/cannot read it \(ENOENT\)/);
  });

  it('written from failures: one entry per check, operation and message, the message anchored and escaped', () => {
    const row = {
      check: 'response_schema',
      operationId: 'getTimezone',
      method: 'GET',
      path: '/api/x?y=1',
      node: 'n1',
      outcome: 'failed' as const,
      message: '200: body (root): must be object',
      curl: '',
    };
    const now = new Date('2026-01-01T10:00:00Z');
    const out = baselineFromResults([row, { ...row, node: 'n2' }, { ...row, outcome: 'passed' }], now);
    expect(out.entries).toEqual([
      {
        check: 'response_schema',
        operationId: 'getTimezone',
        message: '^200: body \\(root\\): must be object$',
        reason: TODO_REASON,
        expires: '2026-04-01',
        firstSeen: '2026-01-01',
        lastSeen: '2026-01-01',
      },
    ]);
    expect(new RegExp(out.entries[0]!.message!).test(row.message)).toBe(true);
    // A made-up id is random per run: a UUID in the message matches any UUID next time.
    const notFound = { ...row, check: 'not_found', message: 'made-up id /api/x/46f97a58-4028-467d-9a22-9cfe78ae3e1c answered 200' };
    const pattern = new RegExp(baselineFromResults([notFound], now).entries[0]!.message!);
    expect(pattern.test('made-up id /api/x/0b5a3c1e-1111-4222-8333-944445555666 answered 200')).toBe(true);
    expect(pattern.test('made-up id /api/x/0b5a3c1e-1111-4222-8333-944445555666 answered 404')).toBe(false);
  });
});

describe('a run with a baseline (breakable SPS, schema-violation)', () => {
  async function run(baseline?: unknown, extra: { strict?: boolean } = {}) {
    const dir = tempDir();
    let file: string | undefined;
    if (baseline !== undefined) {
      file = join(dir, 'baseline.json');
      writeFileSync(file, JSON.stringify(baseline));
    }
    return runConformance({
      specFile: FIXTURE_SPEC,
      urls: [sps!.url],
      username: 'admin',
      password: sps!.password,
      timeoutMs: 3000,
      ...(file ? { baselineFile: file } : {}),
      ...extra,
    });
  }

  it('accepts the planted failure until its entry expires, then fails again naming the entry', async () => {
    sps = await startBreakableSps({ breaks: ['schema-violation'] });
    const plain = await run();
    expect(plain.exitCode).toBe(1);
    const planted = plain.results.filter((r) => r.outcome === 'failed');
    expect(planted.map((r) => `${r.check} ${r.operationId}`)).toContain('response_schema getTimezone');

    const entries = [...new Set(planted.map((r) => `${r.check} ${r.operationId}`))].map((k) => {
      const [check, operationId] = k.split(' ');
      return { check, operationId, reason: 'known firmware bug SPS-1234', expires: FUTURE };
    });
    const accepted = await run({ entries });
    expect(accepted.exitCode).toBe(0);
    expect(accepted.summary.failed).toBe(0);
    expect(accepted.summary.accepted).toBe(planted.length);
    const row = accepted.results.find((r) => r.check === 'response_schema' && r.operationId === 'getTimezone')!;
    expect(row).toMatchObject({ outcome: 'accepted', baseline: { entry: 1, status: 'accepted', reason: 'known firmware bug SPS-1234', expires: FUTURE } });
    expect(accepted.baseline!.entries.every((e) => e.status === 'accepted' && e.matched > 0)).toBe(true);

    const expired = await run({ entries: entries.map((e) => ({ ...e, expires: PAST })) });
    expect(expired.exitCode).toBe(1);
    expect(expired.summary.accepted).toBe(0);
    const again = expired.results.find((r) => r.check === 'response_schema' && r.operationId === 'getTimezone')!;
    expect(again.outcome).toBe('failed');
    expect(again.message).toContain(`[baseline entry 1 expired on ${PAST} (known firmware bug SPS-1234): renew it or fix the deviation]`);
    expect(expired.baseline!.entries[0]!.status).toBe('expired');
  }, 60_000);

  it('a message pattern narrows an entry; an entry that matches nothing is a warning to remove it', async () => {
    sps = await startBreakableSps({ breaks: ['schema-violation'] });
    const report = await run({
      entries: [
        { check: 'response_schema', operationId: 'getTimezone', message: 'this text is not in the message', reason: 'narrow', expires: FUTURE },
        { check: 'response_schema', path: '/api/configuration/datetime/ntp_servers', reason: 'fixed in 7.5', expires: FUTURE },
      ],
    });
    expect(report.exitCode).toBe(1); // the narrow entry does not accept the planted failure
    const stale = report.results.filter((r) => r.baseline?.status === 'stale');
    // Entry 1's check failed on its operation (differently): not proven gone, so not stale.
    expect(stale.map((r) => [r.outcome, r.message])).toEqual([
      ['warning', 'baseline entry 2 (fixed in 7.5) matched nothing, and its check passed on its operation: no longer seen on this appliance: remove it'],
    ]);
    expect(report.baseline!.entries.map((e) => e.status)).toEqual(['not-run', 'stale']);
    expect(Object.keys(report.matrix)).not.toContain('baseline'); // not a node
  }, 60_000);

  it('with --only, an entry is stale only when its check ran on its operation (and node) and passed', async () => {
    sps = await startBreakableSps();
    const entry = {
      check: 'response_schema',
      operationId: 'getTimezone',
      reason: 'was broken in 7.4',
      expires: FUTURE,
      ticket: 'SPS-1234',
      firstSeen: '2026-01-05',
      lastSeen: '2026-02-01',
    };
    const withOnly = async (only: string[], e: Record<string, unknown> = entry) => {
      const dir = tempDir();
      const f = join(dir, 'b.json');
      writeFileSync(f, JSON.stringify({ entries: [e] }));
      return runConformance({ specFile: FIXTURE_SPEC, urls: [sps!.url], username: 'admin', password: sps!.password, timeoutMs: 3000, only, baselineFile: f });
    };
    // The operation was not selected: not checked in this run, no warning.
    const other = await withOnly(['listDatetimeEndpoints']);
    expect(other.baseline!.entries[0]!.status).toBe('not-run');
    expect(other.results.filter((r) => r.baseline?.status === 'stale')).toEqual([]);
    // The check was not selected (another check on the same operation ran).
    const otherCheck = await withOnly(['getTimezone', 'status_code']);
    expect(otherCheck.baseline!.entries[0]!.status).toBe('not-run');
    // Another node than the one that ran: not checked.
    const otherNode = await withOnly(['getTimezone'], { ...entry, node: 'sps-that-did-not-run:443' });
    expect(otherNode.baseline!.entries[0]!.status).toBe('not-run');
    // The check ran on the operation and passed: stale, with its ticket and when it was last seen.
    const ran = await withOnly(['getTimezone']);
    expect(ran.results.some((r) => r.check === 'response_schema' && r.operationId === 'getTimezone' && r.outcome === 'passed')).toBe(true);
    expect(ran.baseline!.entries[0]!.status).toBe('stale');
    const [row] = ran.results.filter((r) => r.baseline?.status === 'stale');
    expect(row!.message).toBe(
      'baseline entry 1 (was broken in 7.4, SPS-1234, last seen 2026-02-01) matched nothing, and its check passed on its operation: no longer seen on this appliance: remove it',
    );
    expect(row!.baseline).toMatchObject({ ticket: 'SPS-1234', firstSeen: '2026-01-05', lastSeen: '2026-02-01' });
  }, 90_000);

  it('a matched entry keeps its first-seen day and its ticket, and is last seen today', async () => {
    sps = await startBreakableSps({ breaks: ['schema-violation'] });
    const today = new Date().toISOString().slice(0, 10);
    const report = await run({
      entries: [{ check: 'response_schema', operationId: 'getTimezone', reason: 'known', expires: FUTURE, ticket: 'SPS-9', firstSeen: '2025-12-01' }],
    });
    const accepted = report.results.find((r) => r.outcome === 'accepted')!;
    expect(accepted.baseline).toMatchObject({ ticket: 'SPS-9', firstSeen: '2025-12-01', lastSeen: today });
    expect(report.baseline!.entries[0]).toMatchObject({ firstSeen: '2025-12-01', lastSeen: today });
    const written = baselineFromResults(report.results);
    expect(written.entries.find((e) => e.operationId === 'getTimezone')).toMatchObject({ ticket: 'SPS-9', firstSeen: '2025-12-01', lastSeen: today });
  }, 60_000);

  it('an entry for a check that did not run is "not-run", not stale', async () => {
    sps = await startBreakableSps();
    const report = await runConformance({
      specFile: FIXTURE_SPEC,
      urls: [sps.url],
      username: 'admin',
      password: sps.password,
      skip: ['undocumented_properties'],
      baselineFile: (() => {
        const f = join(tempDir(), 'b.json');
        writeFileSync(f, JSON.stringify({ entries: [{ check: 'undocumented_properties', operationId: 'getTimezone', reason: 'r', expires: FUTURE }] }));
        return f;
      })(),
    });
    expect(report.exitCode).toBe(0);
    expect(report.baseline!.entries[0]!.status).toBe('not-run');
    expect(report.summary.warnings).toBe(0);
  }, 60_000);
});

describe('the CLI with --baseline and --write-baseline', () => {
  it('--write-baseline output round-trips as --baseline; every report lists the accepted rows and counts them', async () => {
    sps = await startBreakableSps({ breaks: ['schema-violation'] });
    const dir = tempDir();
    const file = join(dir, 'known-deviations.yaml');
    const env = { SPS_PASSWORD: sps.password };
    const common = ['--url', sps.url, '--username', 'admin', '--spec', FIXTURE_SPEC];
    const first = await runCli([...common, '--report-dir', join(dir, 'a'), '--write-baseline', file], { env });
    expect(first.code).toBe(1);
    const failed = (JSON.parse(readReports(join(dir, 'a'))['report.json']!) as { summary: { failed: number } }).summary.failed;
    expect(failed).toBeGreaterThan(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# sps-conformance baseline/);
    expect(text).toContain(`reason: "${TODO_REASON}"`); // quoted: the YAML text has a colon
    expect(text).toContain(`expires: ${dayAfter(new Date(), 90)}`);
    expect(first.stdout).toMatch(/Baseline: \d+ entr(y|ies) written to /);

    const second = await runCli([...common, '--report-dir', join(dir, 'b'), '--baseline', file], { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(`^Conformant: \\d+ passed, 0 failed, \\d+ warnings \\(0 inferences or readings only\\), ${failed} accepted, \\d+ skipped$`, 'm'),
    );
    expect(second.stdout).toContain(`Accepted by the baseline (${failed}, not failing the run):`);
    expect(second.stdout).toContain(`baseline entry 1, until ${dayAfter(new Date(), 90)}: ${TODO_REASON}`);
    const files = readReports(join(dir, 'b'));
    const json = JSON.parse(files['report.json']!) as {
      summary: { accepted: number; failed: number };
      results: Array<{ outcome: string; baseline?: { entry: number } }>;
      baseline: { entries: unknown[] };
    };
    expect(json.summary).toMatchObject({ accepted: failed, failed: 0 });
    expect(json.results.filter((r) => r.outcome === 'accepted' && r.baseline?.entry)).toHaveLength(failed);
    expect(json.baseline.entries.length).toBeGreaterThan(0);
    expect(files['report.html']).toContain(`<div class="card accepted"><b>${failed}</b>accepted</div>`);
    expect(files['report.html']).toContain(`<h2>Accepted by the baseline (${failed})</h2>`);
    expect(files['report.html']).toContain('<tr class="accepted">');
    expect(files['junit.xml']).toContain(`<property name="accepted" value="${failed}"/>`);
    expect(files['junit.xml']).toContain('ACCEPTED by baseline entry 1');
    expect(files['junit.xml']).toMatch(/<testsuites [^>]*failures="0"/);
  }, 90_000);

  it('an invalid baseline stops the run with exit 2 and names the entry', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `entries:\n  - check: undocumented_properties\n    operationId: getInfo\n    reason: ok\n    expires: ${FUTURE}\n  - check: undocumented_properties\n    operationId: getTimezone\n    expires: tomorrow\n    reason: x\n`,
    );
    const run = await runCli(['--baseline', file, '--report-dir', join(dir, 'r')]);
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(
      /^sps-conformance: --baseline .*bad\.yaml: entry 2 \(undocumented_properties getTimezone\): expires must match pattern/,
    );
  }, 30_000);
});
