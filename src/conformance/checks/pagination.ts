/**
 * `pagination`: a paginated read (a GET with `limit` and `offset` query parameters, such as the
 * session search) pages as documented. On every ordinary answer the page holds at most
 * `meta.limit` items. Live, per paginated read and node, read-only and with a page of
 * {@link PAGE} items (a handful of small requests, also on a node with millions of sessions):
 * the first page, the page at offset 1 (the window moves by one), the page `meta.next` links to
 * and the one `meta.last` links to (valid requests that return the neighbouring pages), the page
 * with `fields` from the parameter's example (only those fields come back), a `limit` that is
 * not an integer and, where the read takes `q`, a query that cannot be parsed (both the
 * documented 400). `match_count` must agree across the pages; a count that moved because the
 * data moved (sessions recorded meanwhile) is told apart by reading the first page again.
 */
import { isObject, jsonEqual } from '../../shared/index.js';
import { documentedResponse, type OperationModel } from '../../model/operations.js';
import { NORMAL, resultFor, type CheckDefinition, type Exchange, type LiveNode, type Outcome, type ProbeDefinition } from '../check-api.js';
import { describeAnswer, errorTypeOf, requestPath } from './util.js';

const check = 'pagination';

/** The page size of the live sequence. */
export const PAGE = 2;
/** A `limit` no appliance can take (the parameter is an integer). */
export const BAD_LIMIT = 'not-a-number';
/** A `q` no search syntax can parse (an unbalanced parenthesis). */
export const BAD_QUERY = 'protocol:(';

/** A request of the live page sequence (driven by this check's `live`). */
export const PAGINATION: ProbeDefinition = { kind: 'pagination', order: 7, label: 'a page of a paginated read' };

