/**
 * The operation model: the bundled OpenAPI document read once and flattened into the facts the
 * conformance runner and the tests need (method, path template, operationId, tags, security,
 * documented statuses with their content, schemas, examples and error types, parameters,
 * request body examples). Everything is derived from the document, so a path added to the spec
 * is planned and checked without new code.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { escapePointerToken, isJsonMediaType, isObject, type JsonObject } from '../shared/index.js';

export { isJsonMediaType, type JsonObject };

/** The bundled spec, resolved relative to this module so it works from src/ and dist/. */
export const DEFAULT_SPEC_FILE = fileURLToPath(new URL('../../generated/sps-api.json', import.meta.url));

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** How an operation is secured, as far as the runner cares. */
export type SecurityKind = 'sessionCookie' | 'basicAuth' | 'none' | 'other';

export interface MediaModel {
  mediaType: string;
  /** JSON pointer (with leading `#`) of the schema inside the document, when there is one. */
  schemaPointer?: string;
  schema?: unknown;
  /** Named examples (`examples:` keys); an unnamed `example:` is stored under `''`. */
  examples: Record<string, unknown>;
}

export interface ResponseModel {
  /** As written in the spec: `200`, `4XX`, `default`. */
  status: string;
  description: string;
  /** Name of the shared response it refers to (`#/components/responses/<name>`), if any. */
  ref?: string;
  /** Every documented media type, in spec order. */
  contentTypes: string[];
  /** The JSON media type (application/json or a +json type), when one is documented. */
  json?: MediaModel;
  /**
   * The documented `error.type` values: the response's `x-error-types` and the `const`/`enum`
   * of `error.type` in its schema; when neither gives any, the `error.type` of its examples.
   * Empty when none is given.
   */
  errorTypes: string[];
  /** The documented response headers (`headers:`), in spec order. */
  headers: HeaderModel[];
}

export interface HeaderModel {
  /** As written in the spec (`Set-Cookie`). */
  name: string;
  required: boolean;
  description: string;
  schemaPointer?: string;
  /** The header's `example`, or the first of its `examples`. */
  example?: unknown;
}

export interface ParameterModel {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema?: unknown;
  schemaPointer?: string;
  example?: unknown;
}

export interface RequestBodyModel {
  required: boolean;
  mediaType: string;
  schemaPointer?: string;
  schema?: unknown;
  examples: Record<string, unknown>;
}

export interface OperationModel {
  operationId: string;
  /** Upper case. */
  method: string;
  /** Path template as in the spec, e.g. `/api/cluster/nodes/{nodeId}`. */
  path: string;
  tags: string[];
  security: SecurityKind;
  /** Names of the security schemes of the first requirement (e.g. `['sessionCookie']`). */
  securitySchemes: string[];
  /** Cookie that carries the session for `sessionCookie` operations. */
  sessionCookieName?: string;
  responses: ResponseModel[];
  /** Documented numeric statuses (`200`, `401`, ...), ascending; ranges and `default` excluded. */
  statuses: number[];
  parameters: ParameterModel[];
  pathParams: ParameterModel[];
  requestBody?: RequestBodyModel;
  /** JSON pointer of the operation object, e.g. `#/paths/~1api/get`. */
  pointer: string;
}

export interface SpecModel {
  file: string;
  document: JsonObject;
  title: string;
  version: string;
  operations: OperationModel[];
  /** Every path template of the document. */
  pathTemplates: string[];
  /** Follows `$ref`s (internal ones) from a value; returns the target and its pointer. */
  deref(value: unknown, pointer?: string): { value: unknown; pointer?: string };
  /** The value at a JSON pointer (`#/components/schemas/Meta`). */
  at(pointer: string): unknown;
  operation(operationId: string): OperationModel | undefined;
}

export class SpecLoadError extends Error {
  override name = 'SpecLoadError';
}

/** One reference token of a JSON Pointer, escaped (the shared helper). */
export const escapePointer = escapePointerToken;

function unescapePointer(segment: string): string {
  return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~');
}

export function readSpecDocument(file: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SpecLoadError(`cannot read the spec ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SpecLoadError(`cannot parse the spec ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!isObject(doc) || typeof doc.openapi !== 'string' || !isObject(doc.paths)) {
    throw new SpecLoadError(`${file} is not an OpenAPI document (no "openapi" and "paths")`);
  }
  return doc;
}

