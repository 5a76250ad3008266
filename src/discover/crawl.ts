/**
 * The read-only crawl of one SPS node: one login (HTTP Basic at `GET /api/authentication`, the
 * `session_id` cookie), then GET only, breadth first from `/api` (and `/api/info`, where the
 * version is, and the login methods), following `items[].meta.href` and every path in `meta`. Fragments and queries are
 * dropped and each path is fetched once. Collections of objects by id are sampled. Bounded by
 * `maxRequests`; a node with 3 transport failures in a row is given up.
 */
import { findSetCookie, isObject } from '../shared/index.js';
import { TransportError } from '../http/transport.js';
import type { SecretRegistry } from '../redact.js';
import { createCrawlHttp, type CrawlResponse } from './http.js';

export type Shape = 'directory' | 'list' | 'object' | 'other';

export interface Endpoint {
  path: string;
  /** 0 when the request got no HTTP answer. */
  status: number;
  contentType: string;
  shape: Shape;
  /** Why the body was not kept (binary download, too large, ...). */
  bodySkipped?: CrawlResponse['bodySkipped'];
  /** Transport failure, redacted. */
  error?: string;
  /** The parsed JSON body: in memory only (for the drafts), never written to a report. */
  body?: unknown;
}

export interface SampledCollection {
  path: string;
  listed: number;
  sampled: string[];
}

export interface NodeCrawl {
  node: string;
  url: string;
  version?: string;
  /** Set when the crawl could not run or stopped early: login failure, dead node. */
  fatal?: string;
  endpoints: Endpoint[];
  collections: SampledCollection[];
  requests: number;
  logins: number;
  /** Paths left in the queue when `maxRequests` was hit (0 when the crawl completed). */
  boundHit: number;
  durationMs: number;
}

export interface CrawlOptions {
  node: string;
  /** Origin (optionally with a base path), without a trailing `/api`. */
  baseUrl: string;
  username: string;
  password: string;
  ca?: string | Buffer;
  insecure?: boolean;
  timeoutMs: number;
  concurrency: number;
  maxRequests: number;
  /** Items fetched per collection of objects by id (default 3). */
  sampleSize?: number;
  userAgent: string;
  secrets: SecretRegistry;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /**
   * Paths asked besides the ones the directories link to: the spec's own GET paths without a
   * parameter (the transaction's change log, ...), so that a served endpoint of the contract is
   * never reported as missing only because no directory lists it.
   */
  extraPaths?: readonly string[];
}

export const LOGIN_PATH = '/api/authentication';
/**
 * Where the walk starts. `/api/info` and `/api/authentication/login_methods` are listed by no
 * directory (the login path is the one GET the crawl must not repeat), so they are seeds.
 */
const SEEDS = ['/api', '/api/info', '/api/authentication/login_methods'];
const MAX_CONSECUTIVE_FAILURES = 3;

/** `/api/a/b#x?y` -> `/api/a/b`; undefined for anything that is not a path under /api. */
export function normalisePath(href: unknown): string | undefined {
  if (typeof href !== 'string') return undefined;
  let p = href.split('#')[0]!.split('?')[0]!;
  if (/^https?:\/\//i.test(p)) {
    try {
      p = new URL(p).pathname;
    } catch {
      return undefined;
    }
  }
  p = p.replace(/\/+$/, '');
  if (p !== '/api' && !p.startsWith('/api/')) return undefined;
  return p;
}

/** A key that names an instance rather than a kind: numbers, UUIDs, long hex or digit-laden tokens. */
export function isIdLike(key: string): boolean {
  return (
    /^-?\d+$/.test(key) ||
    /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(key) ||
    /^[0-9a-f]{8,}$/i.test(key) ||
    (key.length >= 8 && (key.match(/\d/g)?.length ?? 0) >= 4)
  );
}

