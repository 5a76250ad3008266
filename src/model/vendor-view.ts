/**
 * The vendor-only view of the spec (README, "The spec": documented fact or our reading).
 *
 * A copy of the bundled document in which every constraint whose `x-sps-source` is not a
 * documented fact (kind `reading`, `inference` or `observed`) is taken out, so that a response can be validated against what the vendor (pages
 * and seeds) and the vendor's SDKs document, without our readings. The runner validates a
 * response against the full schema first; when that fails and the same pointer passes in this
 * view, only a reading is broken ("breaks our reading: ..., not a documented fact").
 *
 * The rules, applied to every such node:
 *   - a schema is replaced by `{}` (it accepts anything), keeping its `description` and
 *     `x-sps-source` for messages; except a direct member of `oneOf`/`anyOf`, which is kept:
 *     a branch only widens what its parent accepts;
 *   - a response, request body, media type, parameter or header keeps its place, but every
 *     schema it holds (`content.*.schema`, `schema`) becomes `{}`;
 *   - an operation: as for each of its inline responses.
 * Nothing else changes, so every JSON pointer of the full document is valid in the view.
 *
 * The runner validates with both (src/model/verdict.ts); it does not touch its input.
 */
import { isObject as isJsonObject } from '../shared/index.js';
import { HTTP_METHODS } from '../shared/index.js';

// biome-ignore lint/suspicious/noExplicitAny: a JSON value of any shape
export type Json = Record<string, any>;

const isObject = (v: unknown): v is Json => isJsonObject(v);
/**
 * Whether a node's own mark is not a documented fact: `inference`, `reading` or `observed`
 * (docs/verdicts.md, evidence strength). The view strips every such node.
 */
export const isReading = (node: unknown): boolean =>
  isObject(node) && isObject(node['x-sps-source']) && ['reading', 'inference', 'observed'].includes(node['x-sps-source'].kind as string);

/** Keywords whose value is one schema, a map of schemas, or a list of schemas. */
const ONE = ['items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalProperties', 'unevaluatedItems', 'unevaluatedProperties'];
const MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];
const LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];

function open(node: Json): Json {
  const out: Json = {};
  if (typeof node.description === 'string') out.description = node.description;
  if (node['x-sps-source'] !== undefined) out['x-sps-source'] = node['x-sps-source'];
  return out;
}

/** Returns the schema with its readings taken out (a new object where something changed). */
function schema(node: unknown, branch = false): unknown {
  if (!isObject(node)) return node;
  if (isReading(node) && !branch) return open(node);
  const out: Json = { ...node };
  for (const k of ONE) if (isObject(out[k])) out[k] = schema(out[k]);
  for (const k of MAP) {
    if (isObject(out[k])) out[k] = Object.fromEntries(Object.entries<unknown>(out[k]).map(([name, s]) => [name, schema(s)]));
  }
  for (const k of LIST) {
    if (Array.isArray(out[k])) out[k] = out[k].map((s: unknown) => schema(s, k === 'oneOf' || k === 'anyOf'));
  }
  return out;
}

function content(holder: Json, reading: boolean): Json {
  const out: Json = { ...holder };
  if (isObject(out.content)) {
    out.content = Object.fromEntries(
      Object.entries<Json>(out.content).map(([type, media]) => {
        if (!isObject(media) || media.schema === undefined) return [type, media];
        const r = reading || isReading(media);
        return [type, { ...media, schema: r ? {} : schema(media.schema) }];
      }),
    );
  }
  if (out.schema !== undefined) out.schema = reading ? {} : schema(out.schema);
  if (isObject(out.headers)) {
    out.headers = Object.fromEntries(Object.entries<Json>(out.headers).map(([name, h]) => [name, isObject(h) ? content(h, reading || isReading(h)) : h]));
  }
  return out;
}

const mapValues = (m: unknown, f: (v: Json) => Json): unknown =>
  isObject(m) ? Object.fromEntries(Object.entries<unknown>(m).map(([k, v]) => [k, isObject(v) && !('$ref' in v) ? f(v) : v])) : m;

/** The vendor-only view of a bundled document (see the file comment). */
export function vendorOnlyView(doc: Json): Json {
  const view: Json = { ...doc };
  const c = isObject(doc.components) ? doc.components : {};
  view.components = {
    ...c,
    schemas: mapValues(c.schemas, (s) => schema(s) as Json),
    responses: mapValues(c.responses, (r) => content(r, isReading(r))),
    parameters: mapValues(c.parameters, (p) => content(p, isReading(p))),
    requestBodies: mapValues(c.requestBodies, (b) => content(b, isReading(b))),
    headers: mapValues(c.headers, (h) => content(h, isReading(h))),
  };
  for (const k of ['schemas', 'responses', 'parameters', 'requestBodies', 'headers']) if (view.components[k] === undefined) delete view.components[k];
  view.paths = mapValues(doc.paths, (item) => {
    const out: Json = { ...item };
    if (Array.isArray(out.parameters)) out.parameters = out.parameters.map((p: Json) => (isObject(p) && !('$ref' in p) ? content(p, isReading(p)) : p));
    for (const m of HTTP_METHODS) {
      const op = item[m];
      if (!isObject(op)) continue;
      const opReading = isReading(op);
      const next: Json = { ...op };
      if (Array.isArray(op.parameters)) next.parameters = op.parameters.map((p: Json) => (isObject(p) && !('$ref' in p) ? content(p, isReading(p)) : p));
      if (isObject(op.requestBody) && !('$ref' in op.requestBody)) next.requestBody = content(op.requestBody, isReading(op.requestBody));
      next.responses = mapValues(op.responses, (r) => content(r, opReading || isReading(r)));
      out[m] = next;
    }
    return out;
  });
  return view;
}
