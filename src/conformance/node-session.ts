/**
 * Sends the runner's requests to one node and records them as {@link Exchange}s: one
 * transport per node, the session cookie of the one login, secrets registered for redaction,
 * a curl line per request, and a circuit breaker that stops talking to a node that keeps
 * failing at the transport level (so a hanging or resetting node ends the run in bounded time).
 */
import { randomBytes } from 'node:crypto';
import { createTransport, TransportError, type Transport } from '../http/transport.js';
import type { RawBody } from './plan/request.js';
import { collectSecretValues, REDACTED, redactJson } from '../redact.js';
import { findSetCookie, isObject } from '../shared/index.js';
import type { RunOptions } from './options.js';
import type { OperationModel } from '../model/operations.js';
import { toCurl, type CurlRequest } from './curl.js';
import type { TxState } from './transaction-ledger.js';
import { PROBE_USER_PREFIX, type AuthMode, type Exchange, type ProbeKind, type TargetKind } from './check-api.js';

export type { AuthMode } from './check-api.js';

export interface SendSpec {
  op: OperationModel;
  probe: ProbeKind;
  path: string;
  auth: AuthMode;
  /** JSON value to send (serialised here); `''` sends an empty body with Content-Length: 0. */
  body?: unknown;
  emptyBody?: boolean;
  /** A body that is not JSON (a multipart form, an upload), sent as it is. */
  raw?: RawBody;
  /** The Accept header (default `application/json`). */
  accept?: string;
  prefer?: { code?: number; example?: string };
}

/**
 * A body that is not JSON is never kept (a report holds its type, size and sha256): at most
 * this many bytes of it are read and hashed, the rest is abandoned unread.
 */
export const MAX_NON_JSON_READ = 1024 * 1024;
/** A JSON answer longer than this is abandoned unread (`bodySkipped: 'too-large'`). */
export const MAX_JSON_READ = 64 * 1024 * 1024;

/** The run's validated options this client uses, as they are. */
export type NodeSessionSettings = Pick<
  RunOptions,
  'secrets' | 'username' | 'password' | 'caFile' | 'ca' | 'insecure' | 'timeoutMs' | 'userAgent' | 'signal' | 'ledger' | 'passwordPlaceholder'
>;

/**
 * What this run did to the configuration lock of one node, as far as this client knows:
 * `none` (never opened), `open` (a transaction of this run may be open: a POST /api/transaction
 * or a write was sent and not rolled back yet), `rolled back`, `rollback failed`.
 */
export type { TxState } from './transaction-ledger.js';
export { TransactionLedger } from './transaction-ledger.js';

/** SPS cancels an open transaction after this long when nothing else says (600 s in the samples). */
export const DEFAULT_TRANSACTION_SECONDS = 600;

const TX_PATH = '/api/transaction';
const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** The node this client talks to. */
export interface NodeTarget {
  label: string;
  /** Origin, optionally with a base path (no trailing slash), e.g. `https://sps1.example.com`. */
  baseUrl: string;
  target: TargetKind;
  sessionCookieName: string;
  /** How curl lines show the password of the `basic` login (default `$SPS_PASSWORD`): a roles-file account's own variable. */
  passwordPlaceholder?: string;
  /** Consecutive transport failures after which the node is given up (default 3). */
  maxConsecutiveFailures?: number;
}

export class AbortedError extends Error {
  override name = 'AbortedError';
}

const MOCK_SESSION = 'mock-session-for-prism';
/** The cookie jar of the printed reproductions (curl -c at the login, -b after it). */
export const COOKIE_JAR = 'sps-cookies.txt';
const MOCK_USER = 'mock-user';
const MOCK_PASSWORD = 'mock-password';
/** The made-up user name of the `auth_failure` probe starts with this, then 12 random hex digits. */
export { PROBE_USER_PREFIX };

export class NodeSession {
  readonly label: string;
  readonly baseUrl: string;
  readonly target: TargetKind;
  private readonly transport: Transport;
  private session: string | undefined;
  private readonly madeUpSession = randomBytes(20).toString('hex');
  /**
   * The account of the `auth_failure` probe: a user name no appliance has (never a configured
   * account, so no real account's failed-login counter moves), made up once per node.
   */
  readonly probeUsername = `${PROBE_USER_PREFIX}${randomBytes(6).toString('hex')}`;
  private readonly wrongPassword = randomBytes(18).toString('base64url');
  private consecutiveFailures = 0;
  /** Set when the node is given up: why. */
  deadReason: string | undefined;
  /** Requests sent (counted when sent). */
  requests = 0;
  /** Requests answered or failed. */
  completed = 0;
  /** Requests the plan means to send to this node (the progress line's "of planned"). */
  planned = 0;
  /** The configuration lock as this run left it on this node (see {@link TxState}). */
  txState: TxState = 'none';
  /** Transactions this client opened (explicitly or by a write). */
  txOpened = 0;
  /** When SPS cancels this run's open transaction by itself (ms since the epoch), while `txState` is `open` or `rollback failed`. */
  lockUntilMs: number | undefined;

