/**
 * The per-release-line bundles of generated/ (scripts/generate.ts): each holds exactly the
 * operations whose `x-sps-versions` admit its line (checked here with semver directly, not with
 * the versionView that wrote them), every `$ref` in it resolves, properties of other releases
 * are gone, and the package exports each.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS } from '../../src/shared/index.js';

type Json = any;
const root = fileURLToPath(new URL('../../', import.meta.url));
const gen = join(root, 'generated');
const full = JSON.parse(readFileSync(join(gen, 'sps-api.json'), 'utf8')) as Json;
const lines = readdirSync(gen)
  .map((f) => /^sps-api-(\d+\.x)\.json$/.exec(f)?.[1])
  .filter((l): l is string => l !== undefined)
  .sort();
const bundle = (line: string) => JSON.parse(readFileSync(join(gen, `sps-api-${line}.json`), 'utf8')) as Json;

function operations(doc: Json): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, item] of Object.entries<Json>(doc.paths))
    for (const m of HTTP_METHODS) if (item[m]) out.set(`${m.toUpperCase()} ${path}`, item[m]['x-sps-versions']);
  return out;
}
const admits = (range: string, line: string) => semver.intersects(semver.validRange(range, { loose: true })!, line, { includePrerelease: true });

describe('per-release-line bundles', () => {
  it('one per major that x-sps-versions names, at least 6.x and 7.x', () => {
    const majors = new Set<string>();
    for (const range of operations(full).values()) for (const m of range.matchAll(/(\d+)\.\d+/g)) majors.add(`${m[1]}.x`);
    expect(lines).toEqual([...majors].sort());
    expect(lines).toEqual(expect.arrayContaining(['6.x', '7.x']));
    for (const line of lines) for (const ext of ['yaml', 'd.ts']) expect(existsSync(join(gen, `sps-api-${line}.${ext}`))).toBe(true);
  });

  it('each holds exactly the operations whose versions admit its line', () => {
    const all = operations(full);
    for (const line of lines) {
      const expected = [...all]
        .filter(([, range]) => admits(range, line))
        .map(([k]) => k)
        .sort();
      expect([...operations(bundle(line)).keys()].sort(), line).toEqual(expected);
      expect(expected.length).toBeLessThan(all.size + 1);
    }
  });

  it('6.x and 7.x differ exactly in the operations whose versions differ', () => {
    const six = operations(bundle('6.x'));
    const seven = operations(bundle('7.x'));
    const onlySix = [...six.keys()].filter((k) => !seven.has(k)).sort();
    const onlySeven = [...seven.keys()].filter((k) => !six.has(k)).sort();
    const all = operations(full);
    expect(onlySix).toEqual(
      [...all]
        .filter(([, r]) => admits(r, '6.x') && !admits(r, '7.x'))
        .map(([k]) => k)
        .sort(),
    );
    expect(onlySeven).toEqual(
      [...all]
        .filter(([, r]) => !admits(r, '6.x') && admits(r, '7.x'))
        .map(([k]) => k)
        .sort(),
    );
    expect(onlySix.length + onlySeven.length).toBeGreaterThan(0);
  });

  it('every $ref of each bundle resolves, and it names its line', () => {
    for (const line of lines) {
      const doc = bundle(line);
      expect(doc.info['x-sps-release-line']).toBe(line);
      expect(doc.info.version).toBe(full.info.version);
      const broken: string[] = [];
      const walk = (n: Json): void => {
        if (Array.isArray(n)) n.forEach(walk);
        else if (n && typeof n === 'object')
          for (const [k, v] of Object.entries<Json>(n)) {
            if (k === '$ref' && typeof v === 'string') {
              const target = v
                .slice(2)
                .split('/')
                .reduce((x: Json, s) => x?.[s.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
              if (target === undefined) broken.push(v);
            } else walk(v);
          }
      };
      walk(doc);
      expect(broken, line).toEqual([]);
    }
  });

  it('a property of other releases only is gone from a line (x-sps-versions on properties)', () => {
    const found: Array<[string, string, string]> = [];
    for (const [name, schema] of Object.entries<Json>(full.components.schemas))
      for (const [prop, s] of Object.entries<Json>(schema.properties ?? {}))
        if (typeof s?.['x-sps-versions'] === 'string') found.push([name, prop, s['x-sps-versions']]);
    expect(found.length).toBeGreaterThan(0);
    for (const line of lines) {
      const doc = bundle(line);
      for (const [name, prop, range] of found) {
        const schema = doc.components.schemas?.[name];
        if (!schema) continue;
        expect(prop in (schema.properties ?? {}), `${line} ${name}.${prop} (${range})`).toBe(admits(range, line));
      }
    }
  });

  it('the package exports each line: spec/<line>.json, spec/<line>.yaml, types/<line>', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, Json>; files: string[] };
    const target = (sub: string): string | undefined => {
      for (const [key, value] of Object.entries(pkg.exports)) {
        if (!key.includes('*')) continue;
        const [pre, post] = key.split('*') as [string, string];
        if (sub.startsWith(pre) && sub.endsWith(post)) {
          const star = sub.slice(pre.length, sub.length - post.length);
          const v = typeof value === 'string' ? value : value.types;
          return (v as string).replace('*', star).replace(/^\.\//, '');
        }
      }
      return undefined;
    };
    for (const line of lines) {
      expect(target(`./spec/${line}.json`)).toBe(`generated/sps-api-${line}.json`);
      expect(target(`./spec/${line}.yaml`)).toBe(`generated/sps-api-${line}.yaml`);
      expect(target(`./types/${line}`)).toBe(`generated/sps-api-${line}.d.ts`);
    }
  });
});