/** A GET with `limit` and `offset` query parameters and a JSON 200 answer. */
export function isPaginated(op: OperationModel): boolean {
  if (op.method !== 'GET') return false;
  const query = new Set(op.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  return query.has('limit') && query.has('offset') && documentedResponse(op, 200)?.json !== undefined;
}

interface Page {
  items: unknown[];
  meta: Record<string, unknown>;
}

function pageOf(ex: Exchange | undefined): Page | undefined {
  const body = ex?.response?.status === 200 ? ex.response.json : undefined;
  if (!isObject(body) || !Array.isArray(body.items) || !isObject(body.meta)) return undefined;
  return { items: body.items, meta: body.meta };
}

/** What tells items apart: the key, or the whole item where items carry none. */
function identity(item: unknown): string {
  return isObject(item) && typeof item.key === 'string' ? item.key : JSON.stringify(item);
}

function withQuery(base: string, query: Record<string, string>): string {
  return `${base}?${new URLSearchParams(query).toString()}`;
}

function queryParam(op: OperationModel, name: string): boolean {
  return op.parameters.some((p) => p.in === 'query' && p.name === name);
}

/** The first field name of the `fields` parameter's example (`protocol,start_time` -> `protocol`). */
function exampleField(op: OperationModel): string | undefined {
  const p = op.parameters.find((x) => x.in === 'query' && x.name === 'fields');
  if (!p) return undefined;
  const schema = isObject(p.schema) ? p.schema : {};
  const example = p.example ?? schema.example;
  const first = typeof example === 'string' ? example.split(',')[0]?.trim() : Array.isArray(example) ? String(example[0]) : undefined;
  return first || undefined;
}

const REQUESTS_PER_READ = 7;

export const pagination: CheckDefinition = {
  name: check,
  passes:
    'a paginated read (a GET with `limit` and `offset`) never answers more items than `meta.limit`; live, per paginated read and node, read-only with `limit=2` (7 small requests): `offset` moves the window, `meta.limit`/`meta.offset` echo the request, `match_count` agrees across pages, `meta.next` and `meta.last` are requests that return the neighbouring and the last page, `fields` returns only the selected fields, and a `limit` that is not an integer (and, where the read takes `q`, an unparsable query) answers the documented 400',
  mock: 'checked for the page size of each example; the page sequence is live only (Prism keeps no data, its pages do not move with `offset`)',
  probes: [NORMAL, PAGINATION],
  run: (_ctx, ex) => {
    if (ex.probe !== NORMAL.kind || !isPaginated(ex.op)) return [];
    const page = pageOf(ex);
    if (!page || typeof page.meta.limit !== 'number') return [];
    const limit = page.meta.limit;
    if (page.items.length > limit) return [resultFor(ex, check, 'failed', `the page holds ${page.items.length} items, more than its meta.limit ${limit}`)];
    return [resultFor(ex, check, 'passed', `the page holds ${page.items.length} items, at most its meta.limit ${limit}`)];
  },
  live: pageSequences,
  livePlanned: ({ ops, roles }) =>
    ops
      .filter((o) => isPaginated(o) && roles.get(o) === 'read')
      .reduce(
        (n, o) =>
          n + REQUESTS_PER_READ - (queryParam(o, 'q') ? 0 : 1) - (exampleField(o) ? 0 : 1) - (documentedResponse(o, 400) ? 0 : queryParam(o, 'q') ? 2 : 1),
        0,
      ),
};

async function pageSequences(env: LiveNode): Promise<void> {
  for (const op of env.ops) {
    if (!isPaginated(op) || env.roles.get(op) !== 'read') continue;
    if (env.givenUp()) return;
    const base = op.pathParams.length > 0 ? env.concrete.get(op) : op.path;
    if (!base) {
      env.skip(op, PAGINATION.kind, check, op.path, 'not checked: the run found no object for its path parameters');
      continue;
    }
    await pageSequence(env, op, base);
  }
}

async function pageSequence(env: LiveNode, op: OperationModel, base: string): Promise<void> {
  const row = (ex: Exchange, outcome: Outcome, message: string): void => env.row(ex, resultFor(ex, check, outcome, message));
  const get = (path: string): Promise<Exchange | undefined> => env.send(op, PAGINATION.kind, path, 'session');
  const pageOrRow = (ex: Exchange, what: string): Page | undefined => {
    const page = pageOf(ex);
    if (!page) row(ex, 'failed', `${what}: expected a 200 page (items and meta), received ${describeAnswer(ex)}`);
    return page;
  };
  /** Problems of one page read with `limit=PAGE` at `offset`. */
  const shapeProblems = (page: Page, offset: number | undefined): string[] => {
    const out: string[] = [];
    if (page.items.length > PAGE) out.push(`${page.items.length} items on a page of limit ${PAGE}`);
    if (page.meta.limit !== PAGE) out.push(`meta.limit is ${JSON.stringify(page.meta.limit)}, not the requested ${PAGE}`);
    if (offset !== undefined && page.meta.offset !== offset) out.push(`meta.offset is ${JSON.stringify(page.meta.offset)}, not ${offset}`);
    return out;
  };

  // 1. The first page.
  const firstEx = await get(withQuery(base, { limit: String(PAGE), offset: '0' }));
  if (!firstEx) return;
  const first = pageOrRow(firstEx, `limit=${PAGE}&offset=0`);
  if (!first) return;
  const count = first.meta.match_count;
  const problems = shapeProblems(first, 0);
  if (typeof count !== 'number') problems.push('meta.match_count is missing');
  if (first.meta.previous !== null && first.meta.previous !== undefined)
    problems.push(`meta.previous of the first page is ${JSON.stringify(first.meta.previous)}, not null`);
  row(
    firstEx,
    problems.length > 0 ? 'failed' : 'passed',
    problems.length > 0
      ? `first page: ${problems.join('; ')}`
      : `first page: ${first.items.length} items, meta.limit ${PAGE}, meta.offset 0, match_count ${String(count)}`,
  );

  /** Compares a later page's match_count; a moved count is re-read on the first page to tell moved data apart. */
  const sameCount = async (ex: Exchange, page: Page, what: string): Promise<boolean> => {
    if (page.meta.match_count === count) return true;
    const again = pageOf(await get(withQuery(base, { limit: String(PAGE), offset: '0' })));
    if (again && again.meta.match_count === page.meta.match_count) {
      row(
        ex,
        'warning',
        `${what}: match_count moved from ${String(count)} to ${String(page.meta.match_count)}, and the first page says so too: the data changed during the check (not a pagination fault); not compared`,
      );
    } else {
      row(
        ex,
        'failed',
        `${what}: match_count is ${JSON.stringify(page.meta.match_count)}, the first page said ${String(count)} (and says ${JSON.stringify(again?.meta.match_count)} when read again): match_count does not agree across pages`,
      );
    }
    return false;
  };

  // 2. offset=1: the window moves by one.
  const secondEx = await get(withQuery(base, { limit: String(PAGE), offset: '1' }));
  if (!secondEx) return;
  const second = pageOrRow(secondEx, `limit=${PAGE}&offset=1`);
  if (second && (await sameCount(secondEx, second, 'offset=1'))) {
    const p = shapeProblems(second, 1);
    const moved = first.items.length >= 2 && second.items.length >= 1 ? identity(second.items[0]) === identity(first.items[1]) : true;
    if (!moved) p.push('its first item is not the second item of the first page (offset does not move the window)');
    row(
      secondEx,
      p.length > 0 ? 'failed' : 'passed',
      p.length > 0 ? `offset=1: ${p.join('; ')}` : `offset=1: the window moved by one item, match_count ${String(count)}`,
    );
  }

  // 3. The page links: each a path of this read with a query string; next and last are followed.
  const links = ['first', 'last', 'next', 'previous'] as const;
  const badLinks = links.filter((k) => {
    const v = first.meta[k];
    if (v === null || v === undefined) return k === 'first' || k === 'last';
    return typeof v !== 'string' || requestPath({ path: v } as Exchange) !== base || !v.includes('?');
  });
  if (badLinks.length > 0) {
    row(
      firstEx,
      'failed',
      `page links: ${badLinks.map((k) => `meta.${k} is ${JSON.stringify(first.meta[k])}`).join('; ')} (expected ${base}?... with the page's query)`,
    );
  }
  const total = typeof count === 'number' ? count : 0;
  const next = first.meta.next;
  if (total > PAGE && (next === null || next === undefined))
    row(firstEx, 'failed', `page links: meta.next is null, but match_count ${total} needs more than one page of ${PAGE}`);
  if (typeof next === 'string' && !badLinks.includes('next')) {
    const ex = await get(next);
    if (!ex) return;
    const page = pageOrRow(ex, `meta.next (${next})`);
    if (page && (await sameCount(ex, page, `meta.next (${next})`))) {
      const p = shapeProblems(page, PAGE);
      const follows = second && second.items.length >= 2 && page.items.length >= 1 ? identity(page.items[0]) === identity(second.items[1]) : true;
      if (!follows) p.push('its first item is not the item after the first page');
      row(
        ex,
        p.length > 0 ? 'failed' : 'passed',
        p.length > 0 ? `meta.next (${next}): ${p.join('; ')}` : `meta.next (${next}): the second page, match_count ${String(count)}`,
      );
    }
  }
  const last = first.meta.last;
  if (typeof last === 'string' && !badLinks.includes('last')) {
    const ex = await get(last);
    if (!ex) return;
    const page = pageOrRow(ex, `meta.last (${last})`);
    if (page && (await sameCount(ex, page, `meta.last (${last})`))) {
      const p = shapeProblems(page, undefined);
      if (page.meta.next !== null && page.meta.next !== undefined) p.push(`meta.next of the last page is ${JSON.stringify(page.meta.next)}, not null`);
      if (total > 0 && page.items.length === 0) p.push('the last page holds no items although match_count is not 0');
      if (typeof page.meta.offset === 'number' && typeof first.meta.offset === 'number' && page.meta.offset < first.meta.offset)
        p.push(`meta.offset ${page.meta.offset} is before the first page`);
      row(
        ex,
        p.length > 0 ? 'failed' : 'passed',
        p.length > 0
          ? `meta.last (${last}): ${p.join('; ')}`
          : `meta.last (${last}): the last page, ${page.items.length} items at offset ${String(page.meta.offset)}`,
      );
    }
  }

  // 4. fields: only the selected field comes back.
  const field = exampleField(op);
  if (field) {
    const ex = await get(withQuery(base, { limit: String(PAGE), offset: '0', fields: field }));
    if (!ex) return;
    const page = pageOrRow(ex, `fields=${field}`);
    if (page) {
      const top = field.split('.')[0]!;
      const extra = new Set<string>();
      for (const item of page.items) {
        const body = isObject(item) ? item.body : undefined;
        if (isObject(body)) for (const k of Object.keys(body)) if (k !== top) extra.add(k);
      }
      const p: string[] = [];
      if (extra.size > 0) p.push(`items carry fields that were not selected: ${[...extra].slice(0, 5).join(', ')}`);
      if (page.meta.fields !== undefined && !jsonEqual(page.meta.fields, [field]))
        p.push(`meta.fields is ${JSON.stringify(page.meta.fields)}, not ["${field}"]`);
      row(ex, p.length > 0 ? 'failed' : 'passed', p.length > 0 ? `fields=${field}: ${p.join('; ')}` : `fields=${field}: only the selected field came back`);
    }
  }

  // 5. A limit that is not an integer, and an unparsable query: the documented 400.
  const refused = async (query: Record<string, string>, what: string): Promise<void> => {
    if (!documentedResponse(op, 400)) {
      env.skip(op, PAGINATION.kind, check, withQuery(base, query), `${what}: not sent: ${op.operationId} documents no 400 to expect`);
      return;
    }
    const ex = await get(withQuery(base, query));
    if (!ex) return;
    const doc = documentedResponse(op, 400);
    if (!doc) return;
    const status = ex.response?.status;
    const type = errorTypeOf(ex.response?.json);
    const typeOk = doc.errorTypes.length === 0 || (typeof type === 'string' && doc.errorTypes.includes(type));
    const ok = status === 400 && typeOk;
    row(
      ex,
      ok ? 'passed' : 'failed',
      ok
        ? `${what}: refused with ${describeAnswer(ex)}, as documented`
        : `${what}: expected the documented 400 (${doc.errorTypes.join(', ') || 'an error body'}), received ${describeAnswer(ex)}`,
    );
  };
  await refused({ limit: BAD_LIMIT }, `limit=${BAD_LIMIT}`);
  if (queryParam(op, 'q')) await refused({ limit: String(PAGE), q: BAD_QUERY }, `q=${BAD_QUERY}`);
}
