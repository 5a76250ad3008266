/**
 * Documented fact or our reading, for a value that is validated against the spec: the full
 * document first, and only when that fails its vendor-only view (vendor-view.ts, compiled
 * lazily, once). A value that fails the full schema and passes the view breaks only a reading;
 * the reading's reason comes from the `x-sps-source` of the schema node that failed (or the
 * nearest one above it in the document).
 */
import { isObject } from '../shared/index.js';
import type { SpecModel } from './operations.js';
import { createDocumentValidator, type SchemaValidator } from './validate.js';
import { vendorOnlyView } from './vendor-view.js';

export type SourceKind = 'vendor' | 'client-code' | 'inference' | 'reading' | 'observed';

/**
 * The strength of a rule's evidence (docs/verdicts.md): `fact` (a vendor page or sample, the
 * vendor's SDK code that breaks without it): breaking it is a failure; `soft` (an inference, our
 * reading, or what discover observed on one appliance): a warning naming the source and the
 * reason, a failure with `--strict`.
 */
export type Strength = 'fact' | 'soft';

/** An `x-sps-source` (or an `x-sps-rules` entry). */
export interface Source {
  kind: SourceKind;
  /** For an inference or a reading: why it is implied / why it is ours. */
  reason?: string;
  /** For an inference: what it is inferred from. */
  from?: string;
  /** For a vendor source: the pages (URL) or seeds. */
  pages?: string[];
  /** For client-code: the SDKs and what their code shows. */
  sdks?: string[];
  shows?: string;
  /** For observed: the version and node it was seen on. */
  version?: string;
  node?: string;
}

export const strengthOf = (kind: SourceKind | undefined): Strength => (kind === undefined || kind === 'vendor' || kind === 'client-code' ? 'fact' : 'soft');

/** Whether a node's own `x-sps-source` is not a documented fact (an inference, a reading, an observation). */
export function isSoftSource(value: unknown): boolean {
  const s = asSource(value);
  return s !== undefined && strengthOf(s.kind) === 'soft';
}

/**
 * One line that names a source for a report row: `vendor page <links>`, `SafeguardJava code:
 * <what it shows>`, `inference from <what>: <why>`, `our reading: <why>`.
 */
export function describeSource(s: Source | undefined): string {
  if (!s) return 'the spec (no source marked)';
  const trim = (t: string | undefined) => (t ?? '').trim().replace(/\s+/g, ' ').replace(/\.$/, '');
  switch (s.kind) {
    case 'vendor':
      return `vendor ${s.pages && s.pages.length > 1 ? 'pages' : 'page'} ${(s.pages ?? []).join(', ') || '(not named)'}`;
    case 'client-code':
      return `${(s.sdks ?? []).join(', ') || 'SDK'} code: ${trim(s.shows)}`;
    case 'inference':
      return `inference from ${trim(s.from) || 'an unnamed source'}: ${trim(s.reason)}`;
    case 'reading':
      return `our reading: ${trim(s.reason) || 'a rule marked as our reading'}`;
    case 'observed':
      return `observed on ${s.node ?? 'a node'} (SPS ${s.version ?? 'unknown'}), not documented`;
  }
}

export interface Verdict {
  valid: boolean;
  /** The full document's problems (`<instance path>: <message>`). */
  errors: string[];
  /**
   * When invalid: what the broken rules rest on. A soft kind (`inference`, `reading`,
   * `observed`) when the vendor-only view (facts only) accepts the value; else `vendor` or
   * `client-code`.
   */
  basis?: SourceKind;
  /** For a soft basis: the broken soft rules, each described by {@link describeSource} (deduplicated). */
  readings: string[];
  /** The sources of the broken rules, described (every basis; for a fact: its pages or SDK code). */
  sources: string[];
}

export interface SpecJudge {
  /** The run's validator of the full document (shared with every other use in the run). */
  readonly full: SchemaValidator;
  /** Validates against the full document and, when that fails, against the vendor-only view. */
  judge(pointer: string, value: unknown): Verdict;
  /** A `x-sps-rules` entry of the node at `pointer` (undefined: the rule is not named there). */
  rule(pointer: string, name: string): Source | undefined;
  /** The source of the node at `pointer`: its own mark (next to a `$ref`: that use's), else its target's or the nearest above. */
  sourceAt(pointer: string): Source | undefined;
}

