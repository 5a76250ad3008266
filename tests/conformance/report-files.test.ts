/**
 * The report files are streamed (issue 12: peak memory of a large run): written piece by piece,
 * from a redacted view that copies only the rows holding a secret. What is written must be the
 * documents as they were rendered before, from a whole redacted copy of the report, one string
 * each; the run keeps of each exchange only what coverage needs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateOptions } from '../../src/conformance/options.js';
import { createRunContext } from '../../src/conformance/plan/context.js';
import { redactReport, renderHtml, renderJunit, writeReports } from '../../src/conformance/report/index.js';
import { emptyReport, finishReport, type ConformanceReport } from '../../src/conformance/report/report.js';
import { buildSelection } from '../../src/conformance/selection.js';
import type { CheckResult } from '../../src/conformance/check-api.js';
import { SecretRegistry } from '../../src/redact.js';
import { exchange, model, validator } from './helpers/exchange.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SECRET = 'psk-seen-late-0123456789';

/** A report of `n` rows on two nodes, with every optional field somewhere; row 7 holds SECRET. */
function bigReport(n: number, extra: Partial<ConformanceReport> = {}): ConformanceReport {
  const outcomes = ['passed', 'failed', 'warning', 'skipped', 'accepted'] as const;
  const results: CheckResult[] = Array.from({ length: n }, (_, i) => ({
    check: i % 3 === 0 ? 'status_code' : 'response_schema',
    operationId: `op${i % 50}`,
    method: i % 2 ? 'GET' : 'PUT',
    path: `/api/x/${i}`,
    node: i % 4 === 0 ? 'n2' : 'n1',
    outcome: outcomes[i % 5]!,
    message: i === 7 ? `answer echoed ${SECRET}` : `row ${i}: "<quoted>" & 'more' \u00e9\u2713`,
    curl: i % 6 === 0 ? '' : `curl -sS 'https://n1/api/x/${i}'`,
    ...(i % 11 === 0 ? { user: 'auditor' } : {}),
    ...(i % 13 === 0 ? { basis: 'reading' as const, reading: 'decisions.md #4' } : {}),
    ...(i % 5 === 4 ? { baseline: { entry: 2, status: 'accepted' as const, reason: 'known & filed', expires: '2027-01-01' } } : {}),
  }));
  return {
    summary: { passed: 1, failed: 2, warnings: 3, skipped: 4, accepted: 5, readingWarnings: 6, readingFailures: 0 },
    targets: [
      {
        node: 'n1',
        url: 'https://n1',
        kind: 'live',
        loggedIn: true,
        transactionAtStart: 'closed',
        version: '7.5',
        writes: 'not requested',
        requests: 3,
        notes: ['a'],
      },
      { node: 'n2', url: 'https://n2', kind: 'live', loggedIn: true, transactionAtStart: 'open', writes: 'not requested', requests: 4, notes: [] },
    ],
    results,
    coverage: {
      rows: [
        {
          operationId: 'op1',
          method: 'GET',
          path: '/api/x',
          cells: [
            { status: '200', exercised: true, countable: true },
            { status: 'default', exercised: false, countable: false },
          ],
        },
      ],
      exercised: 1,
      total: 1,
      percent: 100,
    },
    matrix: { n1: { status_code: 'passed', response_schema: 'failed' }, n2: { status_code: 'warning' } },
    access: [
      {
        user: 'auditor',
        operationId: 'op1',
        method: 'GET',
        path: '/api/x',
        expected: 'allowed',
        rule: 'may: GET /api/**',
        nodes: { n1: { seen: 'allowed', status: 200, outcome: 'passed' } },
      },
    ],
    spec: { file: 'x.yaml', title: 'T', version: '1' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    exitCode: 1,
    ...extra,
  };
}

async function written(report: ConformanceReport, secrets: SecretRegistry): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'sps-report-files-'));
  dirs.push(dir);
  const files = await writeReports(report, dir, secrets);
  expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['junit.xml', 'report.json', 'report.html']);
  return Object.fromEntries(['junit.xml', 'report.json', 'report.html'].map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

describe('streamed report files', () => {
  const cases: Array<[string, ConformanceReport]> = [
    ['3,000 rows (many 64 KiB writes)', bigReport(3000)],
    ['a fatal run with no rows', bigReport(0, { fatal: 'cannot log in', exitCode: 2, access: undefined })],
    [
      'an aborted run with a baseline',
      bigReport(40, {
        aborted: 'SIGTERM',
        exitCode: 143,
        baseline: {
          file: 'b.yaml',
          entries: [{ entry: 1, check: 'status_code', operationId: 'op1', status: 'stale', matched: 0, expires: '2027-01-01', reason: 'r' }],
        },
      } as Partial<ConformanceReport>),
    ],
  ];
  for (const [name, report] of cases) {
    it(`${name}: the files are the documents rendered whole from a redacted copy`, async () => {
      const secrets = new SecretRegistry();
      secrets.add(SECRET, 'secret');
      const whole = secrets.redactValues(report);
      const files = await written(report, secrets);
      // report.json is the indented JSON of the report: the same text as one JSON.stringify,
      // with every row (its optional fields only when set) and every part of the report.
      const json = files['report.json']!;
      expect(json).toBe(`${JSON.stringify(JSON.parse(json), null, 2)}\n`);
      const { results, ...rest } = JSON.parse(json) as { results: unknown[] } & Record<string, unknown>;
      expect(results).toEqual(whole.results);
      expect(rest).toEqual({ ...whole, results: undefined, access: whole.access ?? [], notChecked: whole.notChecked ?? [] });
      expect(files['junit.xml']).toBe(renderJunit(whole));
      expect(files['report.html']).toBe(renderHtml(whole));
      for (const text of Object.values(files)) expect(text).not.toContain(SECRET);
    });
  }

  it('a secret registered after the rows were recorded is redacted; only the rows holding it are copied', async () => {
    const report = bigReport(20);
    const secrets = new SecretRegistry();
    const before = await written(report, secrets);
    expect(before['report.json']).toContain(SECRET);
    secrets.add(SECRET, 'psk');
    const safe = redactReport(report, secrets);
    expect(safe.results[7]).not.toBe(report.results[7]);
    expect(safe.results[7]!.message).toBe('answer echoed <psk>');
    expect(report.results[7]!.message).toContain(SECRET); // the report itself is left as it was
    expect(safe.results.filter((r, i) => r !== report.results[i])).toHaveLength(1);
    const after = await written(report, secrets);
    for (const text of Object.values(after)) expect(text).not.toContain(SECRET);
    expect(after['junit.xml']).toContain('answer echoed &lt;psk&gt;');
    expect(after['report.html']).toContain('answer echoed &lt;psk&gt;');
    expect(JSON.parse(after['report.json']!).results[7].message).toBe('answer echoed <psk>');
  });
});

describe('what the run keeps of an exchange', () => {
  it('coverage needs only the operation and the status: the bodies are not kept', () => {
    const options = validateOptions({});
    const selection = buildSelection(model, [], [], undefined);
    const run = createRunContext(options, model, validator, selection, emptyReport('x', Date.now()));
    const big = { items: Array.from({ length: 100 }, (_, i) => ({ key: `k${i}` })) };
    const ex = exchange('listApiEndpoints', 200, big);
    run.record(0, ex);
    run.observe(exchange('logIn', 401, { error: { type: 'x' } }));
    run.observe({ ...exchange('getTransaction', 200, {}), response: undefined });
    expect(run.exchanges).toEqual([
      { op: ex.op, response: { status: 200 } },
      { op: model.operation('logIn'), response: { status: 401 } },
      { op: model.operation('getTransaction') },
    ]);
    expect(ex.response?.bodyText).toContain('k99'); // the checks' own exchange is untouched
    const report = finishReport(run.report, run.ranked, run.exchanges, Date.now(), undefined, run.ops);
    const row = (id: string) => report.coverage.rows.find((r) => r.operationId === id)!;
    expect(row('listApiEndpoints').cells.find((c) => c.status === '200')?.exercised).toBe(true);
    expect(row('logIn').cells.find((c) => c.status === '401')?.exercised).toBe(true);
    expect(row('getTransaction').cells.every((c) => !c.exercised)).toBe(true);
  });
});