  private readonly o: NodeSessionSettings & NodeTarget;

  constructor(settings: NodeSessionSettings, node: NodeTarget) {
    const o = (this.o = { ...settings, ...node });
    this.label = o.label;
    this.baseUrl = o.baseUrl;
    this.target = o.target;
    this.transport = createTransport({
      ...(o.ca !== undefined ? { ca: o.ca } : {}),
      insecure: o.insecure === true,
      timeoutMs: o.timeoutMs,
      userAgent: o.userAgent,
    });
    o.secrets.add(this.wrongPassword, 'wrong-password');
    if (node.target === 'live') o.ledger?.register(this);
  }

  /** The user this client logs in as. */
  get username(): string | undefined {
    return this.o.username;
  }

  /** How curl lines show the password of this client's login (`$SPS_PASSWORD`, a roles-file variable, `$(head -n1 FILE)`). */
  get passwordShown(): string {
    return this.o.passwordPlaceholder ?? '$SPS_PASSWORD';
  }

  /** The curl options for TLS as this run uses them (`--cacert FILE`, `-k` or nothing). */
  private tlsCurl(): Pick<CurlRequest, 'ca' | 'insecure'> {
    return this.o.insecure ? { insecure: true } : this.o.caFile ? { ca: this.o.caFile } : {};
  }

  /** The login that stores the session in a cookie jar: the first line of every live reproduction. */
  loginCurl(jar = COOKIE_JAR): string {
    const loginUrl = `${this.baseUrl}/api/authentication`;
    return toCurl({
      method: 'GET',
      url: loginUrl,
      ...this.tlsCurl(),
      basic: { username: this.o.username ?? '', passwordPlaceholder: this.passwordShown },
      cookieJar: { file: jar, write: true },
    });
  }

  /** The commands that release a lock this run may have left: log in, then `DELETE /api/transaction`. */
  releaseCommands(): string[] {
    return [
      this.loginCurl(),
      toCurl({
        method: 'DELETE',
        url: `${this.baseUrl}${TX_PATH}`,
        ...this.tlsCurl(),
        cookieJar: { file: COOKIE_JAR },
        headers: { Accept: 'application/json' },
      }),
    ];
  }

  /** Rolls back this run's transaction now (sent also after an abort), bounded by `boundMs`. */
  async rollbackNow(rollbackOp: OperationModel, boundMs: number): Promise<Exchange> {
    return this.send({ op: rollbackOp, probe: 'write', path: TX_PATH, auth: 'session' }, { ignoreAbort: true, boundMs });
  }

  /** Before a request is sent: a write or POST /api/transaction may open a transaction of this run. */
  private beforeSend(spec: SendSpec): { txOp: 'open' | 'rollback' | 'write' | undefined; before: TxState } {
    const before = this.txState;
    const method = spec.op.method;
    if (this.target !== 'live' || spec.auth !== 'session' || !WRITE_METHODS.has(method)) return { txOp: undefined, before };
    if (spec.op.path === TX_PATH) {
      if (method === 'POST') {
        if (this.txState !== 'open') this.markOpen();
        return { txOp: 'open', before };
      }
      return { txOp: method === 'DELETE' ? 'rollback' : undefined, before };
    }
    // On 6.9+ the first change opens a transaction by itself.
    if (this.txState !== 'open') this.markOpen();
    return { txOp: 'write', before };
  }

  private markOpen(): void {
    this.txState = 'open';
    this.txOpened++;
    this.lockUntilMs = Date.now() + DEFAULT_TRANSACTION_SECONDS * 1000;
  }