export function asSource(value: unknown): Source | undefined {
  if (!isObject(value)) return undefined;
  const kind = value.kind;
  if (kind !== 'vendor' && kind !== 'client-code' && kind !== 'inference' && kind !== 'reading' && kind !== 'observed') return undefined;
  const str = (k: string) => (typeof value[k] === 'string' ? { [k]: value[k] as string } : {});
  const list = (k: string) => (Array.isArray(value[k]) ? { [k]: (value[k] as unknown[]).filter((x): x is string => typeof x === 'string') } : {});
  return { kind, ...str('reason'), ...str('from'), ...str('shows'), ...str('version'), ...str('node'), ...list('pages'), ...list('sdks') } as Source;
}

/** Every object node of the document -> its own `x-sps-source`, or the nearest one above it. */
function effectiveSources(document: unknown): WeakMap<object, Source> {
  const out = new WeakMap<object, Source>();
  const walk = (node: unknown, inherited: Source | undefined, depth: number): void => {
    if (depth > 200 || typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item, inherited, depth + 1);
      return;
    }
    const own = asSource((node as Record<string, unknown>)['x-sps-source']) ?? inherited;
    if (own) out.set(node, own);
    for (const [k, v] of Object.entries(node)) if (k !== 'x-sps-source' && k !== 'x-sps-rules' && k !== 'examples' && k !== 'example') walk(v, own, depth + 1);
  };
  walk(document, undefined, 0);
  return out;
}

/** The judge of one run: `full` is the run's validator; the view is built and compiled on first need. */
export function createJudge(model: SpecModel, full: SchemaValidator): SpecJudge {
  let vendor: SchemaValidator | undefined;
  let sources: WeakMap<object, Source> | undefined;
  const sourceOf = (node: unknown): Source | undefined => {
    sources ??= effectiveSources(model.document);
    return isObject(node) ? sources.get(node) : undefined;
  };
  const self: SpecJudge = {
    full,
    judge(pointer, value) {
      const outcome = full.validate(pointer, value);
      if (outcome.valid) return { valid: true, errors: [], readings: [], sources: [] };
      vendor ??= createDocumentValidator(vendorOnlyView(model.document));
      const failing = (outcome.raw ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf').map((e) => sourceOf(e.parentSchema));
      if (vendor.validate(pointer, value).valid) {
        const soft = failing.filter((s): s is Source => s !== undefined && strengthOf(s.kind) === 'soft');
        const readings = [...new Set(soft.map(describeSource))];
        // The weakest named kind wins the label: a reading when any reading broke, else an inference.
        const basis: SourceKind =
          soft.length === 0 || soft.some((s) => s.kind === 'reading') ? 'reading' : soft.some((s) => s.kind === 'inference') ? 'inference' : 'observed';
        const described = readings.length > 0 ? readings : ['our reading: a rule marked as our reading'];
        return { valid: false, errors: outcome.errors, basis, readings: described, sources: described };
      }
      const facts = failing.filter((s) => strengthOf(s?.kind) === 'fact');
      const basis: SourceKind = facts.length > 0 && facts.every((s) => s?.kind === 'client-code') ? 'client-code' : 'vendor';
      const sources = [...new Set(facts.filter((s): s is Source => s !== undefined).map(describeSource))];
      return { valid: false, errors: outcome.errors, basis, readings: [], sources: sources.length > 0 ? sources : [describeSource(self.sourceAt(pointer))] };
    },
    sourceAt(pointer) {
      const raw = model.at(pointer);
      const own = isObject(raw) ? asSource(raw['x-sps-source']) : undefined;
      return own ?? sourceOf(model.deref(raw, pointer).value);
    },
    rule(pointer, name) {
      const node = model.at(pointer);
      return isObject(node) && isObject(node['x-sps-rules']) ? asSource(node['x-sps-rules'][name]) : undefined;
    },
  };
  return self;
}

/**
 * `breaks <source>, not a documented fact`: the start of a soft row's message. Each entry is a
 * described source (`our reading: ...`, `inference from ...: ...`); a bare reason is a reading.
 */
export function readingPhrase(readings: readonly string[]): string {
  const named = readings.map((r) => r.trim().replace(/\.$/, '')).map((r) => (/^(our reading|inference from|observed on)\b/.test(r) ? r : `our reading: ${r}`));
  return `breaks ${named.join(' / ')}, not a documented fact`;
}
