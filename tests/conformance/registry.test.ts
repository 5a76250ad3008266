/**
 * The check registry is the one list of checks: this fails for a registered check without a
 * test beside it (src/conformance/checks/<file>.test.ts, which proves with failsOnItsFixture that
 * the check can fail), for a check file that is not registered, for a docs checks table or a
 * `--help` that differs from the registry, and for a check whose file is not its name in
 * kebab-case (`write_roundtrip` in `checks/write-roundtrip.ts`).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readBaseline } from '../../src/conformance/baseline.js';
import * as floor from '../../src/conformance/check-api.js';
import { CHECKS, FORMER_NAMES, checksTable, probesOf, probesTable } from '../../src/conformance/checks/index.js';
import { main } from '../../src/conformance/cli.js';
import { buildSelection } from '../../src/conformance/selection.js';
import { FIXTURE_SPEC } from './helpers/breakable-sps.js';
import { runOnBreakableSps } from './helpers/check-tests.js';
import { model } from './helpers/exchange.js';

const root = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const CHECKS_DIR = 'src/conformance/checks';
/** The files of checks/ that are not a check: the registry and the checks' small helpers. */
const NOT_CHECKS = ['index.ts', 'util.ts'];

/** The file of a check: its name with `-` for `_`. */
const fileOf = (name: string): string => name.replaceAll('_', '-');

/**
 * What is wrong with a checks folder holding `files`, for checks named `names`: a check without
 * its file or without the test beside it (a test that calls failsOnItsFixture), a file that is no
 * registered check. `testText` reads a test file.
 */
function layoutProblems(files: readonly string[], names: readonly string[], testText: (file: string) => string): string[] {
  const problems: string[] = [];
  for (const name of names) {
    const file = fileOf(name);
    if (!files.includes(`${file}.ts`)) problems.push(`${name}: no ${CHECKS_DIR}/${file}.ts (the file is the check name with - for _)`);
    if (!files.includes(`${file}.test.ts`)) problems.push(`${name}: no test beside it: add ${CHECKS_DIR}/${file}.test.ts (CONTRIBUTING.md, "Adding a check")`);
    else if (!testText(`${file}.test.ts`).includes('failsOnItsFixture('))
      problems.push(`${name}: ${file}.test.ts does not prove it can fail (failsOnItsFixture)`);
  }
  for (const f of files) {
    if (!f.endsWith('.ts') || NOT_CHECKS.includes(f)) continue;
    const base = f.replace(/(\.test)?\.ts$/, '');
    if (!names.some((n) => fileOf(n) === base))
      problems.push(`${CHECKS_DIR}/${f}: not a registered check: add it to CHECKS in checks/index.ts, or name it after its check`);
  }
  return problems;
}