/** Loads a spec (default: the bundled `generated/sps-api.json`) and derives the operation model. */
export function loadSpec(file: string = DEFAULT_SPEC_FILE): SpecModel {
  return buildSpecModel(readSpecDocument(file), file);
}

export function buildSpecModel(document: JsonObject, file = '<memory>'): SpecModel {
  const at = (pointer: string): unknown => {
    if (!pointer.startsWith('#')) throw new SpecLoadError(`only internal $refs are supported, got ${pointer}`);
    let cur: unknown = document;
    for (const raw of pointer.slice(1).split('/').slice(1)) {
      const seg = unescapePointer(raw);
      if (Array.isArray(cur)) cur = cur[Number(seg)];
      else if (isObject(cur)) cur = cur[seg];
      else return undefined;
    }
    return cur;
  };
  const deref = (value: unknown, pointer?: string): { value: unknown; pointer?: string } => {
    let cur = value;
    let ptr = pointer;
    for (let i = 0; i < 50 && isObject(cur) && typeof cur.$ref === 'string'; i++) {
      ptr = cur.$ref;
      cur = at(cur.$ref);
    }
    return { value: cur, pointer: ptr };
  };

  const schemes = isObject(document.components) && isObject(document.components.securitySchemes)
    ? document.components.securitySchemes
    : {};
  const rootSecurity = Array.isArray(document.security) ? document.security : undefined;

  const operations: OperationModel[] = [];
  const paths = document.paths as JsonObject;
  for (const [template, rawItem] of Object.entries(paths)) {
    const itemPtr = `#/paths/${escapePointer(template)}`;
    const { value: item, pointer: itemPointer } = deref(rawItem, itemPtr);
    if (!isObject(item)) continue;
    const itemParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const opPointer = `${itemPointer ?? itemPtr}/${method}`;
      const operationId = typeof op.operationId === 'string' ? op.operationId : `${method}${template}`;
      const parameters = mergeParameters(
        itemParams,
        itemPointer ?? itemPtr,
        Array.isArray(op.parameters) ? op.parameters : [],
        opPointer,
        deref,
      );
      const securityReqs = Array.isArray(op.security) ? op.security : rootSecurity ?? [];
      const { kind, names, cookieName } = classifySecurity(securityReqs, schemes, deref);
      const responses: ResponseModel[] = [];
      const rawResponses = isObject(op.responses) ? op.responses : {};
      for (const [status, rawResp] of Object.entries(rawResponses)) {
        responses.push(buildResponse(status, rawResp, `${opPointer}/responses/${escapePointer(status)}`, deref));
      }
      const statuses = responses
        .map((r) => r.status)
        .filter((s) => /^\d{3}$/.test(s))
        .map(Number)
        .sort((a, b) => a - b);
      const requestBody = buildRequestBody(op.requestBody, `${opPointer}/requestBody`, deref);
      operations.push({
        operationId,
        method: method.toUpperCase(),
        path: template,
        tags: Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === 'string') : [],
        security: kind,
        securitySchemes: names,
        ...(cookieName !== undefined ? { sessionCookieName: cookieName } : {}),
        responses,
        statuses,
        parameters,
        pathParams: parameters.filter((p) => p.in === 'path'),
        ...(requestBody ? { requestBody } : {}),
        pointer: opPointer,
      });
    }
  }

  const info = isObject(document.info) ? document.info : {};
  return {
    file,
    document,
    title: typeof info.title === 'string' ? info.title : '',
    version: typeof info.version === 'string' ? info.version : '',
    operations,
    pathTemplates: Object.keys(paths),
    deref,
    at,
    operation: (id) => operations.find((o) => o.operationId === id),
  };
}

type Deref = (value: unknown, pointer?: string) => { value: unknown; pointer?: string };

