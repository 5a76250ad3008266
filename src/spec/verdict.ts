/**
 * Documented fact or our reading, for a value that is validated against the spec: the full
 * document first, and only when that fails its vendor-only view (vendor-view.ts, compiled
 * lazily, once). A value that fails the full schema and passes the view breaks only a reading;
 * the reading's reason comes from the `x-sps-source` of the schema node that failed (or the
 * nearest one above it in the document).
 */
import { isObject } from '../shared/index.js';
import type { SpecModel } from './model.js';
import { createDocumentValidator, type SchemaValidator } from './validate.js';
import { vendorOnlyView } from './vendor-view.js';

export type SourceKind = 'vendor' | 'client-code' | 'reading';

/** An `x-sps-source` (or an `x-sps-rules` entry). */
export interface Source {
  kind: SourceKind;
  /** For a reading: why it is ours. */
  reason?: string;
}

export interface Verdict {
  valid: boolean;
  /** The full document's problems (`<instance path>: <message>`). */
  errors: string[];
  /** When invalid: `reading` (the vendor-only view accepts it), else what the broken rules rest on. */
  basis?: SourceKind;
  /** For `basis: 'reading'`: the reasons of the readings that were broken (deduplicated). */
  readings: string[];
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
  if (kind !== 'vendor' && kind !== 'client-code' && kind !== 'reading') return undefined;
  return { kind, ...(typeof value.reason === 'string' ? { reason: value.reason } : {}) };
}

/** Every object node of the document -> its own `x-sps-source`, or the nearest one above it. */
function effectiveSources(document: unknown): WeakMap<object, Source> {
  const out = new WeakMap<object, Source>();
  const walk = (node: unknown, inherited: Source | undefined, depth: number): void => {
    if (depth > 200 || (typeof node !== 'object' || node === null)) return;
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
  return {
    full,
    judge(pointer, value) {
      const outcome = full.validate(pointer, value);
      if (outcome.valid) return { valid: true, errors: [], readings: [] };
      vendor ??= createDocumentValidator(vendorOnlyView(model.document));
      const failing = (outcome.raw ?? []).filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf').map((e) => sourceOf(e.parentSchema));
      if (vendor.validate(pointer, value).valid) {
        const readings = [...new Set(failing.filter((s) => s?.kind === 'reading').map((s) => s!.reason ?? 'a rule marked as our reading'))];
        return { valid: false, errors: outcome.errors, basis: 'reading', readings: readings.length > 0 ? readings : ['a rule marked as our reading'] };
      }
      const facts = failing.filter((s) => s?.kind !== 'reading');
      const basis: SourceKind = facts.length > 0 && facts.every((s) => s?.kind === 'client-code') ? 'client-code' : 'vendor';
      return { valid: false, errors: outcome.errors, basis, readings: [] };
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
}

/** `breaks our reading: <reason>, not a documented fact`: the start of a readings-only message. */
export function readingPhrase(readings: readonly string[]): string {
  return `breaks our reading: ${readings.map((r) => r.trim().replace(/\.$/, '')).join(' / ')}, not a documented fact`;
}
