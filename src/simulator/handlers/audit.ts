/**
 * The session database (`/api/audit/sessions`): a few thousand generated sessions, searched and
 * paginated as the spec documents it (`limit`, 500 by default; `offset`; `fields`; `q` as a
 * simple `property:value` filter; `start`/`end` in ISO 8601 on `creation_time`), one session
 * by key, and its audit trail as a small binary download.
 *
 * Every property of a generated session is one the spec's `Session` schema documents (the
 * vendor sample's); nothing else is made up. The `brokenPagination` switch breaks the page the
 * way an appliance could: `ignore-limit` answers every match from `offset` on, whatever the
 * `limit`; `wrong-match-count` answers a `match_count` that changes with the page. The
 * `pagination` check of sps-conformance catches each.
 */
import { createHash } from 'node:crypto';
import type { Ctx, Reply } from '../appliance/context.js';
import { ApiError, notFound } from '../appliance/api-error.js';

/** How many sessions a node's database holds. */
export const SESSION_COUNT = 3000;
/** The page size without `limit` (the appliance's default). */
export const DEFAULT_LIMIT = 500;
/** A basic search pages through at most this many matches. */
export const SEARCH_WINDOW = 10_000;
/** Bytes of a generated audit trail. */
export const AUDIT_TRAIL_BYTES = 4096;
/** Starts every generated audit trail, so a test can prove no byte of it reaches a report. */
export const AUDIT_TRAIL_MARKER = 'SPS-SIM-AUDIT-TRAIL';

const BASE = '/api/audit/sessions';
const PROTOCOLS = ['SSH', 'RDP', 'HTTP', 'TELNET', 'VNC', 'ICA'] as const;
const START_MS = Date.UTC(2026, 0, 1);

interface StoredSession {
  key: string;
  body: Record<string, unknown>;
}

function keyOf(i: number): string {
  return createHash('sha256').update(`sps-sim-session:${i}`).digest('base64url').replace(/[-_]/g, 'x').slice(0, 22);
}

function generate(i: number, nodeId: string): StoredSession {
  const key = keyOf(i);
  const href = `${BASE}/${key}`;
  const created = START_MS + i * 17 * 60_000;
  const duration = 30 + ((i * 7919) % 5400);
  const active = i >= SESSION_COUNT - 3;
  const body: Record<string, unknown> = {
    active,
    alerts: { href: `${href}/alerts` },
    analytics: { interesting_events: [], scripted: false, scripted_results: {}, similar_sessions: [], tags: [] },
    channels: { href: `${href}/channels` },
    client: { ip: `10.20.${(i >> 8) & 255}.${i & 255}`, name: `10.20.${(i >> 8) & 255}.${i & 255}`, port: 40000 + (i % 20000) },
    creation_time: new Date(created).toISOString(),
    duration,
    ...(active ? {} : { end_time: new Date(created + duration * 1000).toISOString() }),
    events: { href: `${href}/events` },
    hidden: false,
    indexing: { href: `${href}/indexing` },
    node_id: nodeId,
    origin: 'RECORDING',
    phantom: false,
    protocol: PROTOCOLS[i % PROTOCOLS.length],
    recording: {
      archived: false,
      audit_trail: { archive: null, download: { href: `${href}/audit_trail` } },
      auth_method: i % 3 === 0 ? 'publickey' : 'password',
      channel_policy: 'shell-only',
      command_extracted: false,
    },
  };
  return { key, body };
}

const databases = new Map<string, StoredSession[]>();

/** The node's sessions, newest first (generated once per node id). */
export function sessionsOf(nodeId: string): StoredSession[] {
  let db = databases.get(nodeId);
  if (!db) {
    db = Array.from({ length: SESSION_COUNT }, (_, i) => generate(i, nodeId)).reverse();
    databases.set(nodeId, db);
  }
  return db;
}

function invalidQuery(ctx: Ctx, message: string): ApiError {
  return new ApiError(400, 'InvalidQuery', message, { path: ctx.path });
}

function intParam(ctx: Ctx, name: string, fallback: number, min: number): number {
  const raw = ctx.query.get(name);
  if (raw === null) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw invalidQuery(ctx, `The ${name} parameter must be an integer.`);
  const n = Number(raw);
  if (n < min) throw invalidQuery(ctx, `The ${name} parameter must be at least ${min}.`);
  return n;
}

