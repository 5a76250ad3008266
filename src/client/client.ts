/**
 * `createSpsClient()`: a typed SPS REST client on openapi-fetch.
 * (Over 300 lines: the session logic - login, cookie middleware, re-login, the check after a
 * commit - is one state machine sharing its state; credentials live in credentials.ts. Split the
 * middleware into its own module once the shared-helper imports have landed.)
 *
 * - Logs in lazily, once, through `GET /api/authentication` with HTTP Basic (UTF-8
 *   `user:password`) or with a client certificate (`?type=x509`, see credentials.ts), and sends
 *   the `session_id` cookie on every later request from a middleware (openapi-fetch does not
 *   send cookie parameters). Concurrent first requests share one login.
 * - On a 401 `Unauthenticated` it logs in again once and retries idempotent requests
 *   (GET/PUT/DELETE) once; POST is never retried.
 * - After a successful commit (`PUT /api/transaction`) the session is suspect: SPS drops it
 *   when the commit changed the cluster interface or promoted the node. Before the next POST
 *   the client checks the session with `GET /api/transaction` and logs in again if it is gone,
 *   so the POST is sent once, with a live session.
 * - `GET /api/authentication/login_methods` is sent without a session and never logs in;
 *   `GET /api/info` carries the session when there is one and otherwise goes out anonymously.
 * - Every failure is thrown as {@link SpsApiError}: error statuses, bodies that are not JSON,
 *   transport failures (status 0). The `error` branch of openapi-fetch results is therefore
 *   never populated: a resolved call is a success.
 * - Sends `User-Agent: sps-contract/<version>` (non-browser, so SPS 7.5+ does not demand an
 *   `X-Token`) and `Accept: application/json`.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../generated/sps-api.js';
import { createTransport, isJsonContentType, type RawResponse, type Transport } from '../http/transport.js';
import { SecretRegistry } from '../redact.js';
import { resolveCredentials, type LoginType } from './credentials.js';
import { findSetCookie, mediaTypeBase } from '../shared/index.js';
import { errorFromResponse, errorFromTransport, readErrorBody, SpsApiError, tryParseJson } from './errors.js';
import {
  normalizeTransactionStatus,
  readChanges,
  type TransactionChange,
  type TransactionStatus,
} from './transactions.js';
import { USER_AGENT } from './version.js';

export type SpsPaths = paths;
export type LoginMethodsBody = components['schemas']['LoginMethods'];
export type ApplianceInfo = components['schemas']['ApplianceInfo'];
/** The openapi-fetch client typed by the SPS contract. */
export type SpsFetchClient = Client<paths>;

export interface SpsClientOptions {
  /** Appliance root, e.g. `https://sps.example.com` (paths start with `/api`). */
  baseUrl: string;
  /** Password login (HTTP Basic). Give both, or `clientCert` and `clientKey`. */
  username?: string;
  password?: string;
  /**
   * PEM client certificate (a string or the Buffer of a file), presented on every TLS
   * connection. Without a password the login is certificate login (`?type=x509`, no
   * Authorization header). Needs `clientKey`.
   */
  clientCert?: string | Buffer;
  /** PEM private key of `clientCert`. */
  clientKey?: string | Buffer;
  /** Passphrase of an encrypted `clientKey`; registered as a secret. */
  clientKeyPassphrase?: string;
  /** PEM CA certificate(s) to trust for the appliance's TLS certificate. */
  ca?: string | Buffer;
  /** Skip TLS verification (the only way to accept an untrusted certificate). */
  insecure?: boolean;
  /** Whole-request timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Authentication backend, sent as `login_method=<name>` on the login request (Basic and x509). */
  loginMethod?: string;
  /** Override the User-Agent. Keep it non-browser-like (see module comment). */
  userAgent?: string;
  /** Registry to record secrets in (shared with a runner's reports); a new one by default. */
  secrets?: SecretRegistry;
}

/** What a `withTransaction` callback gets. */
export interface TransactionScope {
  /** Commits; after a successful commit `withTransaction` does not roll back. */
  commit(message?: string): Promise<void>;
  /** Rolls back now; `withTransaction` then does not roll back again. */
  rollback(): Promise<void>;
  status(): Promise<TransactionStatus>;
  changes(): Promise<TransactionChange[]>;
  readonly client: SpsClient;
}

