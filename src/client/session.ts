/**
 * The session of one client, as an openapi-fetch middleware (see client.ts for the rules):
 * the lazy single-flight login, the `session_id` cookie on every request that needs one, one
 * re-login and one retry of an idempotent request after a 401 `Unauthenticated`, and the
 * check of a session made suspect by a commit before the next POST. Responses go through
 * {@link checkResponse}; every failure becomes an SpsApiError.
 */
import type { Middleware } from 'openapi-fetch';
import type { RawResponse, Transport } from '../http/transport.js';
import type { SecretRegistry } from '../redact.js';
import { findSetCookie } from '../shared/index.js';
import type { ResolvedCredentials } from './credentials.js';
import { checkResponse, errorFromResponse, errorFromTransport, pathOf, readErrorBody, tryParseJson } from './errors.js';

export interface SessionOptions {
  /** Appliance root without a trailing slash. */
  baseUrl: string;
  userAgent: string;
  secrets: SecretRegistry;
  credentials: ResolvedCredentials;
  transport: Transport;
}

export interface Session {
  /** Cookie, login, re-login and error middleware for the openapi-fetch client. */
  readonly middleware: Middleware;
  /** Logs in now (joining a login already under way) and replaces the current session. */
  login(): Promise<void>;
  /** Number of login requests sent so far (successful or not). */
  readonly loginCount: number;
  /** Whether a session id is held. */
  readonly loggedIn: boolean;
}

const LOGIN_PATH = '/api/authentication';
const SESSION_COOKIE = 'session_id';
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const TRANSACTION_PATH = '/api/transaction';
/** Operations the spec marks `security: []`: sent without a session, never trigger a login. */
const NO_SESSION = new Set(['/api/authentication/login_methods']);
/** Operations the spec marks `security: [{}, sessionCookie]`: the session is optional. */
const OPTIONAL_SESSION = new Set(['/api/info']);

interface PendingRequest {
  method: string;
  path: string;
  /** Session id the request was sent with (undefined for the login path). */
  sid: string | undefined;
  /** A copy of the request for the one retry (idempotent methods only). */
  retry: Request | undefined;
  login: boolean;
}

/** While the promise of `run()` is pending, every call returns that same promise. */
function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    if (!current) {
      const attempt = run();
      current = attempt;
      const clear = (): void => {
        if (current === attempt) current = undefined;
      };
      attempt.then(clear, clear);
    }
    return current;
  };
}

