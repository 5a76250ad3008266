/**
 * The one HTTP layer of the project: an undici `Agent` with the TLS options, a whole-request
 * timeout, raw responses for the conformance runner, and a `fetch` for openapi-fetch.
 * This module owns the public types and `createTransport` (timeout, abort, closing, error
 * mapping); the parts live in send.ts (TLS, agent, the raw request), body.ts (headers, JSON,
 * the limited body read), fetch.ts (the fetch adapter) and errors.ts (TransportError and the
 * classification), whose public names are re-exported here.
 *
 * TLS certificates are verified by default (against `ca` when given, otherwise the system
 * store); `insecure: true` is the only way to skip verification. A client certificate
 * (`cert`, `key`, `passphrase`) is presented on every TLS connection when given (mutual TLS).
 *
 * Failures are thrown as {@link TransportError} with a `kind` ('timeout', 'tls', 'connection',
 * 'reset', 'dns', 'other'). Error messages name the method and the URL (query values replaced,
 * user info removed) and a short reason; they never contain header values or bodies.
 */
import { performance } from 'node:perf_hooks';
import { normaliseHeaders, parseJson, type BodyDigest, type BodySkipped } from './body.js';
import { classifyTransportError, TransportError } from './transport-error.js';
import { createFetch } from './fetch.js';
import { createAgent, PAYLOAD_METHODS, sendUndici, sendWithoutBodyLength, tlsSettings, type SendInput, type SendOutput, type TlsOptions } from './send.js';

export { isJsonContentType, type BodyDigest } from './body.js';
export {
  classifyTransportError,
  safeUrl,
  TransportError,
  type ErrorClassification,
  type TransportErrorKind,
} from './transport-error.js';

export interface TransportOptions extends TlsOptions {
  /** Whole-request timeout in milliseconds (connect, headers and body). Default 30 000. */
  timeoutMs?: number;
  /** `User-Agent` sent when a request does not set one. */
  userAgent?: string;
}

export interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /**
   * Request body. `''` sends an empty body with `Content-Length: 0` (what `POST
   * /api/transaction` needs). `undefined` sends no body at all: no `Content-Length` and no
   * `Transfer-Encoding`, also for POST/PUT/PATCH (to probe a server's 411 answer).
   */
  body?: string;
  /** Aborts the request (a TransportError 'other', "request aborted by the caller"). */
  signal?: AbortSignal;
  /**
   * Read the body only when its content type is JSON; any other body is abandoned unread
   * (`bodySkipped: 'not-json'`, `bodyText: ''`): a download is never fetched whole.
   */
  jsonOnly?: boolean;
  /** Abandon a body longer than this many bytes (`bodySkipped: 'too-large'`, `bodyText: ''`). */
  maxBodyBytes?: number;
  /**
   * A body that is not JSON is never kept: at most this many bytes of it are read and hashed
   * (`digest`: content type, bytes read, sha256, truncated), `bodyText` is `''`.
   */
  digestNonJson?: number;
}

export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers are joined with `, ` (except Set-Cookie, see setCookies). */
  headers: Record<string, string>;
  /** Every `Set-Cookie` value, in order. */
  setCookies: string[];
  bodyText: string;
  /** The parsed body when the content type is JSON and the body parses; otherwise undefined. */
  json: unknown | undefined;
  durationMs: number;
  /** Why the body was not read (only with `jsonOnly` / `maxBodyBytes`). */
  bodySkipped?: BodySkipped;
  /** With `digestNonJson`, for a body that is not JSON: what is known of it instead of its bytes. */
  digest?: BodyDigest;
}

export interface Transport {
  request(req: RawRequest): Promise<RawResponse>;
  /**
   * A fetch bound to this transport's agent, with the same whole-request timeout (the body is
   * read before the Response is returned). Failures reject with {@link TransportError}.
   * Payload methods without a body send `Content-Length: 0`, as WHATWG fetch does.
   */
  fetch: typeof globalThis.fetch;
  /** Releases the agent's sockets. Later requests fail with a TransportError. */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === lowerName);
}

export function createTransport(opts: TransportOptions = {}): Transport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${String(opts.timeoutMs)}`);
  }
  const tls = tlsSettings(opts);
  const agent = createAgent(tls, timeoutMs);
  let closed = false;

  function withDefaults(headers: Record<string, string>): Record<string, string> {
    const out = { ...headers };
    if (opts.userAgent && !hasHeader(out, 'user-agent')) out['user-agent'] = opts.userAgent;
    return out;
  }

  /** Sends one request under the whole-request timeout and maps failures to TransportError. */
  async function send(input: SendInput): Promise<SendOutput & { durationMs: number }> {
    const method = input.method.toUpperCase();
    if (closed) throw new TransportError('other', method, input.url, 'transport is closed');
    try {
      const parsed = new URL(input.url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
    } catch {
      throw new TransportError('other', method, input.url, 'invalid URL (need http: or https:)');
    }
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const signal = input.signal ? AbortSignal.any([controller.signal, input.signal]) : controller.signal;
    const req = { ...input, method, headers: withDefaults(input.headers) };
    try {
      const out = req.body === undefined && PAYLOAD_METHODS.has(method) ? await sendWithoutBodyLength(tls, req, signal) : await sendUndici(agent, req, signal);
      return { ...out, durationMs: performance.now() - started };
    } catch (err) {
      if (err instanceof TransportError) throw err;
      if (timedOut) {
        throw new TransportError('timeout', method, input.url, `no complete response within ${timeoutMs} ms`, {
          cause: err,
        });
      }
      if (input.signal?.aborted) {
        throw new TransportError('other', method, input.url, 'request aborted by the caller', { cause: err });
      }
      if (closed) throw new TransportError('other', method, input.url, 'transport is closed', { cause: err });
      const c = classifyTransportError(err);
      throw new TransportError(c.kind, method, input.url, c.reason, { cause: err, code: c.code });
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(req: RawRequest): Promise<RawResponse> {
    const out = await send({
      method: req.method,
      url: req.url,
      headers: req.headers ?? {},
      body: req.body,
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.jsonOnly ? { jsonOnly: true } : {}),
      ...(req.maxBodyBytes !== undefined ? { maxBodyBytes: req.maxBodyBytes } : {}),
      ...(req.digestNonJson !== undefined ? { digestNonJson: req.digestNonJson } : {}),
    });
    const { headers, setCookies } = normaliseHeaders(out.rawHeaders);
    const bodyText = out.body.toString('utf8');
    return {
      status: out.status,
      headers,
      setCookies,
      bodyText,
      json: parseJson(bodyText, headers['content-type']),
      durationMs: out.durationMs,
      ...(out.bodySkipped ? { bodySkipped: out.bodySkipped } : {}),
      ...(out.digest ? { digest: out.digest } : {}),
    };
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await agent.close();
  }

  return { request, fetch: createFetch(send), close };
}
