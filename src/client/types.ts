/**
 * The public types of `createSpsClient()`: its options, the client, and the transaction helpers.
 */
import type { Client } from 'openapi-fetch';
import type { components, paths } from '../../generated/sps-api.js';
import type { Transport } from '../http/transport.js';
import type { SecretRegistry } from '../redact.js';
import type { LoginType } from './credentials.js';
import type { TransactionChange, TransactionStatus } from './transactions.js';

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
