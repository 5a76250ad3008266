/**
 * One simulated appliance: an HTTP(S) server, its sessions, its configuration lock and state,
 * fault injection, and counters. Requests go: fault -> body -> expiry sweep -> route ->
 * session -> privilege -> handler; `ApiError`s become the SPS error envelope.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { PublicCtx, Reply, RouteDef } from './context.js';
import { ApiError, errorBody, notFound } from './errors.js';
import { FaultTable, HTML_502 } from './faults.js';
import { normalisePath } from './paths.js';
import type { ClusterRegistry, RegistryNode } from './registry.js';
import type { Router } from './router.js';
import { SessionStore, parseCookies } from './sessions.js';
import { ConfigStore, initialState, sortedCopy } from './state.js';
import type { SimClock, SimFault, SimNode, SimStats, SimTransactionInfo, SimUsers } from './types.js';

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const MAX_BODY_BYTES = 1024 * 1024;

export interface NodeRuntimeOptions {
  index: number;
  host: string;
  port: number;
  tls?: { key: string; cert: string };
  users: SimUsers;
  clock: SimClock;
  sessionIdleSeconds: number;
  transactionSeconds: number;
  registry: ClusterRegistry<NodeRuntime>;
  router: Router<RouteDef>;
  log?: (line: string) => void;
}

export function emptyStats(): SimStats {
  return { logins: 0, loginFailures: 0, requests: 0, writes: 0, byMethod: {}, byStatus: {} };
}

const isClusterPath = (path: string): boolean => path === '/api/cluster' || path.startsWith('/api/cluster/');

export class NodeRuntime implements RegistryNode {
  readonly nodeId = randomUUID();
  readonly index: number;
  readonly fqdn: string;
  readonly https: boolean;
  readonly clock: SimClock;
  readonly registry: ClusterRegistry<NodeRuntime>;
  readonly stats: SimStats = emptyStats();
  readonly store: ConfigStore;
  readonly sessions: SessionStore;
  readonly faults = new FaultTable();
  address = '';
  url = '';
  closed = false;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly opts: NodeRuntimeOptions) {
    this.index = opts.index;
    this.fqdn = `sps-node-${opts.index}.sim.local`;
    this.https = opts.tls !== undefined;
    this.clock = opts.clock;
    this.registry = opts.registry;
    this.store = new ConfigStore(initialState({ index: opts.index }), opts.clock, opts.transactionSeconds * 1000);
    this.sessions = new SessionStore(opts.users, opts.clock, opts.sessionIdleSeconds * 1000);
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.statusCode = 500;
          res.end();
        }
      });
    };
    this.server = opts.tls
      ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
      : createHttpServer(listener);
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that gives up on a TLS handshake or sends garbage must not crash the process.
    this.server.on('clientError', (_err, socket) => socket.destroy());
    this.server.on('tlsClientError', () => undefined);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.address = `${this.opts.host}:${port}`;
    this.url = `${this.https ? 'https' : 'http'}://${this.opts.host}:${port}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [timer, resolve] of this.delays) {
      clearTimeout(timer);
      resolve();
    }
    this.delays.clear();
    // net.Server's close (stop listening, wait for connections) rather than http.Server's: the
    // latter also walks http's connection list, which on Node 20 can hold a freed parser after a
    // `reset` fault and then throws. Every socket is tracked and destroyed here anyway.
    const closing = new Promise<void>((resolve) => NetServer.prototype.close.call(this.server, () => resolve()));
    for (const s of this.sockets) s.destroy();
    await closing;
  }

  /** Expires the transaction and idle sessions (whose lock is then released). */
  sweep(): void {
    this.store.expireIfDue();
    for (const s of this.sessions.sweep()) this.store.rollback(s.id);
  }

  // ---- request pipeline ---------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = (req.method ?? 'GET').toUpperCase();
    this.stats.requests += 1;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    if (WRITE_METHODS.has(method)) this.stats.writes += 1;

    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://simulator.invalid');
    } catch {
      url = new URL('http://simulator.invalid/');
    }
    const path = normalisePath(url.pathname);
    const log = (what: string): void =>
      this.opts.log?.(`[node${this.index}] ${method} ${path} ${what} ${Date.now() - started}ms`);

    const fault = this.faults.take(path, method);
    if (fault) {
      if (fault.kind === 'reset') {
        log('-> fault: connection reset');
        this.reset(req.socket);
        return;
      }
      if (fault.kind === 'hang') {
        log('-> fault: hang');
        return; // never answered; close() destroys the socket
      }
      if (fault.kind === 'html502') {
        this.count(502);
        res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML_502), server: 'nginx' });
        res.end(HTML_502);
        log('-> fault: 502 html');
        return;
      }
      await this.delay(fault.ms);
      if (this.closed || res.destroyed) return;
    }

    const body = await readBody(req);
    if (body === undefined) {
      this.send(res, {
        status: 413,
        body: errorBody(path, 'PayloadTooLarge', 'The request body is too large.', { path }),
        headers: { connection: 'close' },
      });
      log('-> 413');
      return;
    }
    const hasBodyLength = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    const reply = await this.dispatch(method, path, url.searchParams, req.headers, body, hasBodyLength);
    this.send(res, reply);
    log(`-> ${reply.status}`);
  }

  private async dispatch(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: IncomingMessage['headers'],
    rawBody: string,
    hasBodyLength: boolean,
  ): Promise<Reply> {
    try {
      this.sweep();
      const match = this.opts.router.match(method, path);
      const base: PublicCtx = {
        node: this,
        method,
        path,
        params: match.kind === 'match' ? match.params : {},
        query,
        headers,
        rawBody,
        hasBodyLength,
      };
      if (match.kind === 'match' && match.handler.public) return await match.handler.fn(base);

      const session = this.sessions.touch(parseCookies(headers.cookie).session_id);
      if (!session) {
        throw new ApiError(401, 'Unauthenticated', 'The requested resource requires authentication.', { path });
      }
      if (session.privilege === 'operator' && (isClusterPath(path) || WRITE_METHODS.has(method))) {
        throw new ApiError(403, 'Unauthorized', 'The user has no privilege to access the requested resource.', { path });
      }
      if (match.kind === 'notFound') throw notFound(path);
      if (match.kind === 'methodNotAllowed') {
        throw new ApiError(
          405,
          'MethodNotAllowed',
          `The ${method} method is not allowed on this endpoint.`,
          { path, allowed: match.allowed },
          { allow: match.allowed.join(', ') },
        );
      }
      if (match.handler.public) return await match.handler.fn(base);
      return await match.handler.fn({ ...base, session });
    } catch (e) {
      if (e instanceof ApiError) {
        return { status: e.status, body: errorBody(path, e.type, e.message, e.details), headers: e.headers };
      }
      return {
        status: 500,
        body: errorBody(path, 'InternalError', 'The simulator failed to handle the request.', { path }),
      };
    }
  }

  private count(status: number): void {
    const k = String(status);
    this.stats.byStatus[k] = (this.stats.byStatus[k] ?? 0) + 1;
  }

  private send(res: ServerResponse, reply: Reply): void {
    this.count(reply.status);
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(reply.body);
    res.statusCode = reply.status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('content-length', Buffer.byteLength(text));
    res.setHeader('cache-control', 'no-store');
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    res.end(text);
  }

  /** Ends the connection with a TCP RST (no HTTP response at all). */
  private reset(socket: Socket): void {
    const raw = (socket as Socket & { _parent?: Socket })._parent ?? socket;
    try {
      raw.resetAndDestroy();
    } catch {
      raw.destroy();
    }
    socket.destroy();
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  // ---- the facade handed to callers ---------------------------------------------------------

  transactionInfo(): SimTransactionInfo | null {
    this.sweep();
    const tx = this.store.tx;
    if (!tx) return null;
    return {
      holder: this.sessions.get(tx.sessionId)?.handle ?? 'unknown',
      username: tx.username,
      openedAt: new Date(tx.openedAtMs).toISOString(),
      remainingSeconds: this.store.remainingSeconds() ?? 0,
      changes: tx.changes.length,
      implicit: tx.implicit,
    };
  }

  facade(): SimNode {
    const node = this;
    return {
      get url() {
        return node.url;
      },
      nodeId: node.nodeId,
      get address() {
        return node.address;
      },
      index: node.index,
      fqdn: node.fqdn,
      stats: node.stats,
      state: {
        committedConfig: () => sortedCopy(node.store.committed),
        openTransaction: () => node.transactionInfo(),
        commits: () => node.store.commits(),
        sessionCount: () => node.sessions.count(),
      },
      injectFault: (path: string, fault: SimFault) => node.faults.set(path, fault),
      clearFaults: () => node.faults.clear(),
      resetStats: () => {
        Object.assign(node.stats, emptyStats());
      },
    };
  }
}

/** Reads the whole body as UTF-8; undefined when it exceeds the size limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
