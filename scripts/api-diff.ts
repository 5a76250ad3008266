/**
 * The breaking-change gate: the bundle compared with the last released one
 * (`releases/<version>/sps-api.json`), every change classified by the compatibility policy of
 * CHANGELOG.md, and the version and the changelog checked against the largest change.
 *
 * The differ is `redocly diff` (experimental in @redocly/cli 2.x); its rule impacts are set in
 * the `diff:` section of redocly.yaml to our policy. What it lacks is added here:
 *   - `schema-removed`: a key of `components.schemas` removed or renamed is breaking (it is a
 *     type name of `sps-api.d.ts`); redocly calls it a patch;
 *   - `type-incompatible`: the type-level check (scripts/api-types-check.ts) of `sps-api.d.ts`
 *     against the released types, for what the spec diff misses: an operation whose types no
 *     longer fit and that no breaking finding of the diff names (nor, for a response, an added
 *     enum value, which the policy allows).
 *
 *   npx tsx scripts/api-diff.ts [revision.json]   prints the changes and the gate's verdict
 *
 * Exit: 0 the gate holds, 1 it does not, 2 the diff could not run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { typeCheck } from './api-types-check.js';
import { HTTP_METHODS, isHttpMethod } from '../src/shared/index.js';
import { readDocument } from '../src/shared/documents.js';

export type Impact = 'major' | 'minor' | 'patch';
const RANK: Record<Impact | 'none', number> = { none: 0, patch: 1, minor: 2, major: 3 };

export const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** One change as the gate sees it: one rule's finding, with every operation it reaches. */
export interface ApiChange {
  rule: string;
  impact: Impact;
  message: string;
  /** Where the change is in the document that has it (a JSON pointer, `#/components/schemas/X/...`). */
  location: string;
  /** operationIds (of the release for a removed operation), sorted. */
  operations: string[];
}

export interface ApiDiff {
  baseVersion: string;
  revisionVersion: string;
  /** Findings of rules, deduplicated by (rule, message, location). */
  changes: ApiChange[];
  /** Counts of the rule-less structural changes redocly rated (added, modified, removed nodes). */
  counts: Record<Impact, number>;
  /** The largest impact of all changes. */
  largest: Impact | 'none';
}

type Json = any;

interface RedoclyVerdict {
  ruleId: string;
  impact: Impact;
  message: string;
  location?: { pointer?: string };
}
interface RedoclyChange {
  path: string;
  kind: string;
  impact: Impact;
  verdicts: RedoclyVerdict[];
}

/** The newest release under releases/ not newer than `before` (or the newest of all). */
export function lastRelease(root: string, before?: string): string {
  const dir = join(root, 'releases');
  const versions = readdirSync(dir)
    .filter((v) => semver.valid(v) && existsSync(join(dir, v, 'sps-api.json')))
    .filter((v) => before === undefined || semver.lte(v, before))
    .sort(semver.rcompare);
  if (versions.length === 0) throw new Error(`releases/: no released bundle${before ? ` up to ${before}` : ''}`);
  return versions[0]!;
}

const unescapeToken = (s: string) => decodeURIComponent(s).replace(/~1/g, '/').replace(/~0/g, '~');

/** `#/paths/~1api~1x/get/...` -> the operationId in `doc` (or `GET /api/x` when it has none). */
function operationAt(pointer: string, ...docs: Json[]): string | undefined {
  const m = /^#\/paths\/([^/]+)\/([a-z]+)(?:\/|$)/.exec(pointer);
  if (!m || !isHttpMethod(m[2]!)) return undefined;
  const path = unescapeToken(m[1]!);
  for (const doc of docs) {
    const id = doc?.paths?.[path]?.[m[2]!]?.operationId;
    if (typeof id === 'string') return id;
  }
  return `${m[2]!.toUpperCase()} ${path}`;
}

/** Every operationId of `doc` whose operation reaches the component `target` (`#/components/<kind>/<name>`) through `$ref`s. */
function operationsUsing(doc: Json, target: string): string[] {
  const memo = new Map<string, boolean>();
  const reaches = (node: Json, seen: Set<string>): boolean => {
    if (Array.isArray(node)) return node.some((x) => reaches(x, seen));
    if (!node || typeof node !== 'object') return false;
    if (typeof node.$ref === 'string') {
      const ref: string = node.$ref;
      if (ref === target || ref.startsWith(`${target}/`)) return true;
      if (memo.has(ref)) return memo.get(ref)!;
      if (seen.has(ref) || !ref.startsWith('#/')) return false;
      seen.add(ref);
      const resolved = ref
        .slice(2)
        .split('/')
        .reduce((n: Json, k) => (n && typeof n === 'object' ? n[unescapeToken(k)] : undefined), doc);
      const r = reaches(resolved, seen);
      memo.set(ref, r);
      return r;
    }
    return Object.values(node).some((x) => reaches(x, seen));
  };
  const out: string[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {}))
    for (const m of HTTP_METHODS) if (item?.[m] && reaches(item[m], new Set())) out.push(item[m].operationId ?? `${m.toUpperCase()} ${path}`);
  return out.sort();
}

