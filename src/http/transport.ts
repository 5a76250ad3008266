/**
 * The one HTTP layer of the project: an undici `Agent` with the TLS options, a whole-request
 * timeout, raw responses for the conformance runner, and a `fetch` for openapi-fetch.
 *
 * TLS certificates are verified by default (against `ca` when given, otherwise the system
 * store); `insecure: true` is the only way to skip verification. A client certificate
 * (`cert`, `key`, `passphrase`) is presented on every TLS connection when given (mutual TLS).
 *
 * Failures are thrown as {@link TransportError} with a `kind` ('timeout', 'tls', 'connection',
 * 'reset', 'dns', 'other'). Error messages name the method and the URL (query values replaced,
 * user info removed) and a short reason; they never contain header values or bodies.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { Agent, request as undiciRequest } from 'undici';
import { isJsonMediaType, mediaTypeBase } from '../shared/index.js';

export interface TransportOptions {
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string | Buffer;
  /** Skip TLS certificate verification. The only way to accept an untrusted certificate. */
  insecure?: boolean;
  /** PEM client certificate presented on every TLS connection (mutual TLS). Needs `key`. */
  cert?: string | Buffer;
  /** PEM private key of `cert`. */
  key?: string | Buffer;
  /** Passphrase of an encrypted `key`. */
  passphrase?: string;
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
  /** Aborts the request (in flight too); it then fails with a TransportError. */
  signal?: AbortSignal;
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
}

export type TransportErrorKind = 'timeout' | 'tls' | 'connection' | 'reset' | 'dns' | 'other';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly kind: TransportErrorKind;
  readonly method: string;
  /** The request URL with user info removed and query values replaced. */
  readonly url: string;
  /** The underlying error code (for example `ECONNREFUSED`, `DEPTH_ZERO_SELF_SIGNED_CERT`). */
  readonly code: string | undefined;
  /** The short reason, without method and URL. */
  readonly reason: string;

  constructor(
    kind: TransportErrorKind,
    method: string,
    url: string,
    reason: string,
    options: { cause?: unknown; code?: string } = {},
  ) {
    const safe = safeUrl(url);
    super(`${method.toUpperCase()} ${safe} failed: ${reason}`, { cause: options.cause });
    this.kind = kind;
    this.method = method.toUpperCase();
    this.url = safe;
    this.code = options.code;
    this.reason = reason;
  }
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

/** Methods for which undici always sends a body length (it adds `content-length: 0`). */
const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

/** Statuses whose Response must have a null body. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * `url` without user info and with every query value replaced by `<redacted>`, so that an
 * error message cannot carry a secret passed in the query string. Unparsable input yields
 * `<invalid url>`.
 */
