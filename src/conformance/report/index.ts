import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SecretRegistry } from '../../redact.js';
import type { ConformanceReport } from './model.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';

export { renderHtml } from './html.js';
export { renderJson } from './json.js';
export { renderJunit } from './junit.js';
export { createProgressPrinter, renderSummary, verdictLine } from './console.js';

export const REPORT_FILES = ['junit.xml', 'report.json', 'report.html'] as const;

/**
 * Writes junit.xml, report.json and report.html into `dir`. Every value of the report passes the
 * secret registry before rendering (never the rendered text, whose markup a secret like `<` or a
 * one-character password would break).
 */
export async function writeReports(report: ConformanceReport, dir: string, secrets: SecretRegistry): Promise<string[]> {
  const target = resolve(dir);
  await mkdir(target, { recursive: true });
  const safe = secrets.redactValues(report);
  const files: Array<[string, string]> = [
    ['junit.xml', renderJunit(safe)],
    ['report.json', renderJson(safe)],
    ['report.html', renderHtml(safe)],
  ];
  const written: string[] = [];
  for (const [name, text] of files) {
    const file = join(target, name);
    await writeFile(file, text, 'utf8');
    written.push(file);
  }
  return written;
}
