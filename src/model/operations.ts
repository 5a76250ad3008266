/**
 * The operation model: the bundled OpenAPI document read once and flattened into the facts the
 * conformance runner and the tests need (method, path template, operationId, tags, security,
 * documented statuses with their content, schemas, examples and error types, parameters,
 * request body examples). Everything is derived from the document, so a path added to the spec
 * is planned and checked without new code.
 */
import { fileURLToPath } from 'node:url';
import { DocumentError, readDocument } from '../shared/documents.js';
import { escapePointerToken, HTTP_METHODS, isJsonMediaType, isObject, type JsonObject } from '../shared/index.js';
import { buildRequestBody, buildResponse, unescapePointer, type Deref, type RequestBodyModel, type ResponseModel } from './content.js';

export type { HeaderModel, MediaModel, RequestBodyModel, ResponseModel } from './content.js';

export { isJsonMediaType, type JsonObject };

/** The bundled spec, resolved relative to this module so it works from src/ and dist/. */
export const DEFAULT_SPEC_FILE = fileURLToPath(new URL('../../generated/sps-api.json', import.meta.url));

export { HTTP_METHODS };

/** How an operation is secured, as far as the runner cares. */
export type SecurityKind = 'sessionCookie' | 'basicAuth' | 'none' | 'other';

export interface ParameterModel {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema?: unknown;
  schemaPointer?: string;
  example?: unknown;
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
  /** The operation's `x-sps-versions` range (`>=6.0`), when it has one (src/model/versions.ts reads it). */
  versions?: string;
  /** The path item's `x-sps-kind` (`directory`, `setting`, `collection`, `object`, `action`, `file`). */
  kind?: string;
  /** `x-sps-never-send`: why a conformance run never sends this operation to a live target. */
  neverSend?: string;
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

export function readSpecDocument(file: string): JsonObject {
  let doc: unknown;
  try {
    doc = readDocument(file);
  } catch (err) {
    if (!(err instanceof DocumentError)) throw err;
    throw new SpecLoadError(err.stage === 'read' ? `cannot read the spec ${file}: ${err.reason}` : `cannot parse the spec ${file}: ${err.reason}`);
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

  const schemes = isObject(document.components) && isObject(document.components.securitySchemes) ? document.components.securitySchemes : {};
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
      const parameters = mergeParameters(itemParams, itemPointer ?? itemPtr, Array.isArray(op.parameters) ? op.parameters : [], opPointer, deref);
      const securityReqs = Array.isArray(op.security) ? op.security : (rootSecurity ?? []);
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
        ...(typeof op['x-sps-never-send'] === 'string' ? { neverSend: op['x-sps-never-send'] } : {}),
        pointer: opPointer,
        ...(typeof op['x-sps-versions'] === 'string' ? { versions: op['x-sps-versions'] } : {}),
        ...(typeof item['x-sps-kind'] === 'string' ? { kind: item['x-sps-kind'] } : {}),
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

function mergeParameters(itemParams: unknown[], itemPointer: string, opParams: unknown[], opPointer: string, deref: Deref): ParameterModel[] {
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

function classifySecurity(reqs: unknown[], schemes: JsonObject, deref: Deref): { kind: SecurityKind; names: string[]; cookieName?: string } {
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