export interface TransactionHelpers {
  /** `POST /api/transaction` with an empty body and `Content-Length: 0`. */
  open(): Promise<void>;
  /** `GET /api/transaction`, normalised from the 7.x or the 6.x shape. */
  status(): Promise<TransactionStatus>;
  /** `GET /api/transaction/changes` -> the `changes` array. */
  changes(): Promise<TransactionChange[]>;
  /** `PUT /api/transaction` with `{ status: 'commit', message? }`. */
  commit(message?: string): Promise<void>;
  /** `DELETE /api/transaction`. */
  rollback(): Promise<void>;
}

export interface SpsClient {
  /** The typed openapi-fetch client (cookie, re-login and error middleware installed). */
  readonly api: SpsFetchClient;
  readonly GET: SpsFetchClient['GET'];
  readonly PUT: SpsFetchClient['PUT'];
  readonly POST: SpsFetchClient['POST'];
  readonly DELETE: SpsFetchClient['DELETE'];
  /** Logs in now (joining a login already under way) and replaces the current session. */
  login(): Promise<void>;
  /** Number of login requests sent so far (successful or not). */
  readonly loginCount: number;
  /** Whether the client holds a session id. */
  readonly loggedIn: boolean;
  /** How this client logs in: `'basic'` (password) or `'x509'` (client certificate). */
  readonly loginType: LoginType;
  /** `GET /api/authentication/login_methods`, sent without a session; never logs in. */
  loginMethods(): Promise<LoginMethodsBody>;
  /** `GET /api/info`, with the session when there is one, else anonymous (partial data). */
  info(): Promise<ApplianceInfo>;
  readonly transactions: TransactionHelpers;
  /**
   * Opens a transaction, runs `fn`, and rolls back unless `fn` committed (or rolled back) through
   * `tx`. When `fn` throws, the rollback is attempted and the original error is rethrown, even if
   * the rollback fails.
   */
  withTransaction<T>(fn: (tx: TransactionScope) => Promise<T> | T): Promise<T>;
  /** The secrets this client redacts (password, Basic token, session ids). */
  readonly secrets: SecretRegistry;
  readonly transport: Transport;
  /** Releases the undici agent. */
  close(): Promise<void>;
}

const LOGIN_PATH = '/api/authentication';
const SESSION_COOKIE = 'session_id';
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
const TRANSACTION_PATH = '/api/transaction';
/** Operations the spec marks `security: []`: sent without a session, never trigger a login. */
const NO_SESSION = new Set(['/api/authentication/login_methods']);
/** Operations the spec marks `security: [{}, sessionCookie]`: the session is optional. */
const OPTIONAL_SESSION = new Set(['/api/info']);

/** The value of cookie `name` from a list of Set-Cookie values (the shared helper). */
export { findSetCookie };

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url.split('?', 1)[0] ?? url;
  }
}

interface PendingRequest {
  method: string;
  path: string;
  /** Session id the request was sent with (undefined for the login path). */
  sid: string | undefined;
  /** A copy of the request for the one retry (idempotent methods only). */
  retry: Request | undefined;
  login: boolean;
}