export function createSession(options: SessionOptions): Session {
  const { baseUrl, userAgent, secrets, credentials, transport } = options;
  let session: string | undefined;
  let loginCount = 0;
  /** Set by a successful commit: the session may be gone (cluster interface change, promote). */
  let suspect = false;

  function loginUrl(): string {
    return credentials.decorateLoginUrl(new URL(`${baseUrl}${LOGIN_PATH}`)).toString();
  }

  function adoptSession(sid: string): void {
    secrets.add(sid, SESSION_COOKIE);
    session = sid;
    suspect = false;
  }

  async function doLogin(): Promise<string> {
    loginCount += 1;
    const url = loginUrl();
    const path = pathOf(url);
    let res: RawResponse;
    try {
      res = await transport.request({
        method: 'GET',
        url,
        headers: { ...credentials.loginHeaders, accept: 'application/json', 'user-agent': userAgent },
      });
    } catch (err) {
      throw errorFromTransport(err, 'GET', path, secrets);
    }
    const sid = findSetCookie(res.setCookies, SESSION_COOKIE);
    if (sid !== undefined) secrets.add(sid, SESSION_COOKIE);
    const facts = {
      status: res.status,
      contentType: res.headers['content-type'],
      bodyText: res.bodyText,
      method: 'GET',
      path,
    };
    if (res.status < 200 || res.status > 299) throw errorFromResponse(facts, secrets);
    if (sid === undefined) {
      throw errorFromResponse(facts, secrets, 'login answered without a session_id cookie (is the client clock in sync with SPS?)');
    }
    adoptSession(sid);
    return sid;
  }

  /** Single-flight login: concurrent callers share one request. */
  const startLogin = singleFlight(doLogin);

  function ensureSession(): Promise<string> {
    return session !== undefined ? Promise.resolve(session) : startLogin();
  }

  function dropSession(sid: string | undefined): void {
    if (sid !== undefined && session === sid) session = undefined;
  }

  /** A session other than `stale`: the current one if someone already logged in again, else a new login. */
  function relogin(stale: string | undefined): Promise<string> {
    if (session !== undefined && session !== stale) return Promise.resolve(session);
    session = undefined;
    return startLogin();
  }

  const probeOnce = singleFlight(probeSession);

  /**
   * The session for a POST after a commit: `GET /api/transaction` tells whether the commit
   * dropped it (401 Unauthenticated); then a new login. Never resends the POST itself.
   */
  function checkedSession(): Promise<string> {
    return suspect ? probeOnce() : ensureSession();
  }

  async function probeSession(): Promise<string> {
    const sid = await ensureSession();
    if (!suspect) return sid;
    suspect = false;
    let res: RawResponse;
    try {
      res = await transport.request({
        method: 'GET',
        url: `${baseUrl}${TRANSACTION_PATH}`,
        headers: { accept: 'application/json', 'user-agent': userAgent, cookie: `${SESSION_COOKIE}=${sid}` },
      });
    } catch (err) {
      throw errorFromTransport(err, 'GET', TRANSACTION_PATH, secrets);
    }
    if (res.status === 401 && readErrorBody(res.json)?.type === 'Unauthenticated') return relogin(sid);
    return sid;
  }

  function setSessionCookie(request: Request, sid: string): void {
    request.headers.set('cookie', `${SESSION_COOKIE}=${sid}`);
  }

  const pending = new Map<string, PendingRequest>();

  const middleware: Middleware = {
    async onRequest({ request, schemaPath, id }) {
      const method = request.method.toUpperCase();
      const path = pathOf(request.url);
      if (schemaPath === LOGIN_PATH) {
        const decorated = credentials.decorateLoginUrl(new URL(request.url));
        const req = decorated.toString() === request.url ? request : new Request(decorated, request);
        for (const [name, value] of Object.entries(credentials.loginHeaders)) req.headers.set(name, value);
        loginCount += 1;
        pending.set(id, { method, path, sid: undefined, retry: undefined, login: true });
        return req;
      }
      if (request.body !== null) {
        // Secrets the client sends (a join request's psk, a password) must not come back in errors.
        secrets.addFromJson(tryParseJson(await request.clone().text()));
      }
      if (schemaPath !== undefined && NO_SESSION.has(schemaPath)) {
        pending.set(id, { method, path, sid: undefined, retry: undefined, login: false });
        return request;
      }
      if (schemaPath !== undefined && OPTIONAL_SESSION.has(schemaPath) && session === undefined) {
        pending.set(id, { method, path, sid: undefined, retry: undefined, login: false });
        return request;
      }
      const sid = IDEMPOTENT.has(method) ? await ensureSession() : await checkedSession();
      setSessionCookie(request, sid);
      pending.set(id, {
        method,
        path,
        sid,
        retry: IDEMPOTENT.has(method) ? request.clone() : undefined,
        login: false,
      });
      return request;
    },

    async onResponse({ response, id, request }) {
      const ctx = pending.get(id) ?? {
        method: request.method,
        path: pathOf(request.url),
        sid: undefined,
        retry: undefined,
        login: false,
      };
      pending.delete(id);
      let res = response;
      if (ctx.login) {
        const sid = findSetCookie(res.headers.getSetCookie(), SESSION_COOKIE);
        if (sid !== undefined) {
          secrets.add(sid, SESSION_COOKIE);
          if (res.ok) adoptSession(sid);
        }
      } else if (ctx.sid === undefined) {
        // Sent without a session on purpose (login_methods, anonymous info): nothing to renew.
      } else if (res.status === 401) {
        const type = readErrorBody(tryParseJson(await res.clone().text()))?.type;
        if (type === 'Unauthenticated') {
          dropSession(ctx.sid);
          if (ctx.retry) {
            const sid = await relogin(ctx.sid);
            setSessionCookie(ctx.retry, sid);
            try {
              res = await transport.fetch(ctx.retry);
            } catch (err) {
              throw errorFromTransport(err, ctx.method, ctx.path, secrets);
            }
            // The session used for the retry may itself be rejected; do not loop.
            if (res.status === 401) dropSession(sid);
          }
        }
      }
      const checked = await checkResponse(res, ctx, secrets);
      if (ctx.method === 'PUT' && ctx.path === pathOf(`${baseUrl}${TRANSACTION_PATH}`)) suspect = true;
      else if (ctx.sid !== undefined && ctx.sid === session) suspect = false; // the session answered: it survived
      return checked;
    },

    onError({ error, id, request }) {
      const ctx = pending.get(id);
      pending.delete(id);
      return errorFromTransport(error, ctx?.method ?? request.method, ctx?.path ?? pathOf(request.url), secrets);
    },
  };

  return {
    middleware,
    async login() {
      session = undefined;
      await startLogin();
    },
    get loginCount() {
      return loginCount;
    },
    get loggedIn() {
      return session !== undefined;
    },
  };
}
