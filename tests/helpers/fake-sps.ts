/**
 * A small real HTTP server that answers like SPS for the client tests: Basic login that sets
 * a `session_id` cookie, 401 `Unauthenticated` without a valid session, the transaction
 * endpoints in either status shape, and per-route overrides for faults (HTML 502, bad JSON,
 * hanging). Listens on 127.0.0.1 with an ephemeral port.
 *
 * Why it is not the simulator: the client tests assert on every request the client sent (the
 * headers, the body, the session id each one carried, in order: `requests`, `requestsTo`), which
 * the simulator does not record (its `stats` count requests; its request log is redacted and has
 * no cookies or bodies); and they need answers no appliance switch stands for (a truncated or
 * non-JSON body on a chosen route, the 6.x transaction status shape on a 7.x node, a required
 * commit message, a slow login to make first calls overlap). The client's HTTPS test runs on the
 * simulator (tests/client/tls.test.ts); the faults an appliance can have (reset, hang, HTML 502,
 * latency) are in the simulator's catalogue.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCookieHeader } from '../../src/shared/index.js';
import { sendJson } from './servers.js';

export interface RecordedRequest {
  method: string;
  url: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The session id the request carried, if any. */
  sessionId: string | undefined;
}

export type RouteHandler = (ctx: { req: IncomingMessage; res: ServerResponse; body: string; server: FakeSps }) => void | Promise<void>;

export interface FakeSpsOptions {
  users?: Record<string, string>;
  transactionShape?: '7.x' | '6.x';
  commitMessage?: 'required' | 'optional';
  /** Delay before answering a login, to make concurrent first calls overlap. */
  loginDelayMs?: number;
}

export { sendJson };

function spsError(res: ServerResponse, status: number, type: string, message: string, path: string): void {
  sendJson(res, status, { error: { type, message, details: { path } }, meta: { href: path, parent: '/api' } });
}

export class FakeSps {
  readonly users: Record<string, string>;
  readonly sessions = new Set<string>();
  readonly requests: RecordedRequest[] = [];
  readonly overrides = new Map<string, RouteHandler>();
  /** Login requests received (successful or not). */
  logins = 0;
  transactionShape: '7.x' | '6.x';
  commitMessage: 'required' | 'optional';
  transactionState: 'open' | 'closed' = 'closed';
  opens = 0;
  commits: unknown[] = [];
  rollbacks = 0;
  changes: unknown[] = [];
  timezone = 'Europe/Budapest';
  url = '';
  /** Every session id ever issued. */
  readonly issuedSessions: string[] = [];
  private readonly server: http.Server;
  private readonly loginDelayMs: number;

