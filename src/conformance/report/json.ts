import type { CheckResult } from '../check-api.js';
import type { ConformanceReport } from './report.js';

/** One result row as `report.json` lists it (optional fields only when set). */
function jsonRow(r: CheckResult): Record<string, unknown> {
  return {
    check: r.check,
    operationId: r.operationId,
    method: r.method,
    path: r.path,
    node: r.node,
    ...(r.user !== undefined ? { user: r.user } : {}),
    outcome: r.outcome,
    message: r.message,
    curl: r.curl,
    ...(r.basis ? { basis: r.basis } : {}),
    ...(r.strength ? { strength: r.strength } : {}),
    ...(r.source ? { source: r.source } : {}),
    ...(r.reading ? { reading: r.reading } : {}),
    ...(r.baseline ? { baseline: r.baseline } : {}),
  };
}

/** `JSON.stringify(value, null, 2)` of a value nested `depth` levels deep (JSON text has no raw newline inside a string). */
function nested(value: unknown, depth: number): string | undefined {
  const text = JSON.stringify(value, null, 2) as string | undefined;
  return text === undefined || depth === 0 ? text : text.replace(/\n/g, `\n${'  '.repeat(depth)}`);
}

/**
 * `report.json`: `{ summary, targets, results, coverage, matrix, access, spec, startedAt, durationMs,
 * exitCode, notChecked, fatal?, aborted?, baseline? }` (`notChecked`: what was selected or asked for
 * and not checked, `{ node?, check?, what, reason }`; not empty: the run is incomplete, exit 2;
 * each live target carries `lock`, what the run left on its configuration lock). `results` rows are `{ check, operationId, method, path,
 * node, user?, outcome, message, curl, basis?, reading?, baseline? }` (`user`: the roles-file
 * account or the probe's made-up user); `access` is the user x operation matrix of `--roles`
 * (`report/report.ts`, `AccessRow`); `summary` counts `accepted` and `readingWarnings` (and
 * `readingFailures` with `--strict`) apart.
 *
 * The text is `JSON.stringify(report, null, 2)` of that object plus a newline, produced piece by
 * piece (one result row at a time) so that a large run is never held as one string.
 */
export function* jsonChunks(report: ConformanceReport): Generator<string> {
  const before = { summary: report.summary, targets: report.targets };
  const after = {
    coverage: report.coverage,
    matrix: report.matrix,
    access: report.access ?? [],
    spec: report.spec,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    notChecked: report.notChecked ?? [],
    ...(report.fatal ? { fatal: report.fatal } : {}),
    ...(report.aborted ? { aborted: report.aborted } : {}),
    ...(report.baseline ? { baseline: report.baseline } : {}),
  };
  let first = true;
  const member = (key: string): string => {
    const sep = first ? '{\n' : ',\n';
    first = false;
    return `${sep}  ${JSON.stringify(key)}: `;
  };
  for (const [key, value] of Object.entries(before)) {
    const text = nested(value, 1);
    if (text !== undefined) yield `${member(key)}${text}`;
  }
  if (report.results.length === 0) yield `${member('results')}[]`;
  else {
    yield `${member('results')}[`;
    let sep = '\n    ';
    for (const r of report.results) {
      yield `${sep}${nested(jsonRow(r), 2)!}`;
      sep = ',\n    ';
    }
    yield '\n  ]';
  }
  for (const [key, value] of Object.entries(after)) {
    const text = nested(value, 1);
    if (text !== undefined) yield `${member(key)}${text}`;
  }
  yield '\n}\n';
}

/** `report.json` as one string (see {@link jsonChunks}). */
export function renderJson(report: ConformanceReport): string {
  return [...jsonChunks(report)].join('');
}