  /** After the answer (or none): what the request did to the lock. */
  private afterSend(txOp: 'open' | 'rollback' | 'write' | undefined, before: TxState, ex: Exchange): void {
    if (!txOp) return;
    const status = ex.response?.status;
    const ok = status !== undefined && status >= 200 && status < 300;
    if (txOp === 'rollback') {
      if (ok) {
        if (this.txState === 'open' || this.txState === 'rollback failed') this.txState = 'rolled back';
        this.lockUntilMs = undefined;
      } else if (this.txState === 'open') {
        this.txState = 'rollback failed';
        // No new transaction, no further request: the node is given up.
        this.deadReason ??= `the rollback failed (DELETE ${TX_PATH} got ${ex.response ? `HTTP ${ex.response.status}` : (ex.error?.message ?? 'no answer')}); nothing more is sent to this node`;
      }
      return;
    }
    if (ex.response && !ok && before !== 'open') {
      // Refused (409 ConfigurationLocked, 403, ...): nothing was opened by this request.
      this.txState = before;
      this.txOpened--;
      this.lockUntilMs = undefined;
      return;
    }
    const meta = isObject(ex.response?.json) && isObject(ex.response.json.meta) ? ex.response.json.meta : undefined;
    if (ok && typeof meta?.remaining_seconds === 'number' && this.txState === 'open') this.lockUntilMs = Date.now() + meta.remaining_seconds * 1000;
  }

  get hasSession(): boolean {
    return this.session !== undefined;
  }

  /** Takes the session cookie from a login answer; returns whether there was one. */
  adoptSession(setCookies: string[]): boolean {
    const value = findSetCookie(setCookies, this.o.sessionCookieName);
    if (value === undefined) return false;
    this.session = value;
    this.o.secrets.add(value, this.o.sessionCookieName);
    return true;
  }