export function createSpsClient(options: SpsClientOptions): SpsClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new Error('createSpsClient: baseUrl is not a valid URL');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new Error('createSpsClient: baseUrl must be an http: or https: URL');
  }
  const baseUrl = `${base.origin}${base.pathname}`.replace(/\/+$/, '');
  const userAgent = options.userAgent ?? USER_AGENT;
  const secrets = options.secrets ?? new SecretRegistry();
  const credentials = resolveCredentials(options, secrets);

  const transportOptions: Parameters<typeof createTransport>[0] = { userAgent, ...credentials.tls };
  if (options.ca !== undefined) transportOptions.ca = options.ca;
  if (options.insecure !== undefined) transportOptions.insecure = options.insecure;
  if (options.timeoutMs !== undefined) transportOptions.timeoutMs = options.timeoutMs;
  const transport = createTransport(transportOptions);

  let session: string | undefined;
  let inflight: Promise<string> | undefined;
  let loginCount = 0;
  /** Set by a successful commit: the session may be gone (cluster interface change, promote). */
  let suspect = false;
  let probe: Promise<string> | undefined;

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
      throw errorFromResponse(
        facts,
        secrets,
        'login answered without a session_id cookie (is the client clock in sync with SPS?)',
      );
    }
    adoptSession(sid);
    return sid;
  }

  /** Single-flight login: concurrent callers share one request. */
  function startLogin(): Promise<string> {
    if (!inflight) {
      const attempt = doLogin();
      inflight = attempt;
      const clear = (): void => {
        if (inflight === attempt) inflight = undefined;
      };
      attempt.then(clear, clear);
    }
    return inflight;
  }

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

  /**
   * The session for a POST after a commit: `GET /api/transaction` tells whether the commit
   * dropped it (401 Unauthenticated); then a new login. Never resends the POST itself.
   */
  function checkedSession(): Promise<string> {
    if (!suspect) return ensureSession();
    if (!probe) {
      const attempt = probeSession();
      probe = attempt;
      const clear = (): void => {
        if (probe === attempt) probe = undefined;
      };
      attempt.then(clear, clear);
    }
    return probe;
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

  async function checkResponse(response: Response, ctx: PendingRequest): Promise<Response> {
    const bodyText = await response.clone().text();
    const contentType = response.headers.get('content-type') ?? undefined;
    const facts = {
      status: response.status,
      statusText: response.statusText,
      contentType,
      bodyText,
      method: ctx.method,
      path: ctx.path,
    };
    if (!response.ok) throw errorFromResponse(facts, secrets);
    if (bodyText.trim() !== '') {
      if (!isJsonContentType(contentType)) {
        throw errorFromResponse(
          facts,
          secrets,
          `success status with a non-JSON body (${mediaTypeBase(contentType) || 'no content type'})`,
        );
      }
      const parsed = tryParseJson(bodyText);
      if (parsed === undefined) {
        throw errorFromResponse(facts, secrets, 'response body is not valid JSON');
      }
      secrets.addFromJson(parsed);
    }
    return response;
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
      const checked = await checkResponse(res, ctx);
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

  const api = createClient<paths>({
    baseUrl,
    fetch: transport.fetch,
    headers: { Accept: 'application/json', 'User-Agent': userAgent },
  });
  api.use(middleware);

  async function wrapShape<T>(method: string, path: string, status: number, fn: () => T): Promise<T> {
    try {
      return fn();
    } catch (err) {
      throw new SpsApiError({
        status,
        message: secrets.redact(
          `${method} ${path} -> ${status}: ${err instanceof Error ? err.message : 'unexpected body shape'}`,
        ),
        method,
        path,
        cause: err,
      });
    }
  }

  const transactions: TransactionHelpers = {
    async open() {
      await api.POST('/api/transaction');
    },
    async status() {
      const { data, response } = await api.GET('/api/transaction');
      return wrapShape('GET', pathOf(response.url || '/api/transaction'), response.status, () =>
        normalizeTransactionStatus(data),
      );
    },
    async changes() {
      const { data, response } = await api.GET('/api/transaction/changes');
      return wrapShape('GET', pathOf(response.url || '/api/transaction/changes'), response.status, () =>
        readChanges(data),
      );
    },
    async commit(message?: string) {
      const body = message === undefined ? { status: 'commit' as const } : { status: 'commit' as const, message };
      await api.PUT('/api/transaction', { body });
    },
    async rollback() {
      await api.DELETE('/api/transaction');
    },
  };

  const client: SpsClient = {
    api,
    GET: api.GET,
    PUT: api.PUT,
    POST: api.POST,
    DELETE: api.DELETE,
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
    loginType: credentials.type,
    async loginMethods() {
      const { data } = await api.GET('/api/authentication/login_methods');
      return data as LoginMethodsBody;
    },
    async info() {
      const { data } = await api.GET('/api/info');
      return data as ApplianceInfo;
    },
    transactions,
    async withTransaction<T>(fn: (tx: TransactionScope) => Promise<T> | T): Promise<T> {
      await transactions.open();
      let finished = false;
      const tx: TransactionScope = {
        client,
        status: () => transactions.status(),
        changes: () => transactions.changes(),
        async commit(message?: string) {
          await transactions.commit(message);
          finished = true;
        },
        async rollback() {
          await transactions.rollback();
          finished = true;
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        if (!finished) {
          try {
            await transactions.rollback();
          } catch {
            // The callback's error is the one the caller needs; a failed rollback must not hide it.
          }
        }
        throw err;
      }
      if (!finished) await transactions.rollback();
      return result;
    },
    secrets,
    transport,
    close: () => transport.close(),
  };
  return client;
}
