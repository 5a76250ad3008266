import { documentedResponse, parentPath, type ResponseModel } from '../../model/operations.js';
import { isJsonMediaType, isObject, mediaTypeBase } from '../../shared/index.js';
import type { Exchange } from '../check-api.js';

/** Helpers of the checks (and of the plans that read answers): one home, no copies in a check. */

/** The documented response for the status that came back, if the status is documented. */
export function documentedFor(ex: Exchange): ResponseModel | undefined {
  return ex.response ? documentedResponse(ex.op, ex.response.status) : undefined;
}

export function contentTypeOf(ex: Exchange): string {
  return mediaTypeBase(ex.response?.headers['content-type']);
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

/**
 * The request path without query string or fragment, and without a trailing slash (the
 * vendor's curl lines often add one, `meta.href` never has it: inventory section 4 #12).
 */
export function requestPath(ex: Pick<Exchange, 'path'>): string {
  const path = ex.path.split(/[?#]/)[0] ?? ex.path;
  return path.length > 1 ? path.replace(/\/+$/, '') || '/' : path;
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

export function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

/** `200 application/json NotFound`: what came back, in one short phrase for messages. */
export function describeAnswer(ex: Exchange): string {
  if (!ex.response) return ex.error ? `no answer (${ex.error.message})` : 'no answer';
  const ct = mediaTypeBase(ex.response.headers['content-type']) || 'no content type';
  const type = errorTypeOf(ex.response.json);
  return `${ex.response.status} ${ct}${typeof type === 'string' ? ` ${type}` : ''}`;
}

/** `open` / `closed` from either transaction status shape (its home: src/shared/transaction-status.ts). */
export { transactionStateOf as transactionState } from '../../shared/transaction-status.js';
