/**
 * Transport failures: {@link TransportError} (a `kind`, the method, a safe URL and a short
 * reason) and {@link classifyTransportError}, which maps a Node, undici or OpenSSL error to a kind.
 * Messages never carry header values, bodies, user info or query values (see {@link safeUrl}).
 */

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

  constructor(kind: TransportErrorKind, method: string, url: string, reason: string, options: { cause?: unknown; code?: string } = {}) {
    const safe = safeUrl(url);
    super(`${method.toUpperCase()} ${safe} failed: ${reason}`, { cause: options.cause });
    this.kind = kind;
    this.method = method.toUpperCase();
    this.url = safe;
    this.code = options.code;
    this.reason = reason;
  }
}

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
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ERR_STREAM_PREMATURE_CLOSE']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
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

  const tls = find((c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS_') || c.startsWith('ERR_SSL_') || /CERT/.test(c));
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