function valueAt(body: Record<string, unknown>, path: string): unknown {
  let cur: unknown = body;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

function setAt(out: Record<string, unknown>, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur = out;
  for (const seg of segs.slice(0, -1)) {
    if (typeof cur[seg] !== 'object' || cur[seg] === null) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
}

/** `q`: terms `property:value` (dotted paths), all of which must hold; `AND` between terms is allowed. */
function parseQuery(ctx: Ctx, q: string): Array<{ path: string; value: string }> {
  if (/[()"]/.test(q)) throw invalidQuery(ctx, 'The query cannot be parsed (the simulator takes property:value terms only).');
  const terms = q.split(/\s+/).filter((t) => t !== '' && t !== 'AND');
  return terms.map((t) => {
    const m = /^([A-Za-z_][\w.]*):(.+)$/.exec(t);
    if (!m) throw invalidQuery(ctx, `The query term "${t.slice(0, 40)}" is not property:value.`);
    return { path: m[1]!, value: m[2]! };
  });
}

function parseTime(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(raw) ? raw : `${raw}Z`);
  if (Number.isNaN(t)) throw invalidQuery(ctx, `The ${name} parameter is not an ISO 8601 time.`);
  return t;
}

/** GET /api/audit/sessions: one page of the search. */
export function searchSessions(ctx: Ctx): Reply {
  const broken = ctx.appliance.behaviour.brokenPagination;
  const limit = intParam(ctx, 'limit', DEFAULT_LIMIT, 1);
  const offset = intParam(ctx, 'offset', 0, 0);
  const fieldsRaw = ctx.query.get('fields') ?? '';
  const fields = fieldsRaw
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const terms = parseQuery(ctx, ctx.query.get('q') ?? '');
  const start = parseTime(ctx, 'start');
  const end = parseTime(ctx, 'end');
  const matches = sessionsOf(ctx.appliance.nodeId).filter((s) => {
    const created = Date.parse(s.body.creation_time as string);
    if (start !== undefined && created < start) return false;
    if (end !== undefined && created >= end) return false;
    return terms.every((t) => String(valueAt(s.body, t.path) ?? '').toLowerCase() === t.value.toLowerCase());
  });
  const reachable = Math.min(matches.length, SEARCH_WINDOW);
  const pageEnd = broken === 'ignore-limit' ? reachable : Math.min(offset + limit, reachable);
  const page = offset < reachable ? matches.slice(offset, pageEnd) : [];
  const items = page.map((s) => {
    const item: Record<string, unknown> = { key: s.key, meta: { href: `${BASE}/${s.key}` } };
    if (fields.length > 0) {
      const body: Record<string, unknown> = {};
      for (const f of fields) {
        const v = valueAt(s.body, f);
        if (v !== undefined) setAt(body, f, structuredClone(v));
      }
      item.body = body;
    }
    return item;
  });
  const extra = new URLSearchParams();
  for (const name of ['q', 'start', 'end']) {
    const v = ctx.query.get(name);
    if (v !== null && v !== '') extra.set(name, v);
  }
  const rest = extra.toString();
  const link = (o: number): string =>
    `${BASE}?limit=${limit}&offset=${o}&fields=${encodeURIComponent(fields.join(',')).replace(/%2C/g, ',')}${rest ? `&${rest}` : ''}`;
  const lastOffset = reachable === 0 ? 0 : Math.floor((reachable - 1) / limit) * limit;
  const matchCount = broken === 'wrong-match-count' ? matches.length + offset + 1 : matches.length;
  return {
    status: 200,
    body: {
      items,
      meta: {
        fields,
        first: link(0),
        href: BASE,
        last: link(lastOffset),
        limit,
        match_count: matchCount,
        next: offset + limit < reachable ? link(offset + limit) : null,
        offset,
        parent: '/api/audit',
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      },
    },
  };
}

/** GET /api/audit/sessions/{id}/indexing: the session's indexing runs, paginated like the search (`limit`, `offset`). */
export function listSessionIndexing(ctx: Ctx): Reply {
  const s = find(ctx);
  const broken = ctx.appliance.behaviour.brokenPagination;
  const limit = intParam(ctx, 'limit', DEFAULT_LIMIT, 1);
  const offset = intParam(ctx, 'offset', 0, 0);
  const i = sessionsOf(ctx.appliance.nodeId).indexOf(s);
  const created = Date.parse(s.body.creation_time as string);
  const runs = Array.from({ length: (i % 3) + 1 }, (_, r) => ({
    config: {
      command: { enabled: true },
      keyboard: { buffer_interval: 3, enabled: false },
      mouse: { buffer_interval: 1, enabled: false },
      near_realtime: false,
      ocr_languages: [],
      screen: { enabled: true, omnipage_trade_off: 'TO_ACCURATE' },
      title: { enabled: true },
    },
    statistics: { cpu_time: 5 + r, duration: 100 + 7 * r, start_time: created + 60_000 * (r + 1) },
    status: 'COMPLETED',
    version: { adp: '6.0.20', worker: '4.0.26' },
  }));
  const href = `${BASE}/${s.key}/indexing`;
  const link = (o: number): string => `${href}?limit=${limit}&offset=${o}`;
  const lastOffset = Math.floor((runs.length - 1) / limit) * limit;
  return {
    status: 200,
    body: {
      items: runs.slice(offset, broken === 'ignore-limit' ? runs.length : offset + limit),
      meta: {
        first: link(0),
        href,
        last: link(lastOffset),
        limit,
        match_count: broken === 'wrong-match-count' ? runs.length + offset + 1 : runs.length,
        next: offset + limit < runs.length ? link(offset + limit) : null,
        offset,
        parent: `${BASE}/${s.key}`,
        previous: offset > 0 ? link(Math.max(0, offset - limit)) : null,
      },
    },
  };
}

function find(ctx: Ctx): StoredSession {
  const key = ctx.params.id ?? '';
  const s = sessionsOf(ctx.appliance.nodeId).find((x) => x.key === key);
  if (!s) throw notFound(ctx.path);
  return s;
}

/** GET /api/audit/sessions/{id}: one session. */
export function getSession(ctx: Ctx): Reply {
  const s = find(ctx);
  return { status: 200, body: { key: s.key, body: structuredClone(s.body), meta: { href: `${BASE}/${s.key}`, parent: BASE } } };
}

/** GET /api/audit/sessions/{id}/audit_trail: a small binary file (never JSON). */
export function downloadAuditTrail(ctx: Ctx): Reply {
  const s = find(ctx);
  const data = Buffer.alloc(AUDIT_TRAIL_BYTES);
  const head = Buffer.from(`${AUDIT_TRAIL_MARKER} ${s.key}\n`, 'latin1');
  head.copy(data);
  const seed = createHash('sha256').update(s.key).digest();
  for (let i = head.length; i < data.length; i++) data[i] = seed[i % seed.length]! ^ (i & 0xff);
  const srs = ctx.query.get('format') === 'srs';
  return {
    status: 200,
    body: data,
    headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${s.key}.${srs ? 'srs' : 'zat'}"` },
  };
}

/** The documented example answer of a GET, with `meta.href`/`meta.parent` naming the request path. */
function exampleFor(ctx: Ctx, template: string): Reply {
  const op = ctx.appliance.spec.operation('GET', template);
  const doc = op?.responses.find((r) => r.status === '200')?.json;
  const examples = doc?.examples ?? {};
  const value = structuredClone('default' in examples ? examples.default : Object.values(examples)[0]) ?? {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    const meta = v.meta !== null && typeof v.meta === 'object' ? (v.meta as Record<string, unknown>) : undefined;
    if (meta) {
      meta.href = ctx.path;
      meta.parent = ctx.path.slice(0, ctx.path.lastIndexOf('/'));
    }
  }
  return { status: 200, body: value };
}

/**
 * A sub-resource of one session (alerts, channels, content search): 404 for a session the
 * database does not hold, else the documented example answer.
 */
export function sessionChild(template: string): (ctx: Ctx) => Reply {
  return (ctx) => {
    find(ctx);
    return exampleFor(ctx, template);
  };
}

/**
 * A member (`.../{id}`) answered from the documented examples: 404 unless the id is a key the
 * listing's example lists (a firmware slot, a firmware download); the member's own example when
 * its key is the id, else the listing's item in a member envelope.
 */
export function exampleMember(template: string): (ctx: Ctx) => Reply {
  const parent = template.slice(0, template.lastIndexOf('/'));
  return (ctx) => {
    const id = ctx.params.id ?? '';
    const listing = exampleFor(ctx, parent).body as { items?: Array<Record<string, unknown>> };
    const item = (listing.items ?? []).find((it) => it.key === id);
    if (!item) throw notFound(ctx.path);
    const own = exampleFor(ctx, template);
    if ((own.body as Record<string, unknown>).key === id) return own;
    return {
      status: 200,
      body: { key: id, body: structuredClone(item.body ?? {}), meta: { href: ctx.path, parent: ctx.path.slice(0, ctx.path.lastIndexOf('/')) } },
    };
  };
}
