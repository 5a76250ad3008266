/**
 * The check registry: the one list of checks. Everything that names checks is derived from it:
 * the report order, the probes to plan, the mock skip reasons (the probes' `mockSkip`), the
 * former names `--only`/`--skip` still accept, `--help` and the checks and probes tables of
 * docs/conformance.md. Adding a check: one file `checks/<file>.ts` (the check name with `-` for
 * `_`) exporting a {@link CheckDefinition}, its test beside it (`checks/<file>.test.ts`), one
 * line here (CONTRIBUTING.md, "Adding a check").
 */
import type { CheckDefinition, CheckName, ProbeDefinition, ProbeKind } from '../check-api.js';
import { accessControl } from './access-control.js';
import { authFailure } from './auth-failure.js';
import { authRequired } from './auth-required.js';
import { clusterFacts } from './cluster-facts.js';
import { collectionRoundtrip } from './collection-roundtrip.js';
import { contentType } from './content-type.js';
import { errorBody } from './error-body.js';
import { invalidWrite } from './invalid-write.js';
import { metaLinks } from './meta-links.js';
import { notFound } from './not-found.js';
import { pagination } from './pagination.js';
import { responseHeaders } from './response-headers.js';
import { responseSchema } from './response-schema.js';
import { statusCode } from './status-code.js';
import { undocumentedProperties } from './undocumented-properties.js';
import { writeRoundtrip } from './write-roundtrip.js';

export { findUndocumented } from './undocumented-properties.js';
export { setsCookie } from './auth-failure.js';
export { clusterFactRows } from './cluster-facts.js';

/** Every check, in report order. */
export const CHECKS: readonly CheckDefinition[] = [
  statusCode,
  contentType,
  responseSchema,
  metaLinks,
  errorBody,
  authRequired,
  authFailure,
  notFound,
  undocumentedProperties,
  responseHeaders,
  clusterFacts,
  pagination,
  writeRoundtrip,
  collectionRoundtrip,
  invalidWrite,
  accessControl,
];

export const CHECK_NAMES: readonly CheckName[] = CHECKS.map((c) => c.name);

/** Former check name -> current name. */
export const FORMER_NAMES: ReadonlyMap<string, CheckName> = new Map(CHECKS.flatMap((c) => (c.formerNames ?? []).map((f) => [f, c.name] as const)));

export function checkNamed(name: string): CheckDefinition | undefined {
  return CHECKS.find((c) => c.name === name);
}

/** Every probe some check lists, each once, in probe order. */
export function probesOf(checks: readonly CheckDefinition[]): ProbeDefinition[] {
  const byKind = new Map<ProbeKind, ProbeDefinition>();
  for (const c of checks) for (const p of c.probes) byKind.set(p.kind, p);
  return [...byKind.values()].sort((a, b) => a.order - b.order);
}

/** The check that reports on a probe when it is not sent (skipped, node given up): the first that lists it. */
export function probeOwner(kind: ProbeKind): CheckName {
  return (CHECKS.find((c) => c.probes.some((p) => p.kind === kind)) ?? statusCode).name;
}

/** The checks paragraph of `--help`. */
export function checksHelp(): string {
  const width = Math.max(...CHECK_NAMES.map((n) => n.length));
  // The statement up to its first sentence or clause, without code marks and parentheses.
  const short = (passes: string): string =>
    passes
      .replace(/`/g, '')
      .replace(/ \([^()]*\)/g, '')
      .split(/[.;] /)[0]!;
  const lines = CHECKS.map((c) => `  ${c.name.padEnd(width)}  ${short(c.passes)}`);
  const former = [...FORMER_NAMES].map(([old, now]) => `${old} (now ${now})`).join(', ');
  return `Checks (passes when ...; the README has the whole statement):\n${lines.join('\n')}\nFormer names, still accepted with a warning: ${former}.`;
}

/** The checks table of docs/conformance.md (written by npm run generate; tests/conformance/registry.test.ts keeps it equal). */
export function checksTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return ['| check | passes when | mock |', '| --- | --- | --- |', ...CHECKS.map((c) => `| \`${c.name}\` | ${cell(c.passes)} | ${cell(c.mock)} |`)].join('\n');
}

/**
 * The probes table of docs/conformance.md (written by npm run generate): every probe kind a check
 * lists, what is sent, the checks that look at it and where it is defined: `check-api.ts` for a
 * probe several checks look at, else the file of its one check.
 */
export function probesTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const rows = probesOf(CHECKS).map((p) => {
    const checks = CHECKS.filter((c) => c.probes.some((q) => q.kind === p.kind)).map((c) => c.name);
    const where = checks.length === 1 ? `checks/${checks[0]!.replaceAll('_', '-')}.ts` : 'check-api.ts';
    return `| \`${p.kind}\` | ${cell(p.label)} | ${checks.map((c) => `\`${c}\``).join(', ')} | \`${where}\` | ${cell(p.mockSkip ?? 'sent')} |`;
  });
  return ['| probe | what is sent | checks that look at it | defined in | mock |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
