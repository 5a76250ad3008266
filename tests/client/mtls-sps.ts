/**
 * A small SPS stand-in for the certificate-login and re-login tests (not a test file itself).
 *
 * - HTTP, HTTPS, or HTTPS with `requestCert: true` (mutual TLS): the x509 login
 *   (`GET /api/authentication?type=x509`) succeeds only when the TLS connection presented a
 *   client certificate that the test CA signed and whose common name is allowed; Basic login
 *   checks `admin:<password>`.
 * - `GET /api/authentication/login_methods` answers without a session; `GET /api/info` answers
 *   partial data without a session and more with one.
 * - `dropSessionsOnCommit`: a commit (`PUT /api/transaction`) forgets every session, as a real
 *   SPS does after a change of the cluster interface or a promote.
 *
 * The PKI is made with `selfsigned` (CA, server certificate, client certificates signed by the
 * CA and by an unrelated CA, an encrypted copy of the client key).
 *
 * Why it is not the simulator: it needs a TLS server that requests client certificates and an
 * X.509 login that reads the peer certificate; the simulator serves HTTP or HTTPS without client
 * authentication and has Basic login only (docs/simulator.md, "Where it differs from a real
 * appliance"). The re-login tests also assert which session id each request carried and the
 * query and headers of every login (`seen`, `to()`, `issued`), which the simulator does not
 * record (its `stats` count requests; its request log has no cookies). The simulator's own
 * behaviour after a commit that drops the sessions is tested in tests/simulator/transactions.test.ts
 * and by the switch `keep-sessions-on-cluster-commit`.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { makeCa, makeLeaf, type KeyPair } from '../helpers/certs.js';
import { sendJson } from '../helpers/servers.js';

export type Pair = KeyPair;

export interface ClientPki {
  ca: string;
  server: Pair;
  /** Signed by `ca`, CN `sps-operator`. */
  client: Pair;
  /** Signed by `ca`, CN `not-allowed` (valid chain, unknown user). */
  otherUser: Pair;
  /** Signed by an unrelated CA, CN `sps-operator`. */
  rogue: Pair;
  /** `client.key` encrypted with {@link KEY_PASSPHRASE}. */
  encryptedClientKey: string;
}

export const KEY_PASSPHRASE = 'key-pässphrase-7';

let cached: Promise<ClientPki> | undefined;

export function clientPki(): Promise<ClientPki> {
  cached ??= (async () => {
    const ca = await makeCa('sps-contract client test CA');
    const otherCa = await makeCa('unrelated client CA');
    const client = await makeLeaf(ca, 'sps-operator', 'client');
    const encryptedClientKey = createPrivateKey(client.key)
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: KEY_PASSPHRASE })
      .toString();
    return {
      ca: ca.cert,
      server: await makeLeaf(ca, 'localhost', 'server'),
      client,
      otherUser: await makeLeaf(ca, 'not-allowed', 'client'),
      rogue: await makeLeaf(otherCa, 'sps-operator', 'client'),
      encryptedClientKey,
    };
  })();
  return cached;
}

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  sessionId: string | undefined;
  /** Common name of the client certificate the TLS connection presented, if any. */
  peerCn: string | undefined;
}

export interface MiniSpsOptions {
  /** HTTPS with this server pair; plain HTTP without. */
  tls?: { server: Pair; ca: string; requestCert: boolean; rejectUnauthorized?: boolean };
  password?: string;
  /** Common names of client certificates that may log in with x509. */
  allowedCns?: string[];
  dropSessionsOnCommit?: boolean;
}

function spsError(res: ServerResponse, status: number, type: string, path: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { error: { type, message: `${type} (test server)`, details: { path } }, meta: { href: path } }, headers);
}

export class MiniSps {
  readonly seen: Seen[] = [];
  readonly sessions = new Set<string>();
  readonly issued: string[] = [];
  logins = 0;
  commits = 0;
  ntpPosts = 0;
  dropSessionsOnCommit: boolean;
  url = '';
  private readonly server: http.Server;