  constructor(options: FakeSpsOptions = {}) {
    this.users = options.users ?? { admin: 'admin-password' };
    this.transactionShape = options.transactionShape ?? '7.x';
    this.commitMessage = options.commitMessage ?? 'optional';
    this.loginDelayMs = options.loginDelayMs ?? 0;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void this.handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
          if (!res.headersSent) sendJson(res, 500, { error: { type: 'TestServerError', message: String(err) } });
        });
      });
    };
    this.server = http.createServer(handler);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every session, as SPS does after 20 minutes of inactivity. */
  expireSessions(): void {
    this.sessions.clear();
  }

  override(method: string, path: string, handler: RouteHandler): void {
    this.overrides.set(`${method.toUpperCase()} ${path}`, handler);
  }

  requestsTo(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  transactionBody(): unknown {
    const meta: Record<string, unknown> = { href: '/api/transaction', parent: '/api' };
    if (this.transactionState === 'open') meta.remaining_seconds = 600;
    if (this.changes.length > 0) meta.changes = '/api/transaction/changes';
    return this.transactionShape === '7.x'
      ? { body: { commit_message: this.commitMessage, status: this.transactionState }, key: 'transaction', meta }
      : { key: 'transaction', meta, transaction: { status: this.transactionState } };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const sessionId = parseCookieHeader(req.headers.cookie).get('session_id');
    this.requests.push({ method, url: req.url ?? '/', path, headers: req.headers, body, sessionId });

    if (method === 'GET' && path === '/api/authentication') {
      this.logins += 1;
      if (this.loginDelayMs > 0) await new Promise((r) => setTimeout(r, this.loginDelayMs));
      const override = this.overrides.get(`${method} ${path}`);
      if (override) return override({ req, res, body, server: this });
      const auth = req.headers.authorization ?? '';
      const match = /^Basic (.+)$/.exec(auth);
      const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, colon);
      const password = decoded.slice(colon + 1);
      if (colon < 0 || this.users[user] === undefined || this.users[user] !== password) {
        return spsError(res, 401, 'AuthenticationFailure', 'Authenticating the user with the given credentials has failed', path);
      }
      const sid = randomBytes(20).toString('hex');
      this.sessions.add(sid);
      this.issuedSessions.push(sid);
      return sendJson(
        res,
        200,
        { meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } },
        { 'set-cookie': [`session_id=${sid}; Path=/; HttpOnly; Secure`, 'other=1; Path=/'] },
      );
    }

    const override = this.overrides.get(`${method} ${path}`);
    if (override) return override({ req, res, body, server: this });

    if (!sessionId || !this.sessions.has(sessionId)) {
      return spsError(res, 401, 'Unauthenticated', 'Authentication is required', path);
    }

    switch (`${method} ${path}`) {
      case 'GET /api':
        return sendJson(res, 200, {
          items: [
            { key: 'authentication', meta: { href: '/api/authentication' } },
            { key: 'configuration', meta: { href: '/api/configuration' } },
            { key: 'transaction', meta: { href: '/api/transaction' } },
          ],
          meta: { href: '/api' },
        });
      case 'GET /api/configuration/datetime/timezone':
        return sendJson(res, 200, {
          body: this.timezone,
          key: 'timezone',
          meta: { href: path, parent: '/api/configuration/datetime', transaction: '/api/transaction' },
        });
      case 'PUT /api/configuration/datetime/timezone': {
        this.timezone = JSON.parse(body) as string;
        return sendJson(res, 200, { key: 'timezone', meta: { href: path, parent: '/api/configuration/datetime' } });
      }
      case 'POST /api/configuration/datetime/ntp_servers':
        return sendJson(res, 201, { key: 'ntp-1', meta: { href: `${path}/ntp-1` } });
      case 'GET /api/transaction':
        return sendJson(res, 200, this.transactionBody());
      case 'POST /api/transaction': {
        if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
          res.writeHead(411, { 'content-type': 'text/html' });
          res.end('<html><body><h1>411 Length Required</h1></body></html>');
          return;
        }
        this.opens += 1;
        this.transactionState = 'open';
        return sendJson(res, 200, this.transactionBody());
      }
      case 'PUT /api/transaction': {
        const parsed = JSON.parse(body) as { status?: string; message?: string };
        if (parsed.status !== 'commit') return spsError(res, 400, 'SyntacticError', 'status must be commit', path);
        this.commits.push(parsed);
        this.transactionState = 'closed';
        return sendJson(res, 200, this.transactionBody());
      }
      case 'DELETE /api/transaction':
        this.rollbacks += 1;
        this.transactionState = 'closed';
        return sendJson(res, 200, this.transactionBody());
      case 'GET /api/transaction/changes':
        return sendJson(res, 200, {
          changes: this.changes,
          meta: { href: '/api/transaction/changes', parent: '/api/transaction', transaction: '/api/transaction' },
        });
      default:
        return spsError(res, 404, 'NotFound', 'The requested object does not exist', path);
    }
  }
}

export async function startFakeSps(options: FakeSpsOptions = {}): Promise<FakeSps> {
  return new FakeSps(options).start();
}
