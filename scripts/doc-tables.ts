/**
 * Tables in docs/ that code can produce are written by code, not pasted: each lives between
 *   <!-- generated: NAME (npm run generate) -->
 *   <!-- end generated: NAME -->
 * in its file. `npm run generate` rewrites them; `npm run generate:check` fails when one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksTable, probesTable } from '../src/conformance/checks/index.js';
import { switchesTable } from '../src/simulator/catalogue.js';

export interface DocTable {
  name: string;
  /** Relative to the repository root. */
  file: string;
  render(): string;
}

export const DOC_TABLES: DocTable[] = [
  { name: 'checks', file: 'docs/conformance.md', render: checksTable },
  { name: 'probes', file: 'docs/conformance.md', render: probesTable },
  { name: 'switches', file: 'docs/simulator.md', render: switchesTable },
];

const begin = (name: string) => `<!-- generated: ${name} (npm run generate) -->`;
const end = (name: string) => `<!-- end generated: ${name} -->`;

/** `text` with the block of `table` replaced by a fresh rendering; throws when the markers are missing. */
export function withTable(text: string, table: DocTable): string {
  const a = text.indexOf(begin(table.name));
  const b = text.indexOf(end(table.name));
  if (a < 0 || b < a)
    throw new Error(`${table.file}: the markers of the generated table "${table.name}" are missing (${begin(table.name)} ... ${end(table.name)})`);
  return `${text.slice(0, a)}${begin(table.name)}\n${table.render()}\n${text.slice(b)}`;
}

/** Rewrites (or with `check`, only compares) every generated table; returns the stale files. */
export function updateDocTables(root: string, check: boolean): string[] {
  const stale: string[] = [];
  for (const table of DOC_TABLES) {
    const path = join(root, table.file);
    const text = readFileSync(path, 'utf8');
    const fresh = withTable(text, table);
    if (fresh === text) continue;
    stale.push(`${table.file} (${table.name})`);
    if (!check) writeFileSync(path, fresh);
  }
  return stale;
}
