/**
 * CHANGELOG.md keeps up with the spec: it has an entry for the spec's version (which is also
 * the package version), and it names every operation and every schema that the spec has, so
 * that adding one without a changelog line fails here.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HTTP_METHODS } from '../../src/shared/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const changelog = readFileSync(`${root}CHANGELOG.md`, 'utf8');
const spec = JSON.parse(readFileSync(`${root}generated/sps-api.json`, 'utf8')) as {
  info: { version: string };
  paths: Record<string, Record<string, { operationId?: string }>>;
  components: { schemas: Record<string, unknown> };
};
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };

const operationIds = Object.values(spec.paths).flatMap((item) => HTTP_METHODS.flatMap((m) => (item[m]?.operationId ? [item[m].operationId] : [])));

/** The text of one `## [version]` entry. */
function entry(version: string): string | undefined {
  const start = changelog.indexOf(`\n## [${version}]`);
  if (start < 0) return undefined;
  const next = changelog.indexOf('\n## [', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

describe('CHANGELOG.md', () => {
  it('has an entry for the spec version, which is the package version', () => {
    expect(pkg.version).toBe(spec.info.version);
    expect(entry(spec.info.version)).toBeDefined();
  });

  it('names every operationId of the spec', () => {
    expect(operationIds.length).toBeGreaterThan(0);
    expect(operationIds.filter((id) => !changelog.includes(`\`${id}\``))).toEqual([]);
  });

  it('names every schema of the spec', () => {
    const names = Object.keys(spec.components.schemas);
    expect(names.filter((n) => !changelog.includes(`\`${n}\``))).toEqual([]);
  });

  it('states the breaking-change policy for operationIds and fields', () => {
    const policy = changelog.slice(changelog.indexOf('## Compatibility policy'), changelog.indexOf('\n## ['));
    expect(policy).toMatch(/renaming an `operationId`/);
    expect(policy).toMatch(/removing a field/);
  });
});
