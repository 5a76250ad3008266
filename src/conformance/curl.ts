/**
 * Builds a curl command line that reproduces a request. Secrets never go in: the password
 * becomes a shell variable (`$SPS_PASSWORD`) that the reader sets, and a live session comes
 * from a cookie jar that the printed login line fills (`-c FILE`, then `-b FILE`), so the
 * commands work when pasted in order.
 */

export interface CurlRequest {
  method: string;
  url: string;
  /** Non-secret headers, sent as they are. */
  headers?: Record<string, string>;
  body?: string;
  /** A multipart form (`-F name=@file`, `-F name=value`) instead of `body`. */
  form?: Array<{ name: string; file?: string; value?: string }>;
  /** A file sent as the raw body (`--data-binary @file`) instead of `body`. */
  dataFile?: string;
  /** HTTP Basic: the password is shown as `passwordPlaceholder` (a `$VAR` or `<...>`). */
  basic?: { username: string; passwordPlaceholder: string };
  /** A cookie: `valuePlaceholder` replaces the value when the value is a secret. */
  cookie?: { name: string; value?: string; valuePlaceholder?: string };
  /** A cookie jar file: read with `-b FILE`, or written with `-c FILE` (`write`, the login). */
  cookieJar?: { file: string; write?: boolean };
  ca?: string;
  insecure?: boolean;
}

/** Single-quotes a word for POSIX shells. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Double-quotes a word whose `$VAR` placeholders must expand; everything else is escaped. */
function doubleQuoteWithVars(literal: string, variable: string): string {
  const esc = literal.replace(/(["\\$`])/g, '\\$1');
  return `"${esc}${variable}"`;
}

function credentialWord(prefix: string, placeholder: string): string {
  return placeholder.startsWith('$') ? doubleQuoteWithVars(prefix, placeholder) : shellQuote(`${prefix}${placeholder}`);
}

export function toCurl(req: CurlRequest): string {
  const parts = ['curl', '-sS', '-i'];
  if (req.method !== 'GET') parts.push('-X', req.method);
  if (req.insecure) parts.push('-k');
  else if (req.ca) parts.push('--cacert', shellQuote(req.ca));
  if (req.basic) parts.push('-u', credentialWord(`${req.basic.username}:`, req.basic.passwordPlaceholder));
  if (req.cookie) {
    const shown = req.cookie.valuePlaceholder ?? req.cookie.value ?? '';
    parts.push('-b', credentialWord(`${req.cookie.name}=`, shown));
  }
  if (req.cookieJar) parts.push(req.cookieJar.write ? '-c' : '-b', shellQuote(req.cookieJar.file));
  for (const [name, value] of Object.entries(req.headers ?? {})) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (req.form) for (const f of req.form) parts.push('-F', shellQuote(f.file !== undefined ? `${f.name}=@${f.file}` : `${f.name}=${f.value ?? ''}`));
  else if (req.dataFile !== undefined) parts.push('--data-binary', shellQuote(`@${req.dataFile}`));
  else if (req.body !== undefined) parts.push('--data-raw', shellQuote(req.body));
  parts.push(shellQuote(req.url));
  return parts.join(' ');
}
