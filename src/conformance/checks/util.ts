import { documentedResponse, isJsonMediaType, parentPath, type ResponseModel } from '../../spec/model.js';
import type { Exchange } from '../types.js';

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The documented response for the status that came back, if the status is documented. */
export function documentedFor(ex: Exchange): ResponseModel | undefined {
  return ex.response ? documentedResponse(ex.op, ex.response.status) : undefined;
}

export function contentTypeOf(ex: Exchange): string {
  return (ex.response?.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function receivedJson(ex: Exchange): boolean {
  return isJsonMediaType(contentTypeOf(ex)) && ex.response?.json !== undefined;
}

export function documentedStatuses(ex: Exchange): string {
  return ex.op.responses.map((r) => r.status).join(', ') || 'none';
}

/** `error.type` of a JSON error body, or undefined. */
export function errorTypeOf(body: unknown): unknown {
  return isObject(body) && isObject(body.error) ? body.error.type : undefined;
}

/** The request path without query string or fragment. */
export function requestPath(ex: Exchange): string {
  return ex.path.split(/[?#]/)[0] ?? ex.path;
}

export { parentPath };

/** A short, single-line rendering of a received value for messages. */
export function show(value: unknown, max = 80): string {
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
