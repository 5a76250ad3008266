/**
 * The discovery crawl's GET: the project's transport settings (undici, TLS verified unless
 * `insecure`, one whole-request timeout, errors as {@link TransportError} classified by
 * `classifyTransportError`) plus what `src/http/transport.ts` does not offer yet: the body is
 * streamed and abandoned as soon as it is not JSON or grows past `maxBodyBytes`, so a binary
 * download or a huge listing is never read. When the transport gains a body cap, this file
 * becomes a call to it.
 */
import { performance } from 'node:perf_hooks';
import { Agent, request as undiciRequest } from 'undici';
import { classifyTransportError, isJsonContentType, TransportError } from '../http/transport.js';

export interface CrawlHttpOptions {
  ca?: string | Buffer;
  insecure?: boolean;
  timeoutMs: number;
  userAgent: string;
  /** Bytes of a JSON body read at most; a longer body is abandoned (default 2 MiB). */
  maxBodyBytes?: number;
}

export interface CrawlResponse {
  status: number;
  contentType: string;
  setCookies: string[];
  /** The parsed body: only for JSON content types within the cap. */
  json?: unknown;
  /** Why no body was kept: `not-json`, `too-large`, `unparsable`, `empty`. */
  bodySkipped?: 'not-json' | 'too-large' | 'unparsable' | 'empty';
  /** Bytes read before the body was kept or abandoned. */
  bytesRead: number;
  durationMs: number;
}

export interface CrawlHttp {
  get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<CrawlResponse>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export function createCrawlHttp(o: CrawlHttpOptions): CrawlHttp {
  const maxBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const agent = new Agent({
    connect: { ...(o.ca !== undefined ? { ca: o.ca } : {}), rejectUnauthorized: o.insecure !== true, timeout: o.timeoutMs },
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });

  async function get(url: string, headers: Record<string, string>, outer?: AbortSignal): Promise<CrawlResponse> {
    const started = performance.now();
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, o.timeoutMs);
    const signal = outer ? AbortSignal.any([controller.signal, outer]) : controller.signal;
    try {
      const res = await undiciRequest(url, {
        dispatcher: agent,
        method: 'GET',
        headers: { 'user-agent': o.userAgent, ...headers },
        signal,
      });
      // Abandoning a body (destroy) makes undici emit an AbortError on it: expected, not a failure.
      res.body.on('error', () => undefined);
      const rawType = res.headers['content-type'];
      const contentType = Array.isArray(rawType) ? rawType.join(', ') : (rawType ?? '');
      const rawCookies = res.headers['set-cookie'];
      const setCookies = rawCookies === undefined ? [] : Array.isArray(rawCookies) ? rawCookies : [rawCookies];
      const base = { status: res.statusCode, contentType, setCookies };
      if (!isJsonContentType(contentType)) {
        res.body.destroy();
        return { ...base, bodySkipped: 'not-json', bytesRead: 0, durationMs: performance.now() - started };
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        bytes += buf.length;
        if (bytes > maxBytes) {
          res.body.destroy();
          return { ...base, bodySkipped: 'too-large', bytesRead: bytes, durationMs: performance.now() - started };
        }
        chunks.push(buf);
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const durationMs = performance.now() - started;
      if (text.trim() === '') return { ...base, bodySkipped: 'empty', bytesRead: bytes, durationMs };
      try {
        return { ...base, json: JSON.parse(text) as unknown, bytesRead: bytes, durationMs };
      } catch {
        return { ...base, bodySkipped: 'unparsable', bytesRead: bytes, durationMs };
      }
    } catch (err) {
      if (err instanceof TransportError) throw err;
      if (timedOut) throw new TransportError('timeout', 'GET', url, `no complete response within ${o.timeoutMs} ms`, { cause: err });
      if (outer?.aborted) throw new TransportError('other', 'GET', url, 'request aborted by the caller', { cause: err });
      const c = classifyTransportError(err);
      throw new TransportError(c.kind, 'GET', url, c.reason, { cause: err, ...(c.code ? { code: c.code } : {}) });
    } finally {
      clearTimeout(timer);
    }
  }

  return { get, close: () => agent.close() };
}