function mergeParameters(
  itemParams: unknown[],
  itemPointer: string,
  opParams: unknown[],
  opPointer: string,
  deref: Deref,
): ParameterModel[] {
  const out = new Map<string, ParameterModel>();
  const located = [
    ...itemParams.map((raw, i) => ({ raw, pointer: `${itemPointer}/parameters/${i}` })),
    ...opParams.map((raw, i) => ({ raw, pointer: `${opPointer}/parameters/${i}` })),
  ];
  for (const { raw, pointer } of located) {
    const { value: p, pointer: paramPointer } = deref(raw, pointer);
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') continue;
    const schema = deref(p.schema).value;
    const schemaPointer = p.schema !== undefined ? `${paramPointer ?? pointer}/schema` : undefined;
    let example: unknown = p.example;
    if (example === undefined && isObject(p.examples)) {
      const first = Object.values(p.examples)[0];
      const ex = deref(first).value;
      if (isObject(ex)) example = ex.value;
    }
    if (example === undefined && isObject(schema)) {
      if (schema.example !== undefined) example = schema.example;
      else if (Array.isArray(schema.examples) && schema.examples.length > 0) example = schema.examples[0];
      else if (schema.default !== undefined) example = schema.default;
      else if (Array.isArray(schema.enum) && schema.enum.length > 0) example = schema.enum[0];
    }
    out.set(`${p.in}:${p.name}`, {
      name: p.name,
      in: p.in as ParameterModel['in'],
      required: p.required === true || p.in === 'path',
      ...(schema !== undefined ? { schema } : {}),
      ...(schemaPointer !== undefined ? { schemaPointer } : {}),
      ...(example !== undefined ? { example } : {}),
    });
  }
  return [...out.values()];
}

function classifySecurity(
  reqs: unknown[],
  schemes: JsonObject,
  deref: Deref,
): { kind: SecurityKind; names: string[]; cookieName?: string } {
  const first = reqs.find(isObject);
  if (reqs.length === 0 || first === undefined || Object.keys(first).length === 0) return { kind: 'none', names: [] };
  const names = Object.keys(first);
  for (const name of names) {
    const scheme = deref(schemes[name]).value;
    if (!isObject(scheme)) continue;
    if (scheme.type === 'apiKey' && scheme.in === 'cookie' && typeof scheme.name === 'string') {
      return { kind: 'sessionCookie', names, cookieName: scheme.name };
    }
    if (scheme.type === 'http' && typeof scheme.scheme === 'string' && scheme.scheme.toLowerCase() === 'basic') {
      return { kind: 'basicAuth', names };
    }
  }
  return { kind: 'other', names };
}

function buildMedia(mediaType: string, rawMedia: unknown, pointer: string, deref: Deref): MediaModel {
  const media = isObject(rawMedia) ? rawMedia : {};
  const examples: Record<string, unknown> = {};
  if (isObject(media.examples)) {
    for (const [name, rawEx] of Object.entries(media.examples)) {
      const ex = deref(rawEx).value;
      if (isObject(ex) && 'value' in ex) examples[name] = ex.value;
    }
  }
  if (media.example !== undefined && Object.keys(examples).length === 0) examples[''] = media.example;
  const out: MediaModel = { mediaType, examples };
  if (media.schema !== undefined) {
    const { value: schema, pointer: ref } = deref(media.schema, `${pointer}/schema`);
    out.schema = schema;
    out.schemaPointer = ref ?? `${pointer}/schema`;
  }
  return out;
}

function buildResponse(status: string, raw: unknown, pointer: string, deref: Deref): ResponseModel {
  const { value, pointer: resolvedPtr } = deref(raw, pointer);
  const resp = isObject(value) ? value : {};
  const base = resolvedPtr ?? pointer;
  const refMatch = /^#\/components\/responses\/([^/]+)$/.exec(base);
  const content = isObject(resp.content) ? resp.content : {};
  const contentTypes = Object.keys(content);
  const jsonType = contentTypes.find(isJsonMediaType);
  const json = jsonType
    ? buildMedia(jsonType, content[jsonType], `${base}/content/${escapePointer(jsonType)}`, deref)
    : undefined;

  const errorTypes = new Set<string>();
  if (Array.isArray(resp['x-error-types'])) {
    for (const t of resp['x-error-types']) if (typeof t === 'string') errorTypes.add(t);
  }
  if (json?.schema !== undefined) {
    for (const t of schemaErrorTypes(json.schema, deref)) errorTypes.add(t);
  }
  // Examples only stand in when nothing explicit is documented: otherwise a wrong example
  // would document its own error type.
  if (errorTypes.size === 0) {
    for (const ex of Object.values(json?.examples ?? {})) {
      if (isObject(ex) && isObject(ex.error) && typeof ex.error.type === 'string') errorTypes.add(ex.error.type);
    }
  }
  const headers: HeaderModel[] = [];
  const rawHeaders = isObject(resp.headers) ? resp.headers : {};
  for (const [name, rawHeader] of Object.entries(rawHeaders)) {
    const hPointer = `${base}/headers/${escapePointer(name)}`;
    const { value: h, pointer: headerPtr } = deref(rawHeader, hPointer);
    if (!isObject(h)) continue;
    let example: unknown = h.example;
    if (example === undefined && isObject(h.examples)) {
      const first = deref(Object.values(h.examples)[0]).value;
      if (isObject(first)) example = first.value;
    }
    headers.push({
      name,
      required: h.required === true,
      description: typeof h.description === 'string' ? h.description : '',
      ...(h.schema !== undefined ? { schemaPointer: deref(h.schema, `${headerPtr ?? hPointer}/schema`).pointer ?? `${headerPtr ?? hPointer}/schema` } : {}),
      ...(example !== undefined ? { example } : {}),
    });
  }
  return {
    status,
    description: typeof resp.description === 'string' ? resp.description : '',
    headers,
    ...(refMatch?.[1] ? { ref: unescapePointer(refMatch[1]) } : {}),
    contentTypes,
    ...(json ? { json } : {}),
    errorTypes: [...errorTypes],
  };
}

