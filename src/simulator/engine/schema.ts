/**
 * What the engine reads from a schema: where references sit. A property whose schema is, or
 * contains (through `$ref`, `allOf`, `oneOf`, `anyOf`), the `Reference` component is a reference:
 * `{key, meta: {href}}` in a GET answer, a bare key in a PUT or POST body and in the state.
 */
import { isObject } from '../../shared/json.js';
import type { SpecModel } from '../../model/operations.js';

export const REFERENCE_POINTER = '#/components/schemas/Reference';

type Json = Record<string, unknown>;

interface Node {
  value: Json;
  pointer: string | undefined;
}

/** The schema and every member of its combinators, `$ref`s followed (depth-limited). */
function expand(spec: SpecModel, schema: unknown, out: Node[] = [], depth = 0): Node[] {
  if (depth > 12) return out;
  const { value, pointer } = spec.deref(schema);
  if (!isObject(value)) return out;
  out.push({ value, pointer });
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    const list = value[k];
    if (Array.isArray(list)) for (const s of list) expand(spec, s, out, depth + 1);
  }
  return out;
}

export function isReferenceSchema(spec: SpecModel, schema: unknown): boolean {
  return expand(spec, schema).some((n) => n.pointer === REFERENCE_POINTER);
}

function propertySchemas(nodes: Node[], name: string): unknown[] {
  const out: unknown[] = [];
  for (const n of nodes) {
    const props = n.value.properties;
    if (isObject(props) && props[name] !== undefined) out.push(props[name]);
    else if (isObject(n.value.additionalProperties)) out.push(n.value.additionalProperties);
  }
  return out;
}

function itemSchemas(nodes: Node[]): unknown[] {
  return nodes.map((n) => n.value.items).filter((s) => s !== undefined);
}

/**
 * Rebuilds `value`, replacing every value that sits where `schema` has a reference by
 * `visit(value)`. Values the schema does not describe are kept.
 */
export function mapReferences(spec: SpecModel, schema: unknown, value: unknown, visit: (v: unknown) => unknown, depth = 0): unknown {
  if (depth > 40 || schema === undefined) return value;
  const nodes = expand(spec, schema);
  if (nodes.some((n) => n.pointer === REFERENCE_POINTER)) return visit(value);
  if (Array.isArray(value)) {
    const items = itemSchemas(nodes);
    if (items.length === 0) return value;
    return value.map((v) => mapReferences(spec, { anyOf: items }, v, visit, depth + 1));
  }
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      const ps = propertySchemas(nodes, k);
      out[k] = ps.length === 0 ? v : mapReferences(spec, ps.length === 1 ? ps[0] : { anyOf: ps }, v, visit, depth + 1);
    }
    return out;
  }
  return value;
}

/** The schema of property `name` of an object schema (e.g. an envelope's `body`); undefined when none says. */
export function propertySchema(spec: SpecModel, schema: unknown, name: string): unknown {
  if (schema === undefined) return undefined;
  const ps = propertySchemas(expand(spec, schema), name);
  if (ps.length === 0) return undefined;
  return ps.length === 1 ? ps[0] : { anyOf: ps };
}

/** The schema of the items of an array schema (e.g. a collection's `items`). */
export function itemsSchema(spec: SpecModel, schema: unknown): unknown {
  if (schema === undefined) return undefined;
  const items = itemSchemas(expand(spec, schema));
  if (items.length === 0) return undefined;
  return items.length === 1 ? items[0] : { anyOf: items };
}

/**
 * A PUT body with the `readOnly` properties (derived by the appliance, e.g. a key's fingerprint)
 * the client left out taken over from the stored value, recursively: SPS keeps them.
 */
export function keepReadOnly(spec: SpecModel, schema: unknown, input: unknown, old: unknown, depth = 0): unknown {
  if (depth > 40 || schema === undefined || !isObject(input) || !isObject(old)) return input;
  const nodes = expand(spec, schema);
  const out: Json = { ...input };
  for (const [k, v] of Object.entries(old)) {
    const ps = propertySchemas(nodes, k);
    if (ps.length === 0) continue;
    if (!(k in input)) {
      if (ps.some((s) => isObject(spec.deref(s).value) && (spec.deref(s).value as Json).readOnly === true)) out[k] = structuredClone(v);
    } else {
      out[k] = keepReadOnly(spec, ps.length === 1 ? ps[0] : { anyOf: ps }, input[k], v, depth + 1);
    }
  }
  return out;
}