/** The `sps-api.d.ts` of each side, for the type-level check. */
export interface TypeFiles {
  base: string;
  revision: string;
}

/** Runs `redocly diff` with the policy of redocly.yaml and adds the gate's own rules (the type check when `types` is given). */
export function diffBundles(baseFile: string, revisionFile: string, root = repoRoot, types?: TypeFiles): ApiDiff {
  const base = readDocument(baseFile) as Json;
  const revision = readDocument(revisionFile) as Json;
  const tmp = mkdtempSync(join(tmpdir(), 'sps-diff-'));
  let report: { changes: RedoclyChange[] };
  try {
    const out = join(tmp, 'diff.json');
    try {
      execFileSync(
        join(root, 'node_modules', '.bin', 'redocly'),
        ['diff', baseFile, revisionFile, '--config', join(root, 'redocly.yaml'), '--format', 'json', '-o', out, '--fail-on', 'none', '--lint-config', 'off'],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
          env: { ...process.env, REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', REDOCLY_TELEMETRY: 'off' },
        },
      );
    } catch (err) {
      const e = err as { stderr?: string };
      throw new Error(
        `redocly diff failed: ${(e.stderr ?? String(err))
          .split('\n')
          .filter((l) => !/[║╔╚]/.test(l))
          .join('\n')
          .trim()}`,
      );
    }
    report = readDocument(out) as { changes: RedoclyChange[] };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const byKey = new Map<string, ApiChange>();
  const counts: Record<Impact, number> = { major: 0, minor: 0, patch: 0 };
  const add = (c: Omit<ApiChange, 'operations'>, op: string | undefined) => {
    const key = `${c.rule}\0${c.message}\0${c.location}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { ...c, operations: [] };
      byKey.set(key, entry);
    }
    if (op && !entry.operations.includes(op)) entry.operations.push(op);
  };
  for (const change of report.changes) {
    const op = operationAt(change.path, revision, base);
    if (change.verdicts.length === 0) {
      counts[change.impact]++;
      continue;
    }
    for (const v of change.verdicts) {
      if ((v.impact as string) === 'off') continue;
      add({ rule: v.ruleId, impact: v.impact, message: v.message, location: v.location?.pointer ?? change.path }, op);
    }
  }
  // What redocly lacks: a schema name is a type name of sps-api.d.ts.
  const baseSchemas = Object.keys(base.components?.schemas ?? {});
  const revSchemas = new Set(Object.keys(revision.components?.schemas ?? {}));
  for (const name of baseSchemas) {
    if (revSchemas.has(name)) continue;
    const entry: ApiChange = {
      rule: 'schema-removed',
      impact: 'major',
      message: `Schema \`${name}\` was removed or renamed (the type \`components['schemas']['${name}']\` of sps-api.d.ts).`,
      location: `#/components/schemas/${name}`,
      operations: operationsUsing(base, `#/components/schemas/${name}`),
    };
    byKey.set(`schema-removed\0${name}`, entry);
  }
  const released = new Set<string>();
  for (const [path, item] of Object.entries<Json>(base.paths ?? {}))
    for (const m of HTTP_METHODS) if (item?.[m]) released.add(item[m].operationId ?? `${m.toUpperCase()} ${path}`);
  // redocly names one path per finding in a shared component; a client breaks in every operation that uses it.
  for (const c of byKey.values()) {
    const m = /^#\/components\/[^/]+\/[^/]+/.exec(c.location);
    if (!m || c.rule === 'schema-removed') continue;
    // Only operations the release has: a new operation breaks no client.
    for (const doc of [revision, base]) for (const op of operationsUsing(doc, m[0])) if (released.has(op) && !c.operations.includes(op)) c.operations.push(op);
  }
  if (types) {
    const covered = new Set<string>();
    const enumAdded = new Set<string>();
    for (const c of byKey.values())
      for (const op of c.operations) (c.impact === 'major' ? covered : c.rule === 'enum-values-added' ? enumAdded : new Set<string>()).add(op);
    for (const f of typeCheck(root, types.base, types.revision, base, revision)) {
      if (covered.has(f.operation) || (f.side === 'response' && enumAdded.has(f.operation))) continue;
      const key = `type-incompatible\0${f.operation}\0${f.side}`;
      if (byKey.has(key)) continue;
      byKey.set(key, {
        rule: 'type-incompatible',
        impact: 'major',
        message: `The ${f.side}${f.status ? ` ${f.status}` : ''} type of \`${f.operation}\` in sps-api.d.ts no longer fits code written for ${String(base.info?.version)} (${f.message}).`,
        location: `sps-api.d.ts#operations/${f.operation}`,
        operations: [f.operation],
      });
    }
  }
  const changes = [...byKey.values()]
    .map((c) => ({ ...c, operations: c.operations.sort() }))
    .sort(
      (a, b) => RANK[b.impact] - RANK[a.impact] || a.rule.localeCompare(b.rule) || a.location.localeCompare(b.location) || a.message.localeCompare(b.message),
    );
  let largest: Impact | 'none' = 'none';
  for (const impact of [...changes.map((c) => c.impact), ...(Object.keys(counts) as Impact[]).filter((k) => counts[k] > 0)])
    if (RANK[impact] > RANK[largest]) largest = impact;
  return { baseVersion: String(base.info?.version), revisionVersion: String(revision.info?.version), changes, counts, largest };
}