/** `const` / `enum` values of `error.type` in an error schema (through allOf/oneOf/anyOf). */
function schemaErrorTypes(schema: unknown, deref: Deref, depth = 0): string[] {
  const s = deref(schema).value;
  if (!isObject(s) || depth > 8) return [];
  const out: string[] = [];
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    const list = s[key];
    if (Array.isArray(list)) for (const sub of list) out.push(...schemaErrorTypes(sub, deref, depth + 1));
  }
  const props = isObject(s.properties) ? s.properties : undefined;
  const err = props ? deref(props.error).value : undefined;
  if (isObject(err) && isObject(err.properties)) {
    const type = deref(err.properties.type).value;
    if (isObject(type)) {
      if (typeof type.const === 'string') out.push(type.const);
      if (Array.isArray(type.enum)) for (const v of type.enum) if (typeof v === 'string') out.push(v);
    }
  }
  return out;
}

function buildRequestBody(raw: unknown, pointer: string, deref: Deref): RequestBodyModel | undefined {
  if (raw === undefined) return undefined;
  const { value, pointer: resolvedPtr } = deref(raw, pointer);
  if (!isObject(value)) return undefined;
  const content = isObject(value.content) ? value.content : {};
  const types = Object.keys(content);
  const mediaType = types.find(isJsonMediaType) ?? types[0];
  if (mediaType === undefined) return undefined;
  const media = buildMedia(mediaType, content[mediaType], `${resolvedPtr ?? pointer}/content/${escapePointer(mediaType)}`, deref);
  if (Object.keys(media.examples).length === 0 && isObject(media.schema)) {
    const s = media.schema;
    if (s.example !== undefined) media.examples[''] = s.example;
    else if (Array.isArray(s.examples) && s.examples.length > 0) media.examples[''] = s.examples[0];
  }
  return {
    required: value.required === true,
    mediaType,
    ...(media.schemaPointer !== undefined ? { schemaPointer: media.schemaPointer } : {}),
    ...(media.schema !== undefined ? { schema: media.schema } : {}),
    examples: media.examples,
  };
}

/** The response documented for a status: the exact code, then `NXX`, then `default`. */
export function documentedResponse(op: OperationModel, status: number): ResponseModel | undefined {
  const exact = op.responses.find((r) => r.status === String(status));
  if (exact) return exact;
  const range = op.responses.find((r) => r.status.toUpperCase() === `${Math.floor(status / 100)}XX`);
  if (range) return range;
  return op.responses.find((r) => r.status === 'default');
}

/** Fills a path template: `/api/nodes/{id}` + `{id: 'x'}` -> `/api/nodes/x`. */
export function fillPath(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? `{${name}}`));
}

/** Whether a concrete path is an instance of a template (one segment per `{param}`). */
export function matchesTemplate(template: string, path: string): boolean {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (/^\{[^}]+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`).test(path);
}

/** The parent of a path: `/api/a/b` -> `/api/a`; `/api` -> undefined. */
export function parentPath(path: string): string | undefined {
  const clean = path.split(/[?#]/)[0] ?? path;
  const i = clean.lastIndexOf('/');
  if (i <= 0) return undefined;
  return clean.slice(0, i);
}
