/**
 * The discovery crawl's GET: the project's one transport (`src/http/transport.ts`: undici, TLS
 * verified unless `insecure`, one whole-request timeout, errors as {@link TransportError}) with
 * its `jsonOnly` and `maxBodyBytes` options, so that a binary download or a huge listing is
 * abandoned unread.
 */
import { createTransport } from '../http/transport.js';

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
  durationMs: number;
}

export interface CrawlHttp {
  get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<CrawlResponse>;
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export function createCrawlHttp(o: CrawlHttpOptions): CrawlHttp {
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const transport = createTransport({
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.insecure ? { insecure: true } : {}),
    timeoutMs: o.timeoutMs,
    userAgent: o.userAgent,
  });

  async function get(url: string, headers: Record<string, string>, signal?: AbortSignal): Promise<CrawlResponse> {
    const res = await transport.request({ method: 'GET', url, headers, jsonOnly: true, maxBodyBytes, ...(signal ? { signal } : {}) });
    const base = { status: res.status, contentType: res.headers['content-type'] ?? '', setCookies: res.setCookies, durationMs: res.durationMs };
    if (res.bodySkipped) return { ...base, bodySkipped: res.bodySkipped };
    if (res.bodyText.trim() === '') return { ...base, bodySkipped: 'empty' };
    if (res.json === undefined) return { ...base, bodySkipped: 'unparsable' };
    return { ...base, json: res.json };
  }

  return { get, close: () => transport.close() };
}
