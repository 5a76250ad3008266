import type { ConformanceReport } from './model.js';

/**
 * `report.json`: `{ summary, targets, results, coverage, matrix, access, spec, startedAt, durationMs,
 * exitCode, fatal?, aborted?, baseline? }`. `results` rows are `{ check, operationId, method, path,
 * node, user?, outcome, message, curl, basis?, reading?, baseline? }` (`user`: the roles-file
 * account or the probe's made-up user); `access` is the user x operation matrix of `--roles`
 * (`report/model.ts`, `AccessRow`); `summary` counts `accepted` and `readingWarnings` (and
 * `readingFailures` with `--strict`) apart.
 */
export function renderJson(report: ConformanceReport): string {
  const out = {
    summary: report.summary,
    targets: report.targets,
    results: report.results.map((r) => ({
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
      ...(r.reading ? { reading: r.reading } : {}),
      ...(r.baseline ? { baseline: r.baseline } : {}),
    })),
    coverage: report.coverage,
    matrix: report.matrix,
    access: report.access ?? [],
    spec: report.spec,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    ...(report.fatal ? { fatal: report.fatal } : {}),
    ...(report.aborted ? { aborted: report.aborted } : {}),
    ...(report.baseline ? { baseline: report.baseline } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
