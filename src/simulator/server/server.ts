/**
 * The HTTP(S) front of one simulated appliance: sockets, injected faults, the `latencyMs`
 * switch, body reading and writing the answer. Everything the answer says comes from the
 * appliance (`Appliance.handle`); this module knows nothing of sessions or state.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import type { Reply } from '../appliance/context.js';
import { errorBody } from '../appliance/api-error.js';
import { normalisePath } from '../appliance/paths.js';
import { WRITE_METHODS } from '../appliance/privileges.js';
import type { SimRequest } from '../appliance/appliance.js';
import type { SimStats } from '../types.js';
import { FaultTable, HTML_502, HTML_PAGE } from './faults.js';

const MAX_BODY_BYTES = 1024 * 1024;

/** What the server serves: an appliance, seen through these few members. */
export interface RequestTarget {
  readonly stats: SimStats;
  /** Milliseconds to wait before answering any request (the `latencyMs` switch). */
  latencyMs(): number;
  handle(req: SimRequest): Promise<Reply>;
}

export interface SimServerOptions {
  index: number;
  host: string;
  port: number;
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
}

export class SimServer {
  readonly faults = new FaultTable();
  readonly https: boolean;
  address = '';
  url = '';
  closed = false;

  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly delays = new Map<NodeJS.Timeout, () => void>();

  constructor(
    private readonly target: RequestTarget,
    private readonly opts: SimServerOptions,
  ) {
    this.https = opts.tls !== undefined;
    const listener = (req: IncomingMessage, res: ServerResponse): void => {
      this.serve(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) {
          res.statusCode = 500;
          res.end();
        }
      });
    };
    this.server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, listener) : createHttpServer(listener);
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

  /** fault -> latency -> body -> appliance -> answer. Each request waits on its own. */
  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const { stats } = this.target;
    const method = (req.method ?? 'GET').toUpperCase();
    stats.requests += 1;
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
    if (WRITE_METHODS.has(method)) stats.writes += 1;

    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://simulator.invalid');
    } catch {
      url = new URL('http://simulator.invalid/');
    }
    const path = normalisePath(url.pathname);
    const log = (what: string): void => this.opts.log?.(`[node${this.opts.index}] ${method} ${path} ${what} ${Date.now() - started}ms`);

    const fault = this.faults.take(path, method);
    if (fault?.kind === 'reset') {
      log('-> fault: connection reset');
      this.reset(req.socket);
      return;
    }
    if (fault?.kind === 'hang') {
      log('-> fault: hang');
      return; // never answered; close() destroys the socket
    }
    if (fault?.kind === 'html502') {
      this.count(502);
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML_502), server: 'nginx' });
      res.end(HTML_502);
      log('-> fault: 502 html');
      return;
    }
    if (fault?.kind === 'html200') {
      this.count(200);
      res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(HTML_PAGE) });
      res.end(HTML_PAGE);
      log('-> fault: 200 html');
      return;
    }
    const wait = (fault?.kind === 'latency' ? fault.ms : 0) + Math.max(0, this.target.latencyMs());
    // Read the body while waiting: a delayed request is answered `wait` ms after it arrived,
    // however many others are waiting too (a rollback sent last is not queued behind them).
    const [body] = await Promise.all([readBody(req), wait > 0 ? this.delay(wait) : undefined]);
    if (this.closed || res.destroyed) return;

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
    const reply = await this.target.handle({ method, path, query: url.searchParams, headers: req.headers, rawBody: body, hasBodyLength });
    this.send(res, reply);
    log(`-> ${reply.status}`);
  }

  private count(status: number): void {
    const k = String(status);
    const { stats } = this.target;
    stats.byStatus[k] = (stats.byStatus[k] ?? 0) + 1;
  }

  private send(res: ServerResponse, reply: Reply): void {
    this.count(reply.status);
    if (res.destroyed || res.writableEnded) return;
    // A Buffer body is a download: sent as is, with the content type of the reply's headers.
    const text = Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
    res.statusCode = reply.status;
    res.setHeader('content-type', Buffer.isBuffer(reply.body) ? 'application/octet-stream' : 'application/json');
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
