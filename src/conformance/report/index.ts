import { createWriteStream, existsSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SecretRegistry } from '../../redact.js';
import { jsonEqual } from '../../shared/index.js';
import type { CheckResult } from '../check-api.js';
import type { ConformanceReport } from './report.js';
import { htmlChunks } from './html.js';
import { jsonChunks } from './json.js';
import { junitChunks } from './junit.js';

export { htmlChunks, renderHtml } from './html.js';
export { jsonChunks, renderJson } from './json.js';
export { junitChunks, renderJunit } from './junit.js';
export { createProgressPrinter, renderSummary, verdictLine } from './console.js';

export const REPORT_FILES = ['junit.xml', 'report.json', 'report.html'] as const;

/**
 * One result row with every value (keys included) passed through the secret registry; the row
 * itself when redaction leaves it unchanged, so a large run's tens of thousands of rows are not
 * duplicated.
 */
export function redactResult(row: CheckResult, secrets: SecretRegistry): CheckResult {
  const copy = secrets.redactValues(row);
  return jsonEqual(copy, row) ? row : copy;
}

/** Everything of the report but its result rows passed through the secret registry; the rows are kept as they are. */
export function redactFrame(report: ConformanceReport, secrets: SecretRegistry): ConformanceReport {
  const { results, ...rest } = report;
  return { ...secrets.redactValues(rest), results };
}

/**
 * The report with every value (keys included) passed through the secret registry, as
 * `secrets.redactValues(report)` returns it, without copying the rows redaction leaves
 * unchanged. `runConformance` returns its report redacted this way, once, when the run is over:
 * rows are kept raw while the run goes on, so a secret registered late (a session id issued at
 * the end, a `psk` seen in a later answer) still reaches every row recorded before it.
 */
export function redactReport(report: ConformanceReport, secrets: SecretRegistry): ConformanceReport {
  return { ...redactFrame(report, secrets), results: report.results.map((r) => redactResult(r, secrets)) };
}

/**
 * Creates `dir` (and its missing parents) and proves it writable with a file written and removed
 * at once; throws the system error (its `code`: ENOTDIR, EACCES, EROFS, ENOENT, ...) otherwise.
 * One non-recursive mkdir per missing folder: Node's `mkdir(..., {recursive: true})` can loop
 * forever at 100% CPU on some file systems (a path under /proc), which must never happen here.
 */
export function ensureWritableDir(dir: string): string {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let cur = target; !existsSync(cur); cur = dirname(cur)) {
    missing.unshift(cur);
    if (dirname(cur) === cur) break;
  }
  for (const d of missing) mkdirSync(d);
  if (!statSync(target).isDirectory()) throw Object.assign(new Error(`${target} is not a folder`), { code: 'ENOTDIR' });
  const probe = join(target, `.sps-conformance-write-test-${process.pid}`);
  writeFileSync(probe, '');
  unlinkSync(probe);
  return target;
}

/**
 * Whether `file` can be written (created or replaced) without leaving anything behind; throws
 * the system error otherwise. The folder must exist (it is not created).
 */
export function ensureWritableFile(file: string): void {
  const target = resolve(file);
  if (existsSync(target)) {
    if (statSync(target).isDirectory()) throw Object.assign(new Error(`${target} is a folder`), { code: 'EISDIR' });
    writeFileSync(target, '', { flag: 'a' }); // opens it for writing, changes nothing
    return;
  }
  writeFileSync(target, '', { flag: 'wx' });
  unlinkSync(target);
}

/** Joins small pieces into writes of about 64 KiB. */
function* batched(chunks: Iterable<string>, size = 64 * 1024): Generator<string> {
  let buf = '';
  for (const c of chunks) {
    buf += c;
    if (buf.length >= size) {
      yield buf;
      buf = '';
    }
  }
  if (buf !== '') yield buf;
}

/**
 * Writes junit.xml, report.json and report.html into `dir`. The report of `runConformance` is
 * redacted already; given `secrets`, every value of the report passes the registry first (never
 * the rendered text, whose markup a secret like `<` or a one-character password would break). Each file is streamed as it is rendered, one result row
 * at a time: a run with tens of thousands of rows never holds a whole document in memory.
 */
export async function writeReports(report: ConformanceReport, dir: string, secrets?: SecretRegistry): Promise<string[]> {
  const target = ensureWritableDir(dir);
  const safe = secrets ? redactReport(report, secrets) : report;
  const files: Array<[string, (r: ConformanceReport) => Iterable<string>]> = [
    ['junit.xml', junitChunks],
    ['report.json', jsonChunks],
    ['report.html', htmlChunks],
  ];
  const written: string[] = [];
  for (const [name, chunks] of files) {
    const file = join(target, name);
    await pipeline(Readable.from(batched(chunks(safe))), createWriteStream(file, { encoding: 'utf8' }));
    written.push(file);
  }
  return written;
}
