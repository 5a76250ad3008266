/**
 * A JSON Schema inferred from sampled bodies, and an example with the samples' structure and
 * types but placeholder values. Types only: `required` lists the properties present in every
 * sample, no enums, formats or bounds are invented, and unlisted properties stay allowed.
 * Objects whose keys are ids (a map of instances) get one `additionalProperties` schema.
 * Every string of the example is a placeholder and every number is 0: an appliance's values
 * (host names, users, keys, hashes, customers' data) never reach a draft.
 */
import { isObject } from '../shared/index.js';
import { isIdLike } from './crawl.js';

export type Schema = Record<string, unknown>;

type Kind = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** An object used as a map from ids to instances rather than a record with named fields. */
function isIdMap(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o).filter((k) => !k.startsWith('@'));
  return keys.length >= 1 && keys.every((k) => isIdLike(k) || /[.@:]/.test(k));
}

/** SPS's `@order`-style keys stay named properties of an id map. */
const isMetaKey = (k: string): boolean => k.startsWith('@');

export function inferSchema(samples: unknown[]): Schema {
  const kinds = new Set<Kind>(samples.map(kindOf));
  if (kinds.has('integer') && kinds.has('number')) kinds.delete('integer');
  const types = [...kinds].sort();
  if (types.length === 0) return {};
  const schema: Schema = { type: types.length === 1 ? types[0] : types };
  if (kinds.has('object')) {
    const objects = samples.filter(isObject);
    if (objects.some(isIdMap)) {
      const named = [...new Set(objects.flatMap((o) => Object.keys(o).filter(isMetaKey)))].sort();
      if (named.length > 0) {
        schema.properties = Object.fromEntries(named.map((n) => [n, inferSchema(objects.filter((o) => n in o).map((o) => o[n]))]));
      }
      schema.additionalProperties = inferSchema(
        objects.flatMap((o) =>
          Object.entries(o)
            .filter(([k]) => !isMetaKey(k))
            .map(([, v]) => v),
        ),
      );
    } else {
      const names = [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
      const properties: Schema = {};
      for (const name of names) properties[name] = inferSchema(objects.filter((o) => name in o).map((o) => o[name]));
      if (names.length > 0) schema.properties = properties;
      const required = names.filter((n) => objects.every((o) => n in o));
      if (required.length > 0) schema.required = required;
    }
  }
  if (kinds.has('array')) {
    const elements = samples.filter(Array.isArray).flat();
    if (elements.length > 0) schema.items = inferSchema(elements);
  }
  return schema;
}

export const STRING_PLACEHOLDER = 'string';

/** The first sample's structure with placeholder values; map keys become `id1`, `id2`, .... */
export function placeholderExample(value: unknown): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return 0;
  if (typeof value === 'string') return STRING_PLACEHOLDER;
  if (Array.isArray(value)) return value.length === 0 ? [] : [placeholderExample(value[0])];
  if (isObject(value)) {
    if (isIdMap(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) if (isMetaKey(k)) out[k] = placeholderExample(v);
      const first = Object.entries(value).find(([k]) => !isMetaKey(k));
      if (first) out.id1 = placeholderExample(first[1]);
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = placeholderExample(v);
    return out;
  }
  return null;
}
