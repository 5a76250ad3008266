/**
 * The raw request: the TLS settings and the undici `Agent` built from them, and the two ways a
 * request goes out. Through undici (which always sends a body length on payload methods), with
 * the body read whole or within `jsonOnly`/`maxBodyBytes`; or, for a payload method with no body
 * at all, through node:http(s) with neither `Content-Length` nor `Transfer-Encoding` (to probe a
 * server's 411 answer), with the same TLS settings. Timeouts and error mapping are the caller's
 * (transport.ts).
 */
import http from 'node:http';
import https from 'node:https';
import { Agent, request as undiciRequest } from 'undici';
import { readLimitedBody, type BodyDigest, type BodySkipped } from './body.js';

export interface TlsOptions {
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
}

/** Methods for which undici always sends a body length (it adds `content-length: 0`). */
export const PAYLOAD_METHODS = new Set(['POST', 'PUT', 'PATCH', 'QUERY', 'PROPFIND', 'PROPPATCH']);

export interface TlsSettings {
  rejectUnauthorized: boolean;
  ca: string | Buffer | undefined;
  /** The client certificate options, only those given. */
  clientTls: { cert?: string | Buffer; key?: string | Buffer; passphrase?: string };
}

/** Verification on unless `insecure: true`; the client certificate options that were given. */
export function tlsSettings(opts: TlsOptions): TlsSettings {
  const clientTls: TlsSettings['clientTls'] = {};
  if (opts.cert !== undefined) clientTls.cert = opts.cert;
  if (opts.key !== undefined) clientTls.key = opts.key;
  if (opts.passphrase !== undefined) clientTls.passphrase = opts.passphrase;
  return { rejectUnauthorized: opts.insecure !== true, ca: opts.ca, clientTls };
}

/** The undici agent: TLS settings, and `timeoutMs` for connect, headers and body. */
export function createAgent(tls: TlsSettings, timeoutMs: number): Agent {
  const { ca, rejectUnauthorized, clientTls } = tls;
  return new Agent({
    connect: { ca, rejectUnauthorized, timeout: timeoutMs, ...clientTls },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
}

export interface SendInput {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer | undefined;
  signal?: AbortSignal | null | undefined;
  jsonOnly?: boolean;
  maxBodyBytes?: number;
  digestNonJson?: number;
}

export interface SendOutput {
  status: number;
  statusText: string;
  rawHeaders: Record<string, string | string[] | undefined>;
  body: Buffer;
  bodySkipped?: BodySkipped;
  digest?: BodyDigest;
}

/** Sends through undici (always with a body length on payload methods). */
export async function sendUndici(agent: Agent, input: SendInput, signal: AbortSignal): Promise<SendOutput> {
  const res = await undiciRequest(input.url, {
    dispatcher: agent,
    method: input.method as 'GET',
    headers: input.headers,
    body: input.body,
    signal,
  });
  const head = { status: res.statusCode, statusText: '', rawHeaders: res.headers };
  try {
    if (input.jsonOnly || input.maxBodyBytes !== undefined || input.digestNonJson !== undefined) {
      return { ...head, ...(await readLimitedBody(res.body, res.headers['content-type'], input)) };
    }
    const body = Buffer.from(await res.body.arrayBuffer());
    return { ...head, body };
  } catch (err) {
    res.body.destroy();
    throw err;
  }
}

/**
 * Sends a payload-method request with no body and no body length, which undici cannot do:
 * node:http with both `Content-Length` and `Transfer-Encoding` removed. Same TLS settings.
 */
export function sendWithoutBodyLength(tls: TlsSettings, input: SendInput, signal: AbortSignal): Promise<SendOutput> {
  return new Promise<SendOutput>((resolve, reject) => {
    const url = new URL(input.url);
    const options: https.RequestOptions = {
      method: input.method,
      headers: input.headers,
      agent: false,
      signal,
    };
    if (url.protocol === 'https:') {
      options.rejectUnauthorized = tls.rejectUnauthorized;
      if (tls.ca !== undefined) options.ca = tls.ca;
      Object.assign(options, tls.clientTls);
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
