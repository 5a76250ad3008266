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
import { findSetCookie } from '../shared/index.js';
import type { RunOptions } from './options.js';
import type { OperationModel } from '../spec/model.js';
import { toCurl, type CurlRequest } from './curl.js';
import type { Exchange, ProbeKind, TargetKind } from './types.js';

export type AuthMode =
  | 'session' // the node's real session (live) or a dummy cookie (mock)
  | 'none'
  | 'made_up_session'
  | 'basic' // the real credentials (live) or dummy ones (mock)
  | 'wrong_password';

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
export type NodeClientSettings = Pick<RunOptions, 'secrets' | 'username' | 'password' | 'caFile' | 'ca' | 'insecure' | 'timeoutMs' | 'userAgent' | 'signal'>;

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
const MOCK_USER = 'mock-user';
const MOCK_PASSWORD = 'mock-password';
/** The made-up user name of the `auth_failure` probe starts with this, then 12 random hex digits. */
export const PROBE_USER_PREFIX = 'sps-conformance-probe-';

export class NodeClient {
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

  private readonly o: NodeClientSettings & NodeTarget;

  constructor(settings: NodeClientSettings, node: NodeTarget) {
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

  /** Sends one request. After an abort only `ignoreAbort` requests (the rollback) are sent. */
  async send(spec: SendSpec, opts: { ignoreAbort?: boolean } = {}): Promise<Exchange> {
    const abortable = opts.ignoreAbort !== true;
    if (abortable && this.o.signal?.aborted) throw new AbortedError('aborted');
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
          curl.cookie = mock ? { name: cookieName, value } : { name: cookieName, valuePlaceholder: '$SPS_SESSION_ID' };
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
      curl: this.o.secrets.redact(toCurl(curl)),
    };
    this.requests++;
    // A signal (SIGINT/SIGTERM, the deadline) aborts the requests in flight at once, except the
    // rollback, which is sent after it.
    const signal = abortable ? this.o.signal : undefined;
    try {
      const res = await this.transport.request({ method, url, headers, ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}), digestNonJson: MAX_NON_JSON_READ, maxBodyBytes: MAX_JSON_READ });
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
      if (signal?.aborted) throw new AbortedError('aborted');
      const kind = err instanceof TransportError ? err.kind : 'other';
      const reason = err instanceof TransportError ? err.reason : err instanceof Error ? err.message : String(err);
      ex.error = { kind, message: this.o.secrets.redact(reason) };
      this.consecutiveFailures++;
      if (this.consecutiveFailures >= (this.o.maxConsecutiveFailures ?? 3) && !this.deadReason) {
        this.deadReason = `${this.consecutiveFailures} requests in a row got no HTTP answer (last: ${ex.error.message})`;
      }
    } finally {
      this.completed++;
    }
    return ex;
  }

  /** Values of secret-named properties (psk, password, ...) in answers are redacted everywhere. */
  private registerSecrets(value: unknown): void {
    for (const secret of collectSecretValues(value)) if (secret !== REDACTED) this.o.secrets.add(secret);
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
