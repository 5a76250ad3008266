/**
 * How `createSpsClient()` logs in: password (HTTP Basic) or certificate (X.509, mutual TLS).
 *
 * - Password login: `GET /api/authentication[?login_method=<m>]` with `Authorization: Basic`.
 * - Certificate login (sps-api.md §1.3, safeguard-ps `Connect-SpsCertificate`):
 *   `GET /api/authentication?type=x509[&login_method=<m>]` over a TLS connection that presents the
 *   client certificate, with no `Authorization` header.
 *
 * A certificate is used for the login when `clientCert`/`clientKey` are given and no password is;
 * when both are given the login is Basic and the certificate is still presented on the TLS
 * connection. The certificate and key are checked here (PEM, key matches certificate, passphrase)
 * so that a mistake is a clear error at construction instead of a TLS failure later.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { SecretRegistry } from '../redact.js';

export type LoginType = 'basic' | 'x509';

export interface CredentialOptions {
  username?: string | undefined;
  password?: string | undefined;
  clientCert?: string | Buffer | undefined;
  clientKey?: string | Buffer | undefined;
  clientKeyPassphrase?: string | undefined;
  loginMethod?: string | undefined;
}

export interface ResolvedCredentials {
  type: LoginType;
  /** Headers of the login request besides Accept and User-Agent (`authorization` for Basic only). */
  loginHeaders: Record<string, string>;
  /** TLS client certificate options for the transport (empty without a certificate). */
  tls: { cert?: string | Buffer; key?: string | Buffer; passphrase?: string };
  /** Adds `type=x509` and `login_method` to a login URL (keeps values the caller already set). */
  decorateLoginUrl(url: URL): URL;
}

function fail(reason: string): never {
  throw new Error(`createSpsClient: ${reason}`);
}

function readKey(key: string | Buffer, passphrase: string | undefined): KeyObject {
  try {
    return passphrase === undefined ? createPrivateKey(key) : createPrivateKey({ key, passphrase });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    // Node's messages name neither the key nor the passphrase; keep only the code.
    const hint = passphrase === undefined ? ' (is it encrypted? then pass clientKeyPassphrase)' : ' (wrong clientKeyPassphrase?)';
    throw new Error(`createSpsClient: clientKey is not a readable PEM private key${hint}${typeof code === 'string' ? ` [${code}]` : ''}`);
  }
}

export function resolveCredentials(options: CredentialOptions, secrets: SecretRegistry): ResolvedCredentials {
  const { username, password, clientCert, clientKey, clientKeyPassphrase, loginMethod } = options;
  const hasCert = clientCert !== undefined;
  const hasKey = clientKey !== undefined;
  if (clientKeyPassphrase !== undefined) secrets.add(clientKeyPassphrase, 'passphrase');
  if (password !== undefined) secrets.addBasicCredentials(username ?? '', password, 'password');
  if (hasCert !== hasKey) {
    fail(hasCert ? 'clientCert is given without clientKey (give both)' : 'clientKey is given without clientCert (give both)');
  }
  if (clientKeyPassphrase !== undefined && !hasKey) fail('clientKeyPassphrase is given without clientKey');
  if (password !== undefined && (username === undefined || username === '')) fail('password is given without username');
  if (password === undefined && !hasCert) {
    fail(
      username !== undefined
        ? 'username is given without password (or give clientCert and clientKey for certificate login)'
        : 'give username and password, or clientCert and clientKey for certificate login',
    );
  }

  const tls: ResolvedCredentials['tls'] = {};
  if (clientCert !== undefined && clientKey !== undefined) {
    const keyText = typeof clientKey === 'string' ? clientKey : clientKey.toString('utf8');
    secrets.add(keyText.trim(), 'private_key');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(clientCert);
    } catch {
      fail('clientCert is not a PEM certificate');
    }
    const key = readKey(clientKey, clientKeyPassphrase);
    if (!cert.checkPrivateKey(key)) fail('clientKey does not belong to clientCert');
    tls.cert = clientCert;
    tls.key = clientKey;
    if (clientKeyPassphrase !== undefined) tls.passphrase = clientKeyPassphrase;
  }

  const type: LoginType = password !== undefined ? 'basic' : 'x509';
  const loginHeaders: Record<string, string> = {};
  if (type === 'basic') {
    const basicAuth = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`, 'utf8').toString('base64')}`;
    secrets.add(basicAuth, 'password');
    loginHeaders.authorization = basicAuth;
  }

  return {
    type,
    loginHeaders,
    tls,
    decorateLoginUrl(url: URL): URL {
      const out = new URL(url);
      if (type === 'x509' && !out.searchParams.has('type')) out.searchParams.set('type', 'x509');
      if (loginMethod && !out.searchParams.has('login_method')) out.searchParams.set('login_method', loginMethod);
      return out;
    },
  };
}