  constructor(private readonly options: MiniSpsOptions = {}) {
    this.dropSessionsOnCommit = options.dropSessionsOnCommit ?? false;
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    };
    const tls = options.tls;
    this.server = tls
      ? https.createServer(
          {
            key: tls.server.key,
            cert: tls.server.cert,
            ca: tls.ca,
            requestCert: tls.requestCert,
            rejectUnauthorized: tls.rejectUnauthorized ?? false,
          },
          handler,
        )
      : http.createServer(handler);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  to(method: string, path: string): Seen[] {
    return this.seen.filter((s) => s.method === method && s.path === path);
  }

  private newSession(res: ServerResponse) {
    const sid = randomBytes(20).toString('hex');
    this.sessions.add(sid);
    this.issued.push(sid);
    sendJson(res, 200, { meta: { href: '/api/authentication', parent: '/api' } }, { 'set-cookie': `session_id=${sid}; Path=/; HttpOnly` });
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const sessionId = /(?:^|;\s*)session_id=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
    const socket = req.socket as TLSSocket;
    let peerCn: string | undefined;
    let peerTrusted = false;
    if (typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate();
      const cn = peer?.subject?.CN;
      peerCn = Array.isArray(cn) ? cn[0] : cn;
      peerTrusted = socket.authorized;
    }
    this.seen.push({ method, path, query: url.searchParams, headers: req.headers, body, sessionId, peerCn });
    const live = sessionId !== undefined && this.sessions.has(sessionId);

    if (method === 'GET' && path === '/api/authentication') {
      this.logins += 1;
      if (url.searchParams.get('type') === 'x509') {
        const allowed = this.options.allowedCns ?? ['sps-operator'];
        if (peerTrusted && peerCn !== undefined && allowed.includes(peerCn)) return this.newSession(res);
        return spsError(res, 401, 'AuthenticationFailure', path);
      }
      const match = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
      if (decoded === `admin:${this.options.password ?? 'mini-password'}`) return this.newSession(res);
      return spsError(res, 401, 'AuthenticationFailure', path, { 'www-authenticate': 'Basic realm="SPS"' });
    }
    if (method === 'GET' && path === '/api/authentication/login_methods') {
      return sendJson(res, 200, {
        login_methods: [
          { name: 'local', type: 'password' },
          { name: 'certs', type: 'x509' },
        ],
        meta: { href: path, parent: '/api/authentication' },
      });
    }
    if (method === 'GET' && path === '/api/info') {
      const info: Record<string, unknown> = { firmware_version: '7.5.1' };
      if (live) info.hostname = 'mini-sps';
      return sendJson(res, 200, { body: info, meta: { href: path, parent: '/api' } });
    }
    if (!live) return spsError(res, 401, 'Unauthenticated', path);

    switch (`${method} ${path}`) {
      case 'GET /api':
        return sendJson(res, 200, { items: [], meta: { href: '/api' } });
      case 'GET /api/transaction':
        return sendJson(res, 200, { body: { status: 'closed', commit_message: 'optional' }, key: 'transaction', meta: { href: path } });
      case 'POST /api/transaction':
        return sendJson(res, 200, { body: { status: 'open', commit_message: 'optional' }, key: 'transaction', meta: { href: path, remaining_seconds: 600 } });
      case 'PUT /api/transaction': {
        this.commits += 1;
        if (this.dropSessionsOnCommit) this.sessions.clear();
        return sendJson(res, 200, { body: { status: 'closed', commit_message: 'optional' }, key: 'transaction', meta: { href: path } });
      }
      case 'DELETE /api/transaction':
        return sendJson(res, 200, { body: { status: 'closed', commit_message: 'optional' }, key: 'transaction', meta: { href: path } });
      case 'POST /api/configuration/datetime/ntp_servers':
        this.ntpPosts += 1;
        return sendJson(res, 201, { key: `ntp-${this.ntpPosts}`, meta: { href: `${path}/ntp-${this.ntpPosts}` } });
      default:
        return spsError(res, 404, 'NotFound', path);
    }
  }
}

export function startMiniSps(options: MiniSpsOptions = {}): Promise<MiniSps> {
  return new MiniSps(options).start();
}