function lastSegment(path: string): string {
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

/** Whether a listing's items are instances of one template (objects by id): sampled, not walked. */
export function isCollection(items: unknown[]): boolean {
  const entries = items.filter(isObject);
  if (entries.length === 0) return false;
  if (entries.some((i) => 'body' in i)) return true;
  const keys = entries.map((i) => (typeof i.key === 'string' ? i.key : lastSegment(String(isObject(i.meta) ? i.meta.href : ''))));
  return entries.length >= 2 && keys.filter(isIdLike).length * 2 >= keys.length;
}

function shapeOf(json: unknown, collection: boolean): Shape {
  if (!isObject(json)) return 'other';
  if (Array.isArray(json.items)) return collection ? 'list' : 'directory';
  return 'object';
}

/** Every path a body links to: `items[].meta.href` and the string values of `meta`. */
export function linksOf(json: unknown): { items: string[]; meta: string[] } {
  const items: string[] = [];
  const meta: string[] = [];
  if (!isObject(json)) return { items, meta };
  if (Array.isArray(json.items)) {
    for (const item of json.items) {
      const p = isObject(item) && isObject(item.meta) ? normalisePath(item.meta.href) : undefined;
      if (p) items.push(p);
    }
  }
  if (isObject(json.meta)) {
    for (const v of Object.values(json.meta)) {
      const p = normalisePath(v);
      if (p) meta.push(p);
    }
  }
  return { items, meta };
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

export async function crawlNode(o: CrawlOptions): Promise<NodeCrawl> {
  const started = Date.now();
  const sampleSize = o.sampleSize ?? 3;
  const http = createCrawlHttp({
    ...(o.ca !== undefined ? { ca: o.ca } : {}),
    ...(o.insecure ? { insecure: true } : {}),
    timeoutMs: o.timeoutMs,
    userAgent: o.userAgent,
  });
  const result: NodeCrawl = { node: o.node, url: o.baseUrl, endpoints: [], collections: [], requests: 0, logins: 0, boundHit: 0, durationMs: 0 };
  const progress = (line: string): void => o.onProgress?.(o.secrets.redact(`${o.node}: ${line}`));
  const finish = async (): Promise<NodeCrawl> => {
    await http.close();
    result.durationMs = Date.now() - started;
    return result;
  };

  // The one login.
  let session: string | undefined;
  o.secrets.addBasicCredentials(o.username, o.password, 'password');
  const basic = `Basic ${Buffer.from(`${o.username}:${o.password}`, 'utf8').toString('base64')}`;
  o.secrets.add(basic, 'password');
  try {
    result.requests++;
    result.logins++;
    const res = await http.get(`${o.baseUrl}${LOGIN_PATH}`, { accept: 'application/json', authorization: basic }, o.signal);
    session = res.status === 200 ? findSetCookie(res.setCookies, 'session_id') : undefined;
    result.endpoints.push({ path: LOGIN_PATH, status: res.status, contentType: res.contentType, shape: shapeOf(res.json, false) });
    if (session === undefined) {
      result.fatal = res.status === 200 ? 'login answered 200 but set no session_id cookie' : `login failed: GET ${LOGIN_PATH} answered ${res.status}`;
      return await finish();
    }
    o.secrets.add(session, 'session_id');
  } catch (err) {
    result.fatal = `node unreachable: ${o.secrets.redact(err instanceof TransportError ? err.reason : String(err))}`;
    return await finish();
  }
  progress('logged in');

  const extra = (o.extraPaths ?? []).filter((p) => p !== LOGIN_PATH && !SEEDS.includes(p));
  const seen = new Set<string>([LOGIN_PATH, ...SEEDS]);
  const queue: string[] = [...SEEDS];
  /** Sampled collection -> the children that may be fetched. */
  const sampled = new Map<string, Set<string>>();
  let inFlight = 0;
  let failures = 0;

  const enqueue = (path: string): void => {
    if (seen.has(path)) return;
    const allowed = sampled.get(parentOf(path));
    if (allowed && !allowed.has(path)) return; // another instance of a sampled collection
    seen.add(path);
    queue.push(path);
  };

  const fetchOne = async (path: string): Promise<void> => {
    let res: CrawlResponse;
    try {
      res = await http.get(`${o.baseUrl}${path}`, { accept: 'application/json', cookie: `session_id=${session}` }, o.signal);
    } catch (err) {
      const reason = o.secrets.redact(err instanceof TransportError ? err.reason : String(err));
      result.endpoints.push({ path, status: 0, contentType: '', shape: 'other', error: reason });
      failures++;
      if (failures >= MAX_CONSECUTIVE_FAILURES && !result.fatal) {
        result.fatal = `node went away: ${failures} requests in a row got no HTTP answer (last: GET ${path}: ${reason})`;
      }
      return;
    }
    failures = 0;
    // A spec path asked besides the links that the node does not serve is no endpoint of the node.
    if (res.status === 404 && extra.includes(path)) return;
    if (res.json !== undefined) o.secrets.addFromJson(res.json, 'secret');
    const { items, meta } = linksOf(res.json);
    const collection = isObject(res.json) && Array.isArray(res.json.items) && isCollection(res.json.items);
    const ep: Endpoint = { path, status: res.status, contentType: res.contentType, shape: shapeOf(res.json, collection) };
    if (res.bodySkipped) ep.bodySkipped = res.bodySkipped;
    if (res.json !== undefined && res.status >= 200 && res.status < 300) ep.body = res.json;
    result.endpoints.push(ep);
    if (path === '/api/info' && isObject(res.json) && isObject(res.json.body) && typeof res.json.body.firmware_version === 'string') {
      result.version = res.json.body.firmware_version;
    }
    if (collection) {
      const sample = items.slice(0, sampleSize);
      sampled.set(path, new Set(sample));
      result.collections.push({ path, listed: items.length, sampled: sample });
      sample.forEach(enqueue);
    } else {
      items.forEach(enqueue);
    }
    meta.forEach(enqueue);
  };

  const drain = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const pump = (): void => {
        while (inFlight < o.concurrency && queue.length > 0 && !result.fatal && !o.signal?.aborted && result.requests < o.maxRequests) {
          const path = queue.shift()!;
          inFlight++;
          result.requests++;
          if (result.requests % 25 === 0) progress(`${result.requests} requests, ${queue.length} queued`);
          void fetchOne(path).finally(() => {
            inFlight--;
            pump();
          });
        }
        if (inFlight === 0) resolve();
      };
      pump();
    });
  await drain();
  // Then the spec's own GET paths that no directory linked to (the transaction's change log).
  const unseen = extra.filter((p) => !seen.has(p));
  if (unseen.length > 0 && !result.fatal && !o.signal?.aborted && result.requests < o.maxRequests) {
    for (const p of unseen) seen.add(p);
    queue.push(...unseen);
    await drain();
  }
  if (queue.length > 0 && !result.fatal && result.requests >= o.maxRequests) result.boundHit = queue.length;
  if (o.signal?.aborted && !result.fatal) result.fatal = `stopped by ${String(o.signal.reason ?? 'a signal')}`;
  progress(
    `done: ${result.endpoints.length} paths fetched (sampled instances of one template count once in the report), ${result.requests} requests${result.boundHit ? `, --max-requests hit with ${result.boundHit} paths not fetched` : ''}`,
  );
  return await finish();
}