/** The d.ts files next to the released bundle and to `revisionFile`, when both exist. */
export function typeFilesFor(baseVersion: string, revisionFile: string, root = repoRoot): TypeFiles | undefined {
  const base = join(root, 'releases', baseVersion, 'sps-api.d.ts');
  const revision = revisionFile.replace(/\.json$/, '.d.ts');
  return existsSync(base) && existsSync(revision) && revision !== revisionFile ? { base, revision } : undefined;
}

/**
 * The version a release with changes of `impact` must have after `base`. While the spec is 0.x
 * a breaking change bumps the minor version (CHANGELOG.md, "Compatibility policy"), and so does
 * an addition; from 1.0.0 on, breaking bumps the major.
 */
export function requiredVersion(base: string, impact: Impact | 'none'): string {
  if (impact === 'none') return base;
  const v = semver.parse(base);
  if (!v) throw new Error(`not a version: ${base}`);
  if (impact === 'major') return v.major === 0 ? `0.${v.minor + 1}.0` : `${v.major + 1}.0.0`;
  if (impact === 'minor') return `${v.major}.${v.minor + 1}.0`;
  return `${v.major}.${v.minor}.${v.patch + 1}`;
}

export const BLOCK = 'breaking-changes';
export const blockBegin = `<!-- generated: ${BLOCK} (npm run generate) -->`;
export const blockEnd = `<!-- end generated: ${BLOCK} -->`;

/** The generated list of breaking changes and the operations each affects (markdown). */
export function renderBreaking(diff: ApiDiff): string {
  const breaking = diff.changes.filter((c) => c.impact === 'major');
  const lines = [
    `Compared with ${diff.baseVersion} (\`releases/${diff.baseVersion}/sps-api.json\`) by \`redocly diff\` and the gate's own rules: ${breaking.length} breaking change${breaking.length === 1 ? '' : 's'}.`,
    '',
  ];
  for (const c of breaking) {
    const ops = c.operations.length === 0 ? 'no operation' : c.operations.map((o) => `\`${o}\``).join(', ');
    lines.push(`- \`${c.rule}\` at \`${c.location}\`: ${c.message.replace(/\n/g, ' ')} Operations (${c.operations.length}): ${ops}.`);
  }
  return lines.join('\n');
}

/** The text of the `## [version]` entry of a changelog. */
export function changelogEntry(changelog: string, version: string): string | undefined {
  const start = changelog.indexOf(`\n## [${version}]`);
  if (start < 0) return undefined;
  const next = changelog.indexOf('\n## ', start + 1);
  return changelog.slice(start, next < 0 ? undefined : next);
}

/** The changelog with the generated block of the `## [version]` entry rewritten (unchanged when it has no block). */
export function withBreakingBlock(changelog: string, version: string, diff: ApiDiff): string {
  const entry = changelogEntry(changelog, version);
  if (!entry) return changelog;
  const a = entry.indexOf(blockBegin);
  const b = entry.indexOf(blockEnd);
  if (a < 0 || b < a) return changelog;
  const fresh = `${entry.slice(0, a)}${blockBegin}\n${renderBreaking(diff)}\n${entry.slice(b)}`;
  return changelog.replace(entry, () => fresh);
}

