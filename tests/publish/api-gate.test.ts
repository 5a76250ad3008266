/**
 * The breaking-change gate (scripts/api-diff.ts, CHANGELOG.md "Compatibility policy").
 *
 * First on scratch copies of the last released bundle, each with one change a consuming team
 * would notice, then on the real bundle: generated/sps-api.json against releases/<last>/, the
 * version of the spec and the package, and CHANGELOG.md's declaration of every breaking change.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import openapiTS, { astToString } from 'openapi-typescript';
import {
  type ApiDiff,
  blockBegin,
  blockEnd,
  diffBundles,
  gateProblems,
  lastRelease,
  renderBreaking,
  repoRoot,
  requiredVersion,
  typeFilesFor,
} from '../../scripts/api-diff.js';
import { typeCheck } from '../../scripts/api-types-check.js';

type Json = any;
const work = mkdtempSync(join(tmpdir(), 'sps-gate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const released = lastRelease(repoRoot);
const baseFile = join(repoRoot, 'releases', released, 'sps-api.json');
const baseText = readFileSync(baseFile, 'utf8');

/** The diff of the release against a copy changed by `edit`. */
function scratch(name: string, edit: (doc: Json) => void): ApiDiff {
  const doc = JSON.parse(baseText) as Json;
  edit(doc);
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return diffBundles(baseFile, file);
}

const major = (d: ApiDiff) => d.changes.filter((c) => c.impact === 'major');
const gate = (diff: ApiDiff, version: string, changelog = '') => gateProblems({ diff, specVersion: version, packageVersion: version, changelog });
const next = requiredVersion(released, 'major');

describe('requiredVersion (0.x: breaking bumps the minor; from 1.0.0 the major)', () => {
  it('bumps by the largest change', () => {
    expect(requiredVersion('0.1.0', 'major')).toBe('0.2.0');
    expect(requiredVersion('0.1.3', 'minor')).toBe('0.2.0');
    expect(requiredVersion('0.1.3', 'patch')).toBe('0.1.4');
    expect(requiredVersion('1.4.2', 'major')).toBe('2.0.0');
    expect(requiredVersion('1.4.2', 'minor')).toBe('1.5.0');
    expect(requiredVersion('1.4.2', 'none')).toBe('1.4.2');
  });
});

