/**
 * How the client maps failures to {@link SpsApiError}: error statuses, success responses whose
 * body is not usable JSON, bodies of an unexpected shape, and transport failures (status 0).
 * Everything put into an error is redacted first.
 */
import { isJsonContentType, TransportError } from '../http/transport.js';
import { redactJson, type SecretRegistry } from '../redact.js';
import { isObject, mediaTypeBase, tryParseJson } from '../shared/index.js';

/** Length of {@link SpsApiError.bodyExcerpt} before the ellipsis. */
export const EXCERPT_LENGTH = 200;

export interface SpsApiErrorInit {
  status: number;
  type?: string | undefined;
  message: string;
  serverMessage?: string | undefined;
  details?: unknown;
  method: string;
  path: string;
  bodyExcerpt?: string | undefined;
  cause?: unknown;
}

/**
 * Every failure of an SPS call: an error status from SPS (with its `error.type`), a response
 * that is not what the API promises (HTML from a proxy, invalid JSON, an unexpected status),
 * or a transport failure (`status` 0, the {@link TransportError} as `cause`).
 *
 * Messages, `serverMessage`, `details` and `bodyExcerpt` are redacted: no password, session id
 * or PSK the client knows of appears in them.
 */
export class SpsApiError extends Error {
  override readonly name = 'SpsApiError';
  /** HTTP status; 0 when no response was received. */
  readonly status: number;
  /** SPS `error.type` (`Unauthenticated`, `AuthenticationFailure`, `NotFound`, ...) when the body has one. */
  readonly type: string | undefined;
  /** SPS `error.message` as sent (redacted), when the body has one. */
  readonly serverMessage: string | undefined;
  /** SPS `error.details` (redacted), when the body has them. */
  readonly details: unknown;
  readonly method: string;
  /** Request path without origin and query, e.g. `/api/transaction`. */
  readonly path: string;
  /** The first {@link EXCERPT_LENGTH} characters of the response body, redacted; undefined without a body. */
  readonly bodyExcerpt: string | undefined;

  constructor(init: SpsApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.type = init.type;
    this.serverMessage = init.serverMessage;
    this.details = init.details;
    this.method = init.method.toUpperCase();
    this.path = init.path;
    this.bodyExcerpt = init.bodyExcerpt;
  }

  /** The transport failure behind a status-0 error. */
  get transportError(): TransportError | undefined {
    return this.cause instanceof TransportError ? this.cause : undefined;
  }
}

/** The path of a request URL, without origin and query (what {@link SpsApiError.path} holds). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?', 1)[0] ?? url;
  }
}

/** Parses `text` as JSON, or returns undefined (its home is `src/shared/json.ts`). */
export { tryParseJson };

/** Reads `{ error: { type, message, details } }` from a parsed body, if it has that shape. */
export function readErrorBody(parsed: unknown): { type: string | undefined; message: string | undefined; details: unknown } | undefined {
  if (!isObject(parsed) || !isObject(parsed.error)) return undefined;
  const e = parsed.error;
  return {
    type: typeof e.type === 'string' ? e.type : undefined,
    message: typeof e.message === 'string' ? e.message : undefined,
    details: e.details,
  };
}

/** A redacted, whitespace-collapsed excerpt of a body. JSON bodies have secret-named fields masked first. */
export function makeExcerpt(bodyText: string, registry: SecretRegistry): string | undefined {
  if (bodyText === '') return undefined;
  const parsed = tryParseJson(bodyText);
  const source = parsed === undefined ? bodyText : JSON.stringify(redactJson(parsed));
  // Redact before cutting, so a secret cannot survive half-cut at the end of the excerpt.
  const text = registry.redact(source).replace(/\s+/g, ' ').trim();
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
}

export interface ResponseFacts {
  status: number;
  statusText?: string;
  contentType: string | undefined;
  bodyText: string;
  method: string;
  path: string;
}

/** The error for a response that is not a success (or a success whose body is unusable). */
export function errorFromResponse(facts: ResponseFacts, registry: SecretRegistry, problem?: string): SpsApiError {
  const { status, contentType, bodyText } = facts;
  const method = facts.method.toUpperCase();
  const parsed = tryParseJson(bodyText);
  const errorBody = readErrorBody(parsed);
  const bodyExcerpt = makeExcerpt(bodyText, registry);
  const serverMessage = errorBody?.message === undefined ? undefined : registry.redact(errorBody.message);
  let reason: string;
  if (problem) {
    reason = problem;
  } else if (errorBody?.type) {
    reason = serverMessage ? `${errorBody.type}: ${serverMessage}` : errorBody.type;
  } else if (bodyText === '') {
    reason = 'empty response body';
  } else if (parsed === undefined) {
    reason = isJsonContentType(contentType) ? 'response body is not valid JSON' : `non-JSON response (${mediaTypeBase(contentType) || 'no content type'})`;
  } else {
    reason = 'response without an SPS error object';
  }
  const statusText = facts.statusText ? ` ${facts.statusText}` : '';
  return new SpsApiError({
    status,
    type: errorBody?.type,
    message: registry.redact(`${method} ${facts.path} -> ${status}${statusText}: ${reason}`),
    serverMessage,
    details: errorBody?.details === undefined ? undefined : redactJson(errorBody.details, registry),
    method,
    path: facts.path,
    bodyExcerpt,
  });
}

/** The error for a request that got no (complete) response. */
export function errorFromTransport(err: unknown, method: string, path: string, registry: SecretRegistry): SpsApiError {
  if (err instanceof SpsApiError) return err;
  const m = method.toUpperCase();
  const reason =
    err instanceof TransportError ? `${err.kind} error: ${err.reason}` : `unexpected client failure (${err instanceof Error ? err.name : typeof err})`;
  return new SpsApiError({
    status: 0,
    message: registry.redact(`${m} ${path} failed: ${reason}`),
    method: m,
    path,
    cause: err,
  });
}

/**
 * `response` when it is a success whose body is empty or JSON (secrets in that JSON are
 * registered); otherwise the {@link SpsApiError} for it is thrown.
 */
export async function checkResponse(response: Response, request: { method: string; path: string }, registry: SecretRegistry): Promise<Response> {
  const bodyText = await response.clone().text();
  const contentType = response.headers.get('content-type') ?? undefined;
  const facts = {
    status: response.status,
    statusText: response.statusText,
    contentType,
    bodyText,
    method: request.method,
    path: request.path,
  };
  if (!response.ok) throw errorFromResponse(facts, registry);
  if (bodyText.trim() !== '') {
    if (!isJsonContentType(contentType)) {
      throw errorFromResponse(facts, registry, `success status with a non-JSON body (${mediaTypeBase(contentType) || 'no content type'})`);
    }
    const parsed = tryParseJson(bodyText);
    if (parsed === undefined) {
      throw errorFromResponse(facts, registry, 'response body is not valid JSON');
    }
    registry.addFromJson(parsed);
  }
  return response;
}

/** `fn()`, or an {@link SpsApiError} when it throws (a success body of an unexpected shape). */
export async function withShapeCheck<T>(method: string, path: string, status: number, registry: SecretRegistry, fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (err) {
    throw new SpsApiError({
      status,
      message: registry.redact(`${method} ${path} -> ${status}: ${err instanceof Error ? err.message : 'unexpected body shape'}`),
      method,
      path,
      cause: err,
    });
  }
}
