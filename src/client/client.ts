/**
 * `createSpsClient()`: a typed SPS REST client on openapi-fetch. This module checks the options
 * and wires the parts: types.ts (the public types), credentials.ts (how it logs in), session.ts
 * (the session middleware), errors.ts (SpsApiError and the error mapping), transaction-helpers.ts
 * and transactions.ts (the transaction calls and their bodies).
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
import createClient from 'openapi-fetch';
import type { paths } from '../../generated/sps-api.js';
import { createTransport } from '../http/transport.js';
import { SecretRegistry } from '../redact.js';
import { findSetCookie } from '../shared/index.js';
import { resolveCredentials } from './credentials.js';
import { createSession } from './session.js';
import { createTransactionHelpers, runInTransaction } from './transaction-helpers.js';
import type { ApplianceInfo, LoginMethodsBody, SpsClient, SpsClientOptions, TransactionScope } from './types.js';
import { USER_AGENT } from './version.js';

/** The value of cookie `name` from a list of Set-Cookie values (the shared helper). */
export { findSetCookie };

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
  const session = createSession({ baseUrl, userAgent, secrets, credentials, transport });

  const api = createClient<paths>({
    baseUrl,
    fetch: transport.fetch,
    headers: { Accept: 'application/json', 'User-Agent': userAgent },
  });
  api.use(session.middleware);
  const transactions = createTransactionHelpers(api, secrets);

  const client: SpsClient = {
    api,
    GET: api.GET,
    PUT: api.PUT,
    POST: api.POST,
    DELETE: api.DELETE,
    login: () => session.login(),
    get loginCount() {
      return session.loginCount;
    },
    get loggedIn() {
      return session.loggedIn;
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
    withTransaction: <T>(fn: (tx: TransactionScope) => Promise<T> | T): Promise<T> => runInTransaction(client, transactions, fn),
    secrets,
    transport,
    close: () => transport.close(),
  };
  return client;
}
