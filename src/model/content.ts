/**
 * The content of responses and request bodies in the operation model: media types with their
 * schema pointers and named examples, documented error types and response headers.
 */
import { escapePointerToken, isJsonMediaType, isObject, unescapePointerToken } from '../shared/index.js';

export type Deref = (value: unknown, pointer?: string) => { value: unknown; pointer?: string };

/** One JSON Pointer token of a `$ref`, unescaped (and percent-decoded, as `$ref`s are URIs). */
export function unescapePointer(segment: string): string {
  return unescapePointerToken(decodeURIComponent(segment));
}

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
  /** JSON pointer (with leading `#`) of the header object (its `x-sps-source` names its evidence). */
  pointer: string;
  schemaPointer?: string;
  /** The header's `example`, or the first of its `examples`. */
  example?: unknown;
}

export interface RequestBodyModel {
  required: boolean;
  mediaType: string;
  schemaPointer?: string;
  schema?: unknown;
  examples: Record<string, unknown>;
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

export function buildResponse(status: string, raw: unknown, pointer: string, deref: Deref): ResponseModel {
  const { value, pointer: resolvedPtr } = deref(raw, pointer);
  const resp = isObject(value) ? value : {};
  const base = resolvedPtr ?? pointer;
  const refMatch = /^#\/components\/responses\/([^/]+)$/.exec(base);
  const content = isObject(resp.content) ? resp.content : {};
  const contentTypes = Object.keys(content);
  const jsonType = contentTypes.find(isJsonMediaType);
  const json = jsonType ? buildMedia(jsonType, content[jsonType], `${base}/content/${escapePointerToken(jsonType)}`, deref) : undefined;

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
    const hPointer = `${base}/headers/${escapePointerToken(name)}`;
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
      pointer: headerPtr ?? hPointer,
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

export function buildRequestBody(raw: unknown, pointer: string, deref: Deref): RequestBodyModel | undefined {
  if (raw === undefined) return undefined;
  const { value, pointer: resolvedPtr } = deref(raw, pointer);
  if (!isObject(value)) return undefined;
  const content = isObject(value.content) ? value.content : {};
  const types = Object.keys(content);
  const mediaType = types.find(isJsonMediaType) ?? types[0];
  if (mediaType === undefined) return undefined;
  const media = buildMedia(mediaType, content[mediaType], `${resolvedPtr ?? pointer}/content/${escapePointerToken(mediaType)}`, deref);
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