describe('the check registry', () => {
  it('names every check in snake_case; its file is the name in kebab-case, with its test beside it', () => {
    for (const c of CHECKS) {
      expect(c.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(c.passes.split('\n')).toHaveLength(1);
      expect(c.probes.length).toBeGreaterThan(0);
    }
    expect(new Set(CHECKS.map((c) => c.name)).size).toBe(CHECKS.length);
    const files = readdirSync(root(CHECKS_DIR));
    const text = (f: string): string => readFileSync(root(`${CHECKS_DIR}/${f}`), 'utf8');
    expect(
      layoutProblems(
        files,
        CHECKS.map((c) => c.name),
        text,
      ),
    ).toEqual([]);
  });

  it('the layout rule fails naming a check without a test beside it, and a check file that is not registered', () => {
    const files = [
      'index.ts',
      'util.ts',
      'status-code.ts',
      'status-code.test.ts',
      'meta-links.ts',
      'stray-check.ts',
      'stray-check.test.ts',
      'weak.ts',
      'weak.test.ts',
    ];
    const text = (f: string): string => (f === 'weak.test.ts' ? "it('passes', () => {});" : 'failsOnItsFixture(check, fixture);');
    expect(layoutProblems(files, ['status_code', 'meta_links', 'weak', 'gone'], text)).toEqual([
      `meta_links: no test beside it: add ${CHECKS_DIR}/meta-links.test.ts (CONTRIBUTING.md, "Adding a check")`,
      'weak: weak.test.ts does not prove it can fail (failsOnItsFixture)',
      `gone: no ${CHECKS_DIR}/gone.ts (the file is the check name with - for _)`,
      `gone: no test beside it: add ${CHECKS_DIR}/gone.test.ts (CONTRIBUTING.md, "Adding a check")`,
      `${CHECKS_DIR}/stray-check.ts: not a registered check: add it to CHECKS in checks/index.ts, or name it after its check`,
      `${CHECKS_DIR}/stray-check.test.ts: not a registered check: add it to CHECKS in checks/index.ts, or name it after its check`,
    ]);
  });

  it('is the checks table of docs/conformance.md (written by npm run generate)', () => {
    const docs = readFileSync(root('docs/conformance.md'), 'utf8');
    const start = docs.indexOf('| check | passes when | mock |');
    expect(start).toBeGreaterThan(0);
    const lines = docs.slice(start).split('\n');
    const table = lines
      .slice(
        0,
        lines.findIndex((l) => !l.startsWith('|')),
      )
      .join('\n');
    expect(table, 'docs/conformance.md checks table: run npm run generate').toBe(checksTable());
  });

  it("keeps a probe only one check looks at in that check's file; the floor holds the shared ones", () => {
    const inFloor = Object.values(floor)
      .filter((v): v is floor.ProbeDefinition => typeof v === 'object' && v !== null && 'kind' in v && 'order' in v && 'label' in v)
      .map((p) => p.kind);
    expect(inFloor.length).toBeGreaterThan(0);
    for (const p of probesOf(CHECKS)) {
      const lookers = CHECKS.filter((c) => c.probes.some((q) => q.kind === p.kind)).map((c) => c.name);
      expect(inFloor.includes(p.kind), `probe ${p.kind} (looked at by ${lookers.join(', ')})`).toBe(lookers.length > 1);
    }
    const docs = readFileSync(root('docs/conformance.md'), 'utf8');
    expect(docs, 'docs/conformance.md probes table: run npm run generate').toContain(probesTable());
    expect(probesTable()).toContain('| `not_found` | made-up id | `not_found` | `checks/not-found.ts` |');
  });

  it('is what --help lists', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    expect(await main(['--help'], { env: {}, stdout, stderr: new PassThrough() })).toBe(0);
    for (const c of CHECKS) expect(text).toContain(`  ${c.name}  `);
    expect(text).toContain('--spec <file>');
    expect(text).toContain('--mock-url <url>');
  });

  it('keeps former names working in --only/--skip, with one deprecation notice each', () => {
    const notices: string[] = [];
    const sel = buildSelection(model, ['status_code_conformance,STATUS_CODE_CONFORMANCE'], ['meta_conformance'], (m) => notices.push(m));
    expect(sel.includesCheck('status_code')).toBe(true);
    expect(sel.includesCheck('content_type')).toBe(false);
    expect(notices).toEqual([
      expect.stringMatching(/^--only status_code_conformance: the check is now named status_code/),
      expect.stringMatching(/^--skip meta_conformance: the check is now named meta_links/),
    ]);
    expect(FORMER_NAMES.get('error_body_conformance')).toBe('error_body');
  });

  it('prints one deprecation line on stderr for a former name on the command line', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d: Buffer) => (text += d.toString()));
    const dir = mkdtempSync(join(tmpdir(), 'sps-registry-'));
    // Only a check that is a skipped row against the mock: nothing is sent, no Prism is started.
    const code = await main(
      ['--spec', FIXTURE_SPEC, '--only', 'auth_failure', '--skip', 'status_code_conformance,status_code_conformance', '--report-dir', dir],
      {
        env: {},
        stdout: new PassThrough(),
        stderr,
      },
    );
    // auth_failure cannot run against the mock: a check selected with --only that could not run
    // makes the run incomplete (exit 2, docs/safety.md), whatever the names on the command line.
    expect(code).toBe(2);
    expect(text.split('\n').filter((l) => l.includes('deprecated'))).toEqual([
      'sps-conformance: deprecated: --skip status_code_conformance: the check is now named status_code; the old name still works for now and will be removed in a later release',
    ]);
  });

  describe('drift, now undocumented_properties', () => {
    const NOTICE = 'the check is now named undocumented_properties; the old name still works for now and will be removed in a later release';

    it('--only drift and --skip drift select the renamed check, with one deprecation line each', () => {
      const notices: string[] = [];
      const only = buildSelection(model, ['drift'], [], (m) => notices.push(m));
      expect(only.includesCheck('undocumented_properties')).toBe(true);
      expect(only.includesCheck('status_code')).toBe(false);
      const skip = buildSelection(model, [], ['DRIFT'], (m) => notices.push(m));
      expect(skip.includesCheck('undocumented_properties')).toBe(false);
      expect(skip.includesCheck('status_code')).toBe(true);
      expect(notices).toEqual([`--only drift: ${NOTICE}`, `--skip drift: ${NOTICE}`]);
    });

    it('a baseline entry with check: drift is an entry of undocumented_properties, with one deprecation line', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'sps-registry-')), 'known.yaml');
      writeFileSync(file, 'entries:\n  - check: drift\n    operationId: getTimezone\n    reason: r\n    expires: 2999-12-31\n');
      const notices: string[] = [];
      expect(readBaseline(file, (m) => notices.push(m)).entries.map((e) => e.check)).toEqual(['undocumented_properties']);
      expect(notices).toEqual([`--baseline ${file}: entry 1 (drift getTimezone): ${NOTICE}`]);
    });

    it('a run with --only drift reports its rows as undocumented_properties', async () => {
      const notices: string[] = [];
      const report = await runOnBreakableSps(['extra-property'], { only: ['drift'], onDeprecation: (m) => notices.push(m) });
      expect(notices).toEqual([`--only drift: ${NOTICE}`]);
      expect(new Set(report.results.map((r) => r.check))).toEqual(new Set(['undocumented_properties']));
      expect(report.results.filter((r) => r.outcome === 'warning').map((r) => r.message)).toContain('200: 1 property is not in the spec: sps_build');
      expect(JSON.stringify(report)).not.toMatch(/"check":"drift"/);
    });
  });
});