  /**
   * Sends one request. After an abort only `ignoreAbort` requests (the rollback) are sent;
   * `boundMs` gives up on the answer sooner than the run's timeout. After a failed rollback no
   * write and no POST /api/transaction is sent any more (an exchange with `error.kind` `not sent`).
   */
  async send(spec: SendSpec, opts: { ignoreAbort?: boolean; boundMs?: number } = {}): Promise<Exchange> {
    const abortable = opts.ignoreAbort !== true;
    if (abortable && this.o.signal?.aborted) throw new AbortedError('aborted');
    const refused = this.txState === 'rollback failed' && WRITE_METHODS.has(spec.op.method) && !(spec.op.path === TX_PATH && spec.op.method === 'DELETE');
    const method = spec.op.method;
    const url = `${this.baseUrl}${spec.path}`;
    const accept = spec.accept ?? 'application/json';
    const headers: Record<string, string> = { accept };
    const shownHeaders: Record<string, string> = { Accept: accept };
    const curl: CurlRequest = { method, url, headers: shownHeaders };
    if (this.o.insecure) curl.insecure = true;
    else if (this.o.caFile) curl.ca = this.o.caFile;
    const mock = this.target === 'mock';
    const cookieName = this.o.sessionCookieName;
    switch (spec.auth) {
      case 'session': {
        const value = mock ? MOCK_SESSION : this.session;
        if (value !== undefined) {
          headers.cookie = `${cookieName}=${value}`;
          // Live: the session comes from the login line of the reproduction (a cookie jar).
          if (mock) curl.cookie = { name: cookieName, value };
          else curl.cookieJar = { file: COOKIE_JAR };
        }
        break;
      }
      case 'made_up_session':
        headers.cookie = `${cookieName}=${this.madeUpSession}`;
        curl.cookie = { name: cookieName, value: this.madeUpSession };
        break;
      case 'basic': {
        const user = mock ? MOCK_USER : (this.o.username ?? '');
        const pass = mock ? MOCK_PASSWORD : (this.o.password ?? '');
        headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
        curl.basic = { username: user, passwordPlaceholder: mock ? MOCK_PASSWORD : (this.o.passwordPlaceholder ?? '$SPS_PASSWORD') };
        break;
      }
      case 'wrong_password': {
        const user = this.probeUsername;
        headers.authorization = `Basic ${Buffer.from(`${user}:${this.wrongPassword}`, 'utf8').toString('base64')}`;
        this.o.secrets.add(headers.authorization);
        curl.basic = { username: user, passwordPlaceholder: '<random-password>' };
        break;
      }
      case 'none':
        break;
    }
    if (spec.prefer && (spec.prefer.code !== undefined || spec.prefer.example)) {
      const parts: string[] = [];
      if (spec.prefer.code !== undefined) parts.push(`code=${spec.prefer.code}`);
      if (spec.prefer.example) parts.push(`example=${spec.prefer.example}`);
      headers.prefer = parts.join(', ');
      shownHeaders.Prefer = headers.prefer;
    }
    let body: string | undefined;
    if (spec.raw) {
      body = spec.raw.body;
      headers['content-type'] = spec.raw.contentType;
      if ('form' in spec.raw.curl) curl.form = spec.raw.curl.form;
      else {
        shownHeaders['Content-Type'] = spec.raw.contentType;
        curl.dataFile = spec.raw.curl.file;
      }
    } else if (spec.emptyBody) {
      body = '';
      curl.body = '';
    } else if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
      shownHeaders['Content-Type'] = 'application/json';
      curl.body = this.o.secrets.redact(JSON.stringify(redactJson(spec.body)));
    }
    const ex: Exchange = {
      node: this.label,
      target: this.target,
      op: spec.op,
      probe: spec.probe,
      method,
      path: spec.path,
      ...(spec.auth === 'wrong_password' ? { user: this.probeUsername } : {}),
      ...(spec.prefer?.code !== undefined ? { requestedStatus: spec.prefer.code } : {}),
      ...(spec.prefer?.example ? { exampleName: spec.prefer.example } : {}),
      curl: this.o.secrets.redact(this.reproduction(spec, curl)),
    };
    if (refused) {
      ex.error = { kind: 'not sent', message: `not sent: the rollback failed on node ${this.label}, so no new transaction and no further write` };
      return ex;
    }
    const { txOp, before } = this.beforeSend(spec);
    this.requests++;
    // A signal (SIGINT/SIGTERM, the deadline) aborts the requests in flight at once, except the
    // rollback, which is sent after it.
    const bound = opts.boundMs !== undefined ? AbortSignal.timeout(opts.boundMs) : undefined;
    const runSignal = abortable ? this.o.signal : undefined;
    const signal = runSignal && bound ? AbortSignal.any([runSignal, bound]) : (runSignal ?? bound);
    try {
      const res = await this.transport.request({
        method,
        url,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
        digestNonJson: MAX_NON_JSON_READ,
        maxBodyBytes: MAX_JSON_READ,
      });
      this.consecutiveFailures = 0;
      this.registerSecrets(res.json);
      ex.response = {
        status: res.status,
        headers: res.headers,
        setCookies: res.setCookies,
        bodyText: res.bodyText,
        json: res.json,
        durationMs: res.durationMs,
        ...(res.digest ? { digest: res.digest } : {}),
        ...(res.bodySkipped ? { bodySkipped: res.bodySkipped } : {}),
      };
    } catch (err) {
      if (runSignal?.aborted) throw new AbortedError('aborted');
      const kind = bound?.aborted ? 'timeout' : err instanceof TransportError ? err.kind : 'other';
      const reason = bound?.aborted
        ? `no answer within ${opts.boundMs} ms`
        : err instanceof TransportError
          ? err.reason
          : err instanceof Error
            ? err.message
            : String(err);
      ex.error = { kind, message: this.o.secrets.redact(reason) };
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= (this.o.maxConsecutiveFailures ?? 3) && !this.deadReason) {
        this.deadReason = `${this.consecutiveFailures} requests in a row got no HTTP answer (last: ${ex.error.message})`;
      }
    } finally {
      this.completed++;
    }
    this.afterSend(txOp, before, ex);
    return ex;
  }

  /**
   * The curl lines that reproduce a request as sent: live, the login into a cookie jar first
   * (the password from its environment variable, never the value), then for a step of the
   * write cycle the transaction around it and the rollback after it.
   */
  private reproduction(spec: SendSpec, curl: CurlRequest): string {
    if (this.target !== 'live' || spec.auth !== 'session') return toCurl(curl);
    const lines = [this.loginCurl(), toCurl(curl)];
    const isTx = spec.op.path === TX_PATH;
    const open = toCurl({
      method: 'POST',
      url: `${this.baseUrl}${TX_PATH}`,
      ...this.tlsCurl(),
      cookieJar: { file: COOKIE_JAR },
      headers: { Accept: 'application/json', 'Content-Length': '0' },
    });
    const rollback = toCurl({
      method: 'DELETE',
      url: `${this.baseUrl}${TX_PATH}`,
      ...this.tlsCurl(),
      cookieJar: { file: COOKIE_JAR },
      headers: { Accept: 'application/json' },
    });
    if (spec.probe === 'write' && !isTx) return [lines[0]!, open, lines[1]!, rollback].join('\n');
    if (isTx && spec.op.method === 'POST') return [...lines, rollback].join('\n');
    if (!isTx && WRITE_METHODS.has(spec.op.method)) return [...lines, rollback].join('\n');
    return lines.join('\n');
  }

  /** Values of secret-named properties (psk, password, ...) in answers are redacted everywhere. */
  private registerSecrets(value: unknown): void {
    for (const secret of collectSecretValues(value)) if (secret !== REDACTED) this.o.secrets.add(secret);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
