/**
 * Restates the endpoint tables of the vendor inventory (`../shared/reference/vendor-inventory.md`,
 * section 3) as `tests/spec/vendor-inventory.json`, which the coverage test reads: one entry per
 * documented path with its section, the methods its own page names and the methods only the
 * guide's generic create/change/delete pages imply.
 *
 *   npx tsx scripts/inventory.ts [INVENTORY.md]
 *
 * The JSON is committed, so the tests do not depend on ../shared; run this again when the
 * inventory changes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface InventoryEntry {
  section: string;
  /** As the spec writes it: placeholders become `{}` (`/api/configuration/ssh/connections/{}`). */
  path: string;
  explicit: string[];
  generic: string[];
  versions: string;
}

/** `<id>`, `<session-id>`, `{nodeId}` -> `{}`, so the inventory and the spec compare by shape. */
export const pathShape = (p: string): string => p.replace(/<[^>]+>|\{[^}]+\}/g, '{}').replace(/\/$/, '');

export function parseInventory(markdown: string): InventoryEntry[] {
  const out: InventoryEntry[] = [];
  let section = '';
  const full = markdown.slice(markdown.indexOf('## 3. Full inventory'), markdown.indexOf('## 4.'));
  for (const line of full.split('\n')) {
    const heading = /^### (.+)$/.exec(line);
    if (heading) section = heading[1]!.trim();
    const row = /^\| `([^`]+)` \| ([^|]+) \|(?:[^|]*\|){4}([^|]*)\|/.exec(line);
    if (!row || !section) continue;
    const [, path, methods, versions] = row as unknown as [string, string, string, string];
    const generic = [...methods.matchAll(/\(\+([A-Z,]+)\)/g)].flatMap((m) => m[1]!.split(','));
    const explicit = methods
      .replace(/\(\+[A-Z,]+\)/g, '')
      .split(/[,\s]+/)
      .filter((m) => /^[A-Z]+$/.test(m));
    out.push({ section, path: pathShape(path), explicit, generic, versions: versions.trim() });
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = resolve(process.argv[2] ?? join(root, '../shared/reference/vendor-inventory.md'));
  const entries = parseInventory(readFileSync(src, 'utf8'));
  const out = join(root, 'tests/spec/vendor-inventory.json');
  writeFileSync(out, `${JSON.stringify({ source: 'shared/reference/vendor-inventory.md, section 3 (npx tsx scripts/inventory.ts)', entries }, null, 2)}\n`);
  console.log(`${out}: ${entries.length} paths in ${new Set(entries.map((e) => e.section)).size} sections`);
}
