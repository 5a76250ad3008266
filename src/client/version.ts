import { readFileSync } from 'node:fs';

function readVersion(): string {
  // src/client/version.ts and dist/client/version.js both sit two levels below package.json.
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The package version, from package.json. */
export const VERSION: string = readVersion();

/**
 * The User-Agent the client sends. Deliberately not browser-like: SPS 7.5+ demands an `X-Token`
 * CSRF header on PUT/POST/DELETE from browser-like agents.
 */
export const USER_AGENT = userAgentFor('sps-contract');

/**
 * The one spelling of a User-Agent of this package: `<product>/<package version>`
 * (`sps-contract/…` for the client, `sps-conformance/…` for the runner and `discover`).
 */
export function userAgentFor(product: string): string {
  return `${product}/${VERSION}`;
}