export interface GateInput {
  diff: ApiDiff;
  specVersion: string;
  packageVersion: string;
  changelog: string;
}

/** Every reason the gate fails; empty when the version and the changelog match the diff. */
export function gateProblems({ diff, specVersion, packageVersion, changelog }: GateInput): string[] {
  const problems: string[] = [];
  const breaking = diff.changes.filter((c) => c.impact === 'major');
  const describe = (c: ApiChange) => `${c.rule}: ${c.message.replace(/\n/g, ' ')}${c.operations.length ? ` (${c.operations.join(', ')})` : ''}`;
  if (specVersion !== packageVersion) problems.push(`info.version ${specVersion} and the package version ${packageVersion} differ`);
  const required = requiredVersion(diff.baseVersion, diff.largest);
  if (semver.valid(specVersion) === null) problems.push(`info.version ${specVersion} is not a version`);
  else if (required !== specVersion) {
    const what = diff.largest === 'none' ? 'no change' : `${diff.largest === 'major' ? 'breaking' : diff.largest === 'minor' ? 'adding' : 'fixing'} changes`;
    const shown = (diff.largest === 'major' ? breaking : diff.changes.filter((c) => c.impact === diff.largest)).slice(0, 20).map((c) => `\n  - ${describe(c)}`);
    problems.push(
      `version bump required: ${diff.baseVersion} -> ${required} (${what} since ${diff.baseVersion}), but info.version is ${specVersion}${shown.join('')}`,
    );
  }
  if (breaking.length > 0 || specVersion !== diff.baseVersion) {
    const entry = changelogEntry(changelog, specVersion);
    if (!entry) problems.push(`CHANGELOG.md has no "## [${specVersion}]" entry`);
    else {
      const a = entry.indexOf(blockBegin);
      const b = entry.indexOf(blockEnd);
      if (a < 0 || b < a)
        problems.push(
          `CHANGELOG.md "## [${specVersion}]" lacks the generated list of breaking changes (${blockBegin} ... ${blockEnd}; npm run generate fills it)`,
        );
      else {
        const block = entry.slice(a, b);
        const missing = breaking.filter(
          (c) => !block.includes(`\`${c.rule}\` at \`${c.location}\`: ${c.message.replace(/\n/g, ' ')} Operations (${c.operations.length}):`),
        );
        for (const c of missing) problems.push(`CHANGELOG.md "## [${specVersion}]" does not declare the breaking change ${describe(c)} (run npm run generate)`);
        if (block.trim() !== `${blockBegin}\n${renderBreaking(diff)}`.trim() && missing.length === 0)
          problems.push(`CHANGELOG.md "## [${specVersion}]": the generated list of breaking changes is stale (run npm run generate)`);
      }
      if (breaking.length > 0 && !/\n### Breaking\n/.test(entry))
        problems.push(`CHANGELOG.md "## [${specVersion}]" has breaking changes but no "### Breaking" section saying what a client has to do`);
    }
  }
  return problems;
}

async function main(): Promise<void> {
  const revisionFile = resolve(process.argv[2] ?? join(repoRoot, 'generated', 'sps-api.json'));
  const revision = readDocument(revisionFile) as Json;
  const pkg = readDocument(join(repoRoot, 'package.json')) as { version: string };
  const baseVersion = lastRelease(repoRoot, semver.valid(revision.info.version) ? revision.info.version : undefined);
  const diff = diffBundles(join(repoRoot, 'releases', baseVersion, 'sps-api.json'), revisionFile, repoRoot, typeFilesFor(baseVersion, revisionFile));
  for (const c of diff.changes) console.log(`${c.impact.padEnd(5)} ${c.rule}: ${c.message.replace(/\n/g, ' ')} [${c.operations.length} operation(s)]`);
  console.log(
    `largest change: ${diff.largest}; structural changes without a rule: ${JSON.stringify(diff.counts)}; required version: ${requiredVersion(diff.baseVersion, diff.largest)}`,
  );
  const problems = gateProblems({
    diff,
    specVersion: String(revision.info.version),
    packageVersion: pkg.version,
    changelog: readFileSync(join(repoRoot, 'CHANGELOG.md'), 'utf8'),
  });
  for (const p of problems) console.error(`gate: ${p}`);
  if (problems.length) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  });
}
