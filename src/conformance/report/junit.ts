import type { CheckResult } from '../check-api.js';
import { accessCellLabel, type ConformanceReport, type NotChecked } from './report.js';
import { notCheckedText } from './console.js';

// XML 1.0 forbids most control characters even when escaped.
// eslint-disable-next-line no-control-regex
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters XML 1.0 forbids, matched to be removed
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function xmlEscape(text: string): string {
  return text.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Testcase properties: the basis of a warning or failure, the baseline entry of an accepted row. */
function props(r: CheckResult): string {
  const p: Array<[string, string]> = [];
  if (r.basis) p.push(['basis', r.basis]);
  if (r.strength) p.push(['strength', r.strength]);
  if (r.source) p.push(['source', r.source]);
  if (r.reading) p.push(['reading', r.reading]);
  if (r.baseline)
    p.push(
      ['baseline.entry', String(r.baseline.entry)],
      ['baseline.status', r.baseline.status],
      ['baseline.reason', r.baseline.reason],
      ['baseline.expires', r.baseline.expires],
    );
  if (p.length === 0) return '';
  return `\n      <properties>${p.map(([n, v]) => `<property name="${xmlEscape(n)}" value="${xmlEscape(v)}"/>`).join('')}</properties>`;
}

function testcase(r: CheckResult): string {
  const as = r.user !== undefined ? ` as ${r.user}` : '';
  const name = xmlEscape(`${r.check} ${r.method} ${r.path}${as}`);
  const classname = xmlEscape(`${r.node}.${r.user !== undefined ? `${r.user}.` : ''}${r.operationId}`);
  const open = `    <testcase classname="${classname}" name="${name}" time="0">`;
  const detail = xmlEscape(`${r.message}\n\n${r.curl}`);
  switch (r.outcome) {
    case 'failed':
      return `${open}${props(r)}\n      <failure message="${xmlEscape(r.message)}" type="${xmlEscape(r.check)}">${detail}</failure>\n    </testcase>`;
    case 'skipped':
      return `${open}\n      <skipped message="${xmlEscape(r.message)}"/>\n    </testcase>`;
    case 'warning':
      return `${open}${props(r)}\n      <system-out>WARNING${r.strength === 'soft' ? ` (${xmlEscape(r.basis ?? 'soft')} only: ${xmlEscape(r.source ?? '')})` : ''}: ${detail}</system-out>\n    </testcase>`;
    case 'accepted': {
      const b = r.baseline;
      const why = b ? ` by baseline entry ${b.entry} until ${b.expires} (${b.reason})` : '';
      return `${open}${props(r)}\n      <system-out>${xmlEscape(`ACCEPTED${why}: `)}${detail}</system-out>\n    </testcase>`;
    }
    default:
      return `${open}</testcase>`;
  }
}

/** The user x operation matrix of one node (`--roles`), as the suite's `<system-out>`. */
function accessOut(report: ConformanceReport, node: string): string[] {
  const rows = (report.access ?? []).filter((r) => r.nodes[node] !== undefined);
  if (rows.length === 0) return [];
  const lines = rows.map((r) => `${r.user}  ${r.method} ${r.path}  expected ${r.expected}, seen ${accessCellLabel(r.nodes[node])}  (${r.rule})`);
  return [`    <system-out>${xmlEscape(`User x operation (--roles):\n${lines.join('\n')}`)}</system-out>`];
}

/** A "not checked" entry: a testcase with an `<error>` (never a pass, never a skip). */
function notCheckedCase(n: NotChecked): string {
  const text = notCheckedText(n);
  const name = xmlEscape(`not checked: ${n.check ?? n.what}`);
  return `    <testcase classname="${xmlEscape(`${n.node ?? 'sps-conformance'}.not-checked`)}" name="${name}" time="0"><error type="not-checked" message="${xmlEscape(text)}">${xmlEscape(text)}</error></testcase>`;
}

/** `junit.xml`: one `<testsuite>` per node, one `<testcase>` per result row; produced piece by piece (one row at a time). */
export function* junitChunks(report: ConformanceReport): Generator<string> {
  const s = report.summary;
  const notChecked = report.notChecked ?? [];
  const errors = notChecked.length + (report.fatal ? 1 : 0);
  yield [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="sps-conformance" tests="${report.results.length + errors}" failures="${s.failed}" errors="${errors}" skipped="${s.skipped}" time="${(report.durationMs / 1000).toFixed(3)}">`,
    `  <!-- ${xmlEscape(`summary: ${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings (${s.readingWarnings} readings only), ${s.accepted} accepted, ${s.skipped} skipped`).replace(/--/g, '- -')} -->`,
  ].join('\n');
  const nodes = [...new Set([...report.targets.map((t) => t.node), ...report.results.map((r) => r.node)])];
  for (const node of nodes) {
    const rows = report.results.filter((r) => r.node === node);
    let failures = 0;
    let skipped = 0;
    let accepted = 0;
    let readings = 0;
    for (const r of rows) {
      if (r.outcome === 'failed') failures++;
      else if (r.outcome === 'skipped') skipped++;
      else if (r.outcome === 'accepted') accepted++;
      else if (r.outcome === 'warning' && r.strength === 'soft') readings++;
    }
    const target = report.targets.find((t) => t.node === node);
    const mine = notChecked.filter((n) => n.node === node);
    const version =
      target?.version !== undefined
        ? `<property name="url" value="${xmlEscape(target.url)}"/><property name="sps.version" value="${xmlEscape(target.version)}"/>`
        : '';
    yield `\n  <testsuite name="${xmlEscape(`sps-conformance ${node}`)}" tests="${rows.length + mine.length}" failures="${failures}" errors="${mine.length}" skipped="${skipped}" timestamp="${xmlEscape(report.startedAt)}">`;
    yield `\n    <properties>${version}<property name="accepted" value="${accepted}"/><property name="readingWarnings" value="${readings}"/></properties>`;
    for (const n of mine) yield `\n${notCheckedCase(n)}`;
    for (const r of rows) yield `\n${testcase(r)}`;
    for (const line of accessOut(report, node)) yield `\n${line}`;
    yield '\n  </testsuite>';
  }
  const runLevel = notChecked.filter((n) => n.node === undefined || !nodes.includes(n.node));
  if (runLevel.length > 0) {
    yield `\n  <testsuite name="sps-conformance not checked" tests="${runLevel.length}" failures="0" errors="${runLevel.length}" skipped="0">`;
    for (const n of runLevel) yield `\n${notCheckedCase(n)}`;
    yield '\n  </testsuite>';
  }
  if (report.fatal) {
    yield [
      '',
      `  <testsuite name="sps-conformance" tests="1" failures="0" errors="1" skipped="0">`,
      `    <testcase classname="sps-conformance" name="run"><error message="${xmlEscape(report.fatal)}">${xmlEscape(report.fatal)}</error></testcase>`,
      '  </testsuite>',
    ].join('\n');
  }
  yield '\n</testsuites>\n';
}

/** `junit.xml` as one string (see {@link junitChunks}). */
export function renderJunit(report: ConformanceReport): string {
  return [...junitChunks(report)].join('');
}
