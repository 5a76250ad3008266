/**
 * What an ordinary request of an operation carries besides its path: the required query
 * parameters (from their examples), the Accept header (JSON, plus any other documented answer
 * type such as a binary download), and the request body in its documented media type: JSON, a
 * multipart form (a file field gets a few made-up bytes) or a raw upload. Both plans use it, so
 * an operation is sent the way its spec documents it.
 */
import { isJsonMediaType, isObject, mediaTypeBase } from '../../shared/index.js';
import type { OperationModel, ParameterModel, SpecModel } from '../../model/operations.js';

/** A body that is not JSON, ready to send, and how the curl line shows it. */
export interface RawBody {
  contentType: string;
  body: string;
  /** The curl line's form fields (`-F`), or the file it sends as `--data-binary @file`. */
  curl: { form: Array<{ name: string; file?: string; value?: string }> } | { file: string };
}

/** The query string (with its `?`) of the required query parameters, from their examples; `''` when none. */
export function requiredQuery(op: OperationModel): string {
  const parts: string[] = [];
  for (const p of op.parameters) {
    if (p.in !== 'query' || !p.required) continue;
    for (const v of exampleValues(p)) parts.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(v)}`);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

function exampleValues(p: ParameterModel): string[] {
  const schema = isObject(p.schema) ? p.schema : {};
  const value = p.example ?? schema.example ?? schema.default ?? (Array.isArray(schema.enum) ? schema.enum[0] : undefined);
  if (value === undefined) return ['example'];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** `application/json`, plus every other media type the operation's answers document (a download). */
export function acceptFor(op: OperationModel): string {
  const others = new Set<string>();
  for (const r of op.responses) for (const t of r.contentTypes) if (!isJsonMediaType(t)) others.add(mediaTypeBase(t));
  return ['application/json', ...others].join(', ');
}

/** A file name for a binary field: the placeholder's extension when it names one (`<binary sps.iso>`). */
function fileNameFor(field: string, placeholder: unknown): string {
  const m = typeof placeholder === 'string' ? /([A-Za-z0-9_-]*\.[A-Za-z0-9]+)>?$/.exec(placeholder) : null;
  const name = m?.[1] ?? '';
  if (name.startsWith('.')) return `${field}${name}`;
  return name || `${field}.bin`;
}

const BOUNDARY = 'sps-conformance-form-boundary';

function isBinarySchema(model: SpecModel, schema: unknown): boolean {
  const s = isObject(schema) ? model.deref(schema).value : undefined;
  return isObject(s) && (typeof s.contentMediaType === 'string' || s.format === 'binary' || s.contentEncoding === 'binary');
}

/**
 * The request body an operation documents, built from its first example (or, for a form, its
 * schema's required fields): `{ body }` for JSON, `{ raw }` for any other media type,
 * `{ emptyBody }` when it has none.
 */
export function requestBodyFor(model: SpecModel, op: OperationModel): { body?: unknown; emptyBody?: boolean; raw?: RawBody } {
  const rb = op.requestBody;
  if (!rb) return ['POST', 'PUT', 'PATCH'].includes(op.method) ? { emptyBody: true } : {};
  const first = Object.keys(rb.examples)[0];
  const example = first !== undefined ? rb.examples[first] : undefined;
  const type = mediaTypeBase(rb.mediaType);
  if (isJsonMediaType(type)) {
    if (example !== undefined) return { body: example };
    return rb.required ? { body: {} } : { emptyBody: true };
  }
  if (type === 'multipart/form-data') return { raw: multipart(model, rb.schema, example) };
  const file = fileNameFor('upload', example);
  const body = typeof example === 'string' ? example : `made-up ${type} content of sps-conformance`;
  return { raw: { contentType: rb.mediaType, body, curl: { file } } };
}

function multipart(model: SpecModel, rawSchema: unknown, example: unknown): RawBody {
  const schema = isObject(rawSchema) ? model.deref(rawSchema).value : undefined;
  const props = isObject(schema) && isObject(schema.properties) ? schema.properties : {};
  const values: Record<string, unknown> = isObject(example) ? { ...example } : {};
  if (!isObject(example) && isObject(schema) && Array.isArray(schema.required)) {
    for (const name of schema.required) if (typeof name === 'string') values[name] = `<${name}>`;
  }
  const form: Array<{ name: string; file?: string; value?: string }> = [];
  const parts: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (isBinarySchema(model, props[name])) {
      const file = fileNameFor(name, value);
      form.push({ name, file });
      parts.push(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${file}"\r\nContent-Type: application/octet-stream\r\n\r\nmade-up content of sps-conformance\r\n`,
      );
    } else {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      form.push({ name, value: text });
      parts.push(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${text}\r\n`);
    }
  }
  return { contentType: `multipart/form-data; boundary=${BOUNDARY}`, body: `${parts.join('')}--${BOUNDARY}--\r\n`, curl: { form } };
}