describe('the gate on scratch copies of the released bundle', () => {
  it('an unchanged copy needs no bump and passes at the released version', () => {
    const d = scratch('same', () => {});
    expect(d.changes).toEqual([]);
    expect(d.largest).toBe('none');
    expect(gate(d, released)).toEqual([]);
  }, 60_000);

  it('a renamed operationId is breaking: names the operation and the required version', () => {
    const d = scratch('opid', (doc) => {
      doc.paths['/api/configuration/datetime/timezone'].get.operationId = 'readTimezone';
    });
    expect(major(d).map((c) => c.rule)).toContain('operation-id-changed');
    const c = major(d).find((x) => x.rule === 'operation-id-changed')!;
    expect(c.message).toContain('getTimezone');
    const problems = gate(d, released);
    expect(problems.join('\n')).toContain(`version bump required: ${released} -> ${next}`);
    expect(problems.join('\n')).toContain('getTimezone');
  }, 60_000);

  it('a renamed schema is breaking (a type name of sps-api.d.ts), with the operations that use it', () => {
    const d = scratch('schema', (doc) => {
      const s = doc.components.schemas;
      s.NtpServerEntry = s.NtpServer;
      delete s.NtpServer;
      const text = JSON.stringify(doc).replaceAll('"#/components/schemas/NtpServer"', '"#/components/schemas/NtpServerEntry"');
      Object.assign(doc, JSON.parse(text));
    });
    const c = major(d).find((x) => x.rule === 'schema-removed');
    expect(c?.message).toContain('`NtpServer`');
    expect(c?.operations).toEqual(expect.arrayContaining(['getNtpServers', 'updateNtpServers']));
    expect(gate(d, released).join('\n')).toContain(`-> ${next}`);
  }, 60_000);

  it('a removed response status is breaking', () => {
    const d = scratch('status', (doc) => {
      delete doc.paths['/api/configuration/datetime/timezone'].get.responses['404'];
    });
    const c = major(d).find((x) => x.rule === 'response-removed');
    expect(c?.operations).toEqual(['getTimezone']);
    expect(c?.message).toContain('404');
    expect(gate(d, released).join('\n')).toContain(`version bump required: ${released} -> ${next}`);
  }, 60_000);

  it('a removed property is breaking, in every operation whose schema has it', () => {
    const d = scratch('property', (doc) => {
      delete doc.components.schemas.HealthStatus.properties.swap;
    });
    const c = major(d).find((x) => x.rule === 'property-removed');
    expect(c?.message).toContain('swap');
    expect(c?.operations.length).toBeGreaterThan(0);
    const problems = gate(d, released);
    expect(problems.join('\n')).toContain(`-> ${next}`);
    expect(problems.join('\n')).toContain('swap');
  }, 60_000);

  it('an added operation needs only a minor bump', () => {
    const d = scratch('added-op', (doc) => {
      doc.paths['/api/scratch'] = { get: { operationId: 'getScratch', summary: 'x', responses: { 200: { description: 'ok' } } } };
    });
    expect(major(d)).toEqual([]);
    expect(d.largest).toBe('minor');
    expect(gate(d, released).join('\n')).toContain(`version bump required: ${released} -> ${requiredVersion(released, 'minor')} (adding changes`);
  }, 60_000);

  it('a new enum value in a response needs only a minor bump', () => {
    const d = scratch('enum', (doc) => {
      doc.components.schemas.ClusterRole.enum.push('observer');
    });
    expect(d.changes.some((c) => c.rule === 'enum-values-added' && c.impact === 'minor')).toBe(true);
    expect(major(d)).toEqual([]);
    expect(d.largest).toBe('minor');
  }, 60_000);

  it('after the bump, the changelog must hold the generated list of each breaking change and its operations', () => {
    const d = scratch('declared', (doc) => {
      doc.paths['/api/configuration/datetime/timezone'].get.operationId = 'readTimezone';
    });
    const bare = `## [${next}]\n\n### Changed\n\n- something\n`;
    const missing = gate(d, next, `x\n${bare}`);
    expect(missing.join('\n')).toContain('lacks the generated list of breaking changes');
    expect(missing.join('\n')).toContain('no "### Breaking" section');
    const declared = `x\n## [${next}]\n\n### Breaking\n\n- getTimezone is now readTimezone.\n\n${blockBegin}\n${renderBreaking(d)}\n${blockEnd}\n`;
    expect(gate(d, next, declared)).toEqual([]);
    // A block written for another diff does not declare this one.
    const other = declared.replace(/getTimezone/g, 'getNtpServers');
    expect(gate(d, next, other).join('\n')).toContain('does not declare the breaking change operation-id-changed');
  }, 60_000);
});

describe('the type-level check of sps-api.d.ts', () => {
  it('names the operations whose response type no longer fits code written for the release', async () => {
    const base = JSON.parse(baseText) as Json;
    const changed = JSON.parse(baseText) as Json;
    changed.components.schemas.HealthStatus.properties.memory.type = 'string';
    const dts = async (doc: Json, name: string) => {
      const file = join(work, `${name}.d.ts`);
      writeFileSync(file, astToString(await openapiTS(doc, { alphabetize: false, exportType: false })));
      return file;
    };
    const findings = typeCheck(repoRoot, await dts(base, 'types-base'), await dts(changed, 'types-changed'), base, changed);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.side === 'response')).toBe(true);
    expect(findings.map((f) => f.operation)).toEqual(expect.arrayContaining(['getClusterNodeStatus']));
    expect(findings[0]!.message).toMatch(/^TS\d+/);
    // The unchanged types fit.
    expect(typeCheck(repoRoot, await dts(base, 'types-base2'), await dts(JSON.parse(baseText), 'types-same'), base, base)).toEqual([]);
  }, 180_000);
});

describe('the gate on the real bundle', () => {
  it(`generated/sps-api.json against releases/: version, package version and CHANGELOG.md match the largest change`, () => {
    const spec = JSON.parse(readFileSync(join(repoRoot, 'generated', 'sps-api.json'), 'utf8')) as Json;
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const base = lastRelease(repoRoot, spec.info.version);
    const revision = join(repoRoot, 'generated', 'sps-api.json');
    const types = typeFilesFor(base, revision);
    expect(types).toBeDefined();
    const diff = diffBundles(join(repoRoot, 'releases', base, 'sps-api.json'), revision, repoRoot, types);
    const problems = gateProblems({
      diff,
      specVersion: spec.info.version,
      packageVersion: pkg.version,
      changelog: readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'),
    });
    expect(problems).toEqual([]);
  }, 480_000);
});