export function safeUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid url>';
  }
  const keys = [...parsed.searchParams.keys()];
  const query = keys.length > 0 ? `?${keys.map((k) => `${encodeURIComponent(k)}=<redacted>`).join('&')}` : '';
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}`;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EHOSTDOWN']);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

export interface ErrorClassification {
  kind: TransportErrorKind;
  code: string | undefined;
  reason: string;
}

/** The error codes found in `err`, its `cause` chain and AggregateError members, outermost first. */
function collectCodes(err: unknown, depth = 0, out: string[] = []): string[] {
  if (depth > 6 || err === null || typeof err !== 'object') return out;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string') out.push(e.code);
  if (Array.isArray(e.errors)) for (const inner of e.errors) collectCodes(inner, depth + 1, out);
  if (e.cause !== undefined) collectCodes(e.cause, depth + 1, out);
  return out;
}

/**
 * Maps a low-level error (Node, undici or OpenSSL) to a transport error kind and a short
 * reason. Exported for tests and for the conformance runner.
 */
export function classifyTransportError(err: unknown): ErrorClassification {
  const codes = collectCodes(err);
  const find = (pred: (c: string) => boolean): string | undefined => codes.find(pred);

  const tls = find(
    (c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS_') || c.startsWith('ERR_SSL_') || /CERT/.test(c),
  );
  if (tls) {
    const reason =
      tls === 'ERR_TLS_CERT_ALTNAME_INVALID' || tls === 'HOSTNAME_MISMATCH'
        ? `TLS certificate does not match the host name (${tls})`
        : `TLS certificate verification failed (${tls}); pass the CA certificate, or insecure to skip verification`;
    return { kind: 'tls', code: tls, reason };
  }
  const dns = find((c) => DNS_CODES.has(c));
  if (dns) return { kind: 'dns', code: dns, reason: `host name could not be resolved (${dns})` };
  const conn = find((c) => CONNECTION_CODES.has(c));
  if (conn) return { kind: 'connection', code: conn, reason: `connection failed (${conn})` };
  const timeout = find((c) => TIMEOUT_CODES.has(c));
  if (timeout) return { kind: 'timeout', code: timeout, reason: `timed out (${timeout})` };
  const reset = find((c) => RESET_CODES.has(c));
  if (reset) return { kind: 'reset', code: reset, reason: `connection closed by the peer (${reset})` };
  if (codes.includes('EPROTO')) {
    return { kind: 'tls', code: 'EPROTO', reason: 'TLS handshake failed (EPROTO)' };
  }
  const code = codes[0];
  const name = err instanceof Error ? err.name : typeof err;
  return { kind: 'other', code, reason: code ? `${name} (${code})` : name };
}

interface SendInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  signal?: AbortSignal | null | undefined;
}

interface SendOutput {
  status: number;
  statusText: string;
  rawHeaders: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === lowerName);
}

function normaliseHeaders(raw: Record<string, string | string[] | undefined>): {
  headers: Record<string, string>;
  setCookies: string[];
} {
  const headers: Record<string, string> = {};
  const setCookies: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    if (lower === 'set-cookie') {
      setCookies.push(...values);
      headers[lower] = values.join(', ');
    } else {
      headers[lower] = headers[lower] === undefined ? values.join(', ') : `${headers[lower]}, ${values.join(', ')}`;
    }
  }
  return { headers, setCookies };
}

/** Whether a content type denotes JSON (`application/json`, `application/problem+json`, ...). */
export function isJsonContentType(contentType: string | undefined | null): boolean {
  // Also `text/json`, which some servers send for JSON.
  return isJsonMediaType(contentType) || mediaTypeBase(contentType) === 'text/json';
}

function parseJson(text: string, contentType: string | undefined): unknown | undefined {
  if (!isJsonContentType(contentType) || text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toBuffer(body: unknown): Buffer | string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

export function createTransport(opts: TransportOptions = {}): Transport {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number, got ${String(opts.timeoutMs)}`);
  }
  const rejectUnauthorized = opts.insecure !== true;
  const ca = opts.ca;
  const clientTls: { cert?: string | Buffer; key?: string | Buffer; passphrase?: string } = {};
  if (opts.cert !== undefined) clientTls.cert = opts.cert;
  if (opts.key !== undefined) clientTls.key = opts.key;
  if (opts.passphrase !== undefined) clientTls.passphrase = opts.passphrase;
  const agent = new Agent({
    connect: { ca, rejectUnauthorized, timeout: timeoutMs, ...clientTls },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let closed = false;

  function withDefaults(headers: Record<string, string>): Record<string, string> {
    const out = { ...headers };
    if (opts.userAgent && !hasHeader(out, 'user-agent')) out['user-agent'] = opts.userAgent;
    return out;
  }

  /** Sends through undici (always with a body length on payload methods). */
  async function sendUndici(input: SendInput, signal: AbortSignal): Promise<SendOutput> {
    const res = await undiciRequest(input.url, {
      dispatcher: agent,
      method: input.method as 'GET',
      headers: input.headers,
      body: input.body,
      signal,
    });
    try {
      const body = Buffer.from(await res.body.arrayBuffer());
      return { status: res.statusCode, statusText: '', rawHeaders: res.headers, body };
    } catch (err) {
      res.body.destroy();
      throw err;
    }
  }

  /**
   * Sends a payload-method request with no body and no body length, which undici cannot do:
   * node:http with both `Content-Length` and `Transfer-Encoding` removed. Same TLS settings.
   */
  function sendWithoutBodyLength(input: SendInput, signal: AbortSignal): Promise<SendOutput> {
    return new Promise<SendOutput>((resolve, reject) => {
      const url = new URL(input.url);
      const options: https.RequestOptions = {
        method: input.method,
        headers: input.headers,
        agent: false,
        signal,
      };
      if (url.protocol === 'https:') {
        options.rejectUnauthorized = rejectUnauthorized;
        if (ca !== undefined) options.ca = ca;
        Object.assign(options, clientTls);
      }
      const mod = url.protocol === 'https:' ? https : http;
      const req = mod.request(url, options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            rawHeaders: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.removeHeader('content-length');
      req.removeHeader('transfer-encoding');
      req.on('error', reject);
      req.end();
    });
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
      const out =
        req.body === undefined && PAYLOAD_METHODS.has(method)
          ? await sendWithoutBodyLength(req, signal)
          : await sendUndici(req, signal);
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
      signal: req.signal,
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
    };
  }

  const boundFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    let url: string;
    let method = 'GET';
    let headers = new Headers();
    let body: string | Buffer | undefined;
    let signal: AbortSignal | null | undefined;
    if (typeof input === 'string' || input instanceof URL) {
      url = input.toString();
    } else {
      url = input.url;
      method = input.method;
      headers = new Headers(input.headers);
      signal = input.signal;
      if (input.body !== null && init?.body === undefined) {
        body = Buffer.from(await input.arrayBuffer());
      }
    }
    if (init?.method) method = init.method;
    if (init?.headers) headers = new Headers(init.headers);
    if (init?.signal !== undefined) signal = init.signal;
    if (init?.body !== undefined && init.body !== null) {
      const converted = toBuffer(init.body);
      if (converted === undefined) {
        throw new TransportError('other', method, url, 'unsupported request body type');
      }
      body = converted;
    }
    method = method.toUpperCase();
    // WHATWG fetch semantics: a payload method without a body still sends Content-Length: 0.
    if (body === undefined && PAYLOAD_METHODS.has(method)) body = '';
    const plainHeaders: Record<string, string> = {};
    headers.forEach((value, name) => {
      plainHeaders[name] = value;
    });
    const out = await send({ method, url, headers: plainHeaders, body, signal });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(out.rawHeaders)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
    }
    let response: Response;
    try {
      response = new Response(NULL_BODY_STATUSES.has(out.status) ? null : out.body, {
        status: out.status,
        statusText: out.statusText,
        headers: responseHeaders,
      });
    } catch (err) {
      throw new TransportError('other', method, url, `unusable response status ${out.status}`, { cause: err });
    }
    Object.defineProperty(response, 'url', { value: url });
    return response;
  };

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await agent.close();
  }

  return { request, fetch: boundFetch as typeof globalThis.fetch, close };
}
