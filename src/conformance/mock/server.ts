/**
 * The mock the runner starts: Prism's own HTTP server and mock engine (`@stoplight/prism-http`,
 * `@stoplight/prism-http-server`, the code behind `prism mock`), with three costs of the CLI
 * taken out:
 *
 * - Routing. Prism's router scores and sorts every operation of the spec on every request, so
 *   a request costs more the bigger the spec. Here each request is handed to Prism's router
 *   with only the operations that can match it: same method, same number of path segments,
 *   the literal segments equal, then Prism's own `matchPath` decides; the candidates keep their
 *   order in the spec, so Prism picks the same one it would have picked from all of them. A
 *   request no operation matches gets the whole list, so Prism answers its own 404/405.
 * - Logging. `prism mock` writes six or more log lines per request through pino, a JSON repair
 *   step and signale; here only the listening line and errors are written.
 * - Compiling the same validator again for every operation. Prism caches a compiled JSON Schema
 *   validator per schema object, but the spec's loader gives every operation its own copy of a
 *   shared schema (the error body, a `$ref`'d component), each with its own `x-stoplight.id`:
 *   so each operation's first answer compiled the validators again. Here operations share one
 *   object per distinct schema (and per distinct parameter list), so Prism's cache is hit.
 * - The CLI itself (yargs, the file watcher, the cluster fork), and loading faker: Prism uses it
 *   only for dynamic answers (`Prefer: dynamic=true`), so it is loaded on first use.
 *
 * Answers are Prism's: same negotiation (`Prefer: code=, example=`), same security and input
 * validation (401 with `sl-violations` without the cookie), same serialisation
 * (tests/conformance/mock-server.test.ts compares both on every request of a mock run).
 *
 *   node [--import tsx] src/conformance/mock/server.ts mock SPEC [--port 0] [--host 127.0.0.1]
 *
 * It prints `Prism is listening on http://HOST:PORT` like `prism mock`, so `startPrism()` reads
 * either. The word `mock` and the spec path are on its command line, like Prism's.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The subset of Prism's IHttpOperation this file reads. */
interface Operation {
  method: string;
  path: string;
}
interface RouteInput {
  resources: Operation[];
  input: { method: string; url: { path: string } };
}
type Route = (args: RouteInput) => unknown;
/** Prism's `matchPath`: an fp-ts Either of a MatchType (`concrete`, `templated`, `no-match`). */
type MatchPath = (request: string, template: string) => { _tag: string; right?: string };

interface PrismHttp {
  getHttpOperationsFromSpec(spec: string | object): Promise<Operation[]>;
}
interface PrismHttpServer {
  createServer(
    operations: Operation[],
    opts: { cors: boolean; config: Record<string, unknown>; components: Record<string, unknown> },
  ): { listen(port: number, host: string): Promise<string>; close(): Promise<void> };
}

/**
 * A pino-shaped logger that drops everything but Prism's fatal errors and the requests it could
 * not answer ("Request terminated with error", e.g. no route): one line each on stderr, where
 * `startPrism()` keeps the last few. Prism logs every answer to a request without a cookie as an
 * error too (a violation of the security scheme); those are expected answers and not written.
 */
function quietLogger(name: string): Record<string, unknown> {
  const noop = (): void => undefined;
  const text = (args: unknown[]): string =>
    args
      .map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : ''))
      .filter(Boolean)
      .join(' ');
  const write = (msg: string): void => void (msg && process.stderr.write(`[${name}] ${msg}\n`));
  const logger: Record<string, unknown> = {
    trace: noop,
    debug: noop,
    info: noop,
    success: noop,
    start: noop,
    warn: noop,
    error: (...args: unknown[]): void => {
      const msg = text(args);
      if (msg.startsWith('Request terminated with error')) write(msg);
    },
    fatal: (...args: unknown[]): void => write(text(args)),
    level: 'error',
  };
  logger.child = (bindings?: { name?: string }) => quietLogger(bindings?.name ?? name);
  return logger;
}

interface Candidate {
  op: Operation;
  index: number;
  segments: string[];
  /** Per segment: the literal text, or undefined for a templated segment. */
  literal: Array<string | undefined>;
}

