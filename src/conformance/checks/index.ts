/**
 * The check registry: the one list of checks. Everything that names checks is derived from it:
 * the report order, the probes to plan, the mock skip reasons (the probes' `mockSkip`), the
 * former names `--only`/`--skip` still accept, `--help` and the README's checks table.
 * Adding a check: one file `checks/<name>.ts` exporting a {@link CheckDefinition}, one line here.
 */
import type { CheckDefinition, CheckName, ProbeDefinition, ProbeKind } from '../check-api.js';
import { accessControl } from './access_control.js';
import { authFailure } from './auth_failure.js';
import { authRequired } from './auth_required.js';
import { clusterFacts } from './cluster_facts.js';
import { collectionRoundtrip } from './collection_roundtrip.js';
import { contentType } from './content_type.js';
import { drift } from './drift.js';
import { errorBody } from './error_body.js';
import { invalidWrite } from './invalid_write.js';
import { metaLinks } from './meta_links.js';
import { notFound } from './not_found.js';
import { pagination } from './pagination.js';
import { responseHeaders } from './response_headers.js';
import { responseSchema } from './response_schema.js';
import { statusCode } from './status_code.js';
import { writeRoundtrip } from './write_roundtrip.js';

export { findUndocumented } from './drift.js';
export { setsCookie } from './auth_failure.js';
export { clusterFactRows } from './cluster_facts.js';

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
  drift,
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

/** The README's checks table (tests/conformance/registry.test.ts keeps the README equal to it). */
export function checksTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return ['| check | passes when | mock |', '| --- | --- | --- |', ...CHECKS.map((c) => `| \`${c.name}\` | ${cell(c.passes)} | ${cell(c.mock)} |`)].join('\n');
}