function decodeSegment(s: string): string {
  try {
    return s && decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A router that hands Prism's router only the operations that can match the request. Prism's
 * `matchPath` is what decides a match (templated segments match any text, even empty), so the
 * prefilter only drops operations that `matchPath` would reject: another method, another
 * segment count, or a literal segment that differs.
 */
export function narrowingRoute(operations: Operation[], prismRoute: Route, matchPath: MatchPath, noMatch: string): Route {
  const buckets = new Map<string, Candidate[]>();
  operations.forEach((op, index) => {
    const segments = op.path.split('/').slice(1).map(decodeSegment);
    const key = `${op.method.toLowerCase()} ${segments.length}`;
    const literal = segments.map((s) => (/{(.+)}/.test(s) ? undefined : s));
    let list = buckets.get(key);
    if (!list) buckets.set(key, (list = []));
    list.push({ op, index, segments, literal });
  });
  const cache = new Map<string, Operation[] | undefined>();
  return ({ resources, input }) => {
    const path = input.url.path;
    const method = input.method.toLowerCase();
    const cacheKey = `${method} ${path}`;
    let narrowed = cache.get(cacheKey);
    if (narrowed === undefined && !cache.has(cacheKey)) {
      narrowed = undefined;
      if (path.startsWith('/')) {
        const req = path.split('/').slice(1).map(decodeSegment);
        const found = (buckets.get(`${method} ${req.length}`) ?? []).filter((c) => {
          if (!c.literal.every((l, i) => l === undefined || l === req[i])) return false;
          const m = matchPath(path, c.op.path);
          return m._tag === 'Right' && m.right !== noMatch;
        });
        if (found.length > 0) narrowed = found.map((c) => c.op);
      }
      if (cache.size > 50_000) cache.clear();
      cache.set(cacheKey, narrowed);
    }
    // Nothing matches: Prism's router sees every operation and answers its own 404/405.
    return prismRoute({ resources: narrowed ?? resources, input });
  };
}

/**
 * Puts a stand-in for `@faker-js/faker` into the module cache of Prism's generator: loading
 * faker is a sixth of Prism's start, and a static mock never calls it. Its `faker`/`default`
 * export loads the real module the first time something reads it (a `dynamic=true` request).
 */
export function deferFaker(): void {
  const generator = require.resolve('@stoplight/prism-http/dist/mocker/generator/JSONSchema.js');
  const file = createRequire(generator).resolve('@faker-js/faker');
  if (require.cache[file]) return;
  let real: Record<string, unknown> | undefined;
  const load = (): Record<string, unknown> => {
    if (!real) {
      delete require.cache[file];
      real = require(file) as Record<string, unknown>;
    }
    return real;
  };
  // Prism's generator hands `faker.default` to json-schema-faker at load time (which keeps it):
  // that object is a stand-in too, which loads faker when one of its members is read.
  const lazyFaker = new Proxy({} as Record<string, unknown>, {
    get: (_t, key) => (load().default as Record<string | symbol, unknown>)[key],
    has: (_t, key) => key in (load().default as object),
  });
  const exports = new Proxy({} as Record<string, unknown>, {
    get: (_t, key) => (key === '__esModule' ? true : key === 'default' || key === 'faker' ? lazyFaker : load()[key as string]),
    has: (_t, key) => key in load(),
  });
  require.cache[file] = { id: file, filename: file, loaded: true, exports, children: [], paths: [] } as unknown as NodeJS.Module;
}

/** Identity of a schema or parameter list for sharing: its JSON without the loader's ids. */
function contentKey(value: unknown): string {
  return JSON.stringify(value, (k, v: unknown) => (k === 'x-stoplight' || k === 'id' ? undefined : v));
}

/**
 * Makes operations share one object per distinct schema and per distinct parameter list, so
 * that Prism's validator caches (keyed by object) compile each once per run rather than once
 * per operation. Returns how many distinct schemas there are, and how many were seen.
 */
export function shareIdenticalSchemas(operations: unknown[]): { schemas: number; seen: number } {
  const schemas = new Map<string, unknown>();
  const lists = new Map<string, unknown>();
  let seen = 0;
  const share = (holder: Record<string, unknown>): void => {
    if (holder.schema === undefined || holder.schema === null || typeof holder.schema !== 'object') return;
    seen++;
    const key = contentKey(holder.schema);
    const known = schemas.get(key);
    if (known) holder.schema = known;
    else schemas.set(key, holder.schema);
  };
  const shareList = (owner: Record<string, unknown>, field: string): void => {
    const list = owner[field];
    if (!Array.isArray(list) || list.length === 0) return;
    for (const p of list) if (p && typeof p === 'object') share(p as Record<string, unknown>);
    const key = `${field} ${contentKey(list)}`;
    const known = lists.get(key);
    if (known) owner[field] = known;
    else lists.set(key, list);
  };
  // biome-ignore lint/suspicious/noExplicitAny: Prism's operation objects, read as plain JSON
  for (const op of operations as Array<Record<string, any>>) {
    // biome-ignore lint/suspicious/noExplicitAny: as above
    const req = op.request as Record<string, any> | undefined;
    if (req) {
      for (const field of ['headers', 'query', 'path', 'cookie']) shareList(req, field);
      for (const c of (req.body?.contents as Array<Record<string, unknown>> | undefined) ?? []) share(c);
    }
    // biome-ignore lint/suspicious/noExplicitAny: as above
    for (const r of (op.responses as Array<Record<string, any>> | undefined) ?? []) {
      for (const c of (r.contents as Array<Record<string, unknown>> | undefined) ?? []) share(c);
      shareList(r, 'headers');
    }
  }
  return { schemas: schemas.size, seen };
}

export interface MockServer {
  url: string;
  operations: number;
  close(): Promise<void>;
}

/** Starts the mock on `specFile` (Prism's `mock` configuration: validate requests and answers, check security). */
export async function startMockServer(specFile: string, opts: { port?: number; host?: string } = {}): Promise<MockServer> {
  deferFaker();
  const prismHttp = require('@stoplight/prism-http') as PrismHttp;
  const prismRoute = (require('@stoplight/prism-http/dist/router') as { default: Route }).default;
  const { matchPath } = require('@stoplight/prism-http/dist/router/matchPath') as { matchPath: MatchPath };
  const { MatchType } = require('@stoplight/prism-http/dist/router/types') as { MatchType: { NOMATCH: string } };
  const { createServer } = require('@stoplight/prism-http-server') as PrismHttpServer;
  const operations = await prismHttp.getHttpOperationsFromSpec(specFile);
  if (operations.length === 0) throw new Error('No operations found in the current file.');
  shareIdenticalSchemas(operations);
  // The configuration `prism mock` runs with (prism-cli createServer.js), static answers.
  const config = {
    validateRequest: true,
    validateResponse: true,
    checkSecurity: true,
    errors: false,
    upstreamProxy: undefined,
    mock: { dynamic: false, ignoreExamples: false },
    isProxy: false,
  };
  const server = createServer(operations, {
    cors: true,
    config,
    components: { logger: quietLogger('HTTP SERVER'), route: narrowingRoute(operations, prismRoute, matchPath, MatchType.NOMATCH) },
  });
  const address = await server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
  return { url: address, operations: operations.length, close: () => server.close() };
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  return /mock[\\/]server\.[jt]s$/.test(entry);
}

if (isMain()) {
  const args = process.argv.slice(2);
  const value = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const positional = args.filter((a, i) => !a.startsWith('-') && !args[i - 1]?.startsWith('-'));
  const spec = positional[0] === 'mock' ? positional[1] : positional[0];
  if (!spec) {
    process.stderr.write('usage: server.js mock SPEC [--port 0] [--host 127.0.0.1]\n');
    process.exit(2);
  }
  startMockServer(spec, { port: Number(value('--port') ?? 0), host: value('--host') ?? '127.0.0.1' }).then(
    (s) => {
      process.stdout.write(`Prism is listening on ${s.url}\n`);
      // Nothing to flush: stop at once (closing the server would wait for idle keep-alive connections).
      const stop = (): void => process.exit(0);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      process.stderr.write(`[CLI] fatal ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
