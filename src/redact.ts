/**
 * Secret redaction shared by the client, the conformance runner, simulator logs and reports.
 *
 * Three tools:
 * - {@link SecretRegistry}: remembers concrete secret values (passwords, session ids, PSKs) and
 *   replaces every occurrence of them in free text (error messages, body excerpts, logs).
 * - {@link redactHeaders}: replaces the values of credential-carrying HTTP headers with
 *   placeholders, keeping enough shape (`session_id=<session_id>`, `Basic <credentials>`) to be
 *   useful in a report.
 * - {@link redactJson}: replaces the values of secret-named JSON properties (`psk`, `password`,
 *   `session_id`, ...) with `"<redacted>"`, recursively, without mutating its input.
 */

/** The placeholder used for a secret when no label is given. */
export const REDACTED = '<redacted>';

/** JSON property names whose values are always secrets (compared case-insensitively). */
export const SECRET_JSON_KEYS: readonly string[] = ['psk', 'password', 'session_id', 'passphrase', 'private_key', 'community'];

const SECRET_JSON_KEY_SET = new Set(SECRET_JSON_KEYS.map((k) => k.toLowerCase()));

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Base64 of the UTF-8 bytes of `text`. */
function base64Utf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/**
 * A set of secret values to scrub from text.
 *
 * Every registered value is replaced wherever it occurs, together with the forms it commonly
 * takes in transit: URL-encoded (`%40` for `@`), JSON-escaped (`\"` for `"`) and base64.
 * Registering an HTTP Basic header value (`Basic dXNlcjpwYXNz`) also registers the decoded
 * `user:password` pair and the password alone; {@link SecretRegistry.addBasicCredentials} does
 * the same from a username and a password.
 *
 * Secrets are matched longest first, so a secret that contains another is replaced whole.
 * Every non-empty value is registered, however short. A value shorter than
 * {@link SHORT_SECRET_LENGTH} characters is replaced only where it stands on its own (not next to
 * a letter or digit): a one-character password must not turn every `e` of a report into
 * `<password>`, while the password itself, as a word or a value, is still never shown.
 *
 * Redact values, not rendered documents: replacing text inside HTML, XML or JSON after rendering
 * can break their syntax (a password `"` or `<`); the report renderers redact each value first
 * and escape it afterwards.
 */
export const SHORT_SECRET_LENGTH = 4;

export class SecretRegistry {
  /** secret value -> placeholder */
  readonly #secrets = new Map<string, string>();
  #pattern: RegExp | undefined;

  /**
   * Registers a secret. `undefined` and the empty string are ignored, so optional settings can
   * be passed straight in. `label` names the placeholder (`<label>`); the default is
   * `<redacted>`.
   */
  add(secret: string | undefined, label?: string): void {
    if (secret === undefined || secret === '') return;
    const placeholder = label ? `<${label}>` : REDACTED;
    const basic = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(secret);
    if (basic?.[1]) {
      const token = basic[1];
      this.#put(secret.trim(), placeholder);
      this.#put(token, placeholder);
      const decoded = Buffer.from(token, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) {
        this.#put(decoded, placeholder);
        const password = decoded.slice(colon + 1);
        if (password !== '') this.#addForms(password, placeholder);
      }
      return;
    }
    this.#addForms(secret, placeholder);
  }

  /**
   * Registers a password and the HTTP Basic token made from `username:password` (UTF-8, base64),
   * so neither the password nor the `Authorization` header value can appear in redacted text.
   * The username itself is not treated as a secret, except when it equals the password: then
   * both show as `<username>`, so the output reveals neither the password nor that the two agree.
   */
  addBasicCredentials(username: string, password: string | undefined, label?: string): void {
    if (password === undefined || password === '') return;
    const placeholder = password === username ? '<username>' : label ? `<${label}>` : REDACTED;
    this.#addForms(password, placeholder);
    const pair = `${username}:${password}`;
    this.#put(pair, placeholder);
    this.#put(base64Utf8(pair), placeholder);
  }

  /**
   * Registers the string values of secret-named properties ({@link SECRET_JSON_KEYS}) found
   * anywhere in a parsed JSON value, e.g. the `psk` of a join request the client sends, so that
   * an error message echoing it is redacted too.
   */
  addFromJson(value: unknown, label?: string): void {
    for (const secret of collectSecretValues(value)) this.add(secret, label);
  }

  /** Whether `text` contains any registered secret. */
  contains(text: string): boolean {
    const pattern = this.#compiled();
    if (!pattern) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  /** Number of distinct values (including derived forms) being redacted. */
  get size(): number {
    return this.#secrets.size;
  }

  /** Returns `text` with every registered secret replaced by its placeholder. */
  redact(text: string): string {
    const pattern = this.#compiled();
    if (!pattern || text === '') return text;
    return text.replace(pattern, (match) => this.#secrets.get(match) ?? REDACTED);
  }

  /**
   * A deep copy of a JSON-like value (a report) with every string, keys included, redacted.
   * Render documents from the copy: the renderer's escaping then applies to the placeholders,
   * so no password can break the syntax of the HTML, XML or JSON around it.
   */
  redactValues<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v !== null && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, inner]) => [this.redact(k), walk(inner)]));
      }
      return v;
    };
    return walk(value) as T;
  }

  #addForms(secret: string, placeholder: string): void {
    this.#put(secret, placeholder);
    this.#put(encodeURIComponent(secret), placeholder);
    this.#put(JSON.stringify(secret).slice(1, -1), placeholder);
    // base64 only for values long enough that the encoding is not a common word by accident
    if (secret.length >= 6) this.#put(base64Utf8(secret), placeholder);
  }

  #put(value: string, placeholder: string): void {
    if (value === '' || this.#secrets.has(value)) return;
    this.#secrets.set(value, placeholder);
    this.#pattern = undefined;
  }

  #compiled(): RegExp | undefined {
    if (this.#secrets.size === 0) return undefined;
    if (!this.#pattern) {
      const sorted = [...this.#secrets.keys()].sort((a, b) => b.length - a.length);
      const long = sorted.filter((s) => s.length >= SHORT_SECRET_LENGTH).map(escapeRegExp);
      const short = sorted.filter((s) => s.length < SHORT_SECRET_LENGTH).map(escapeRegExp);
      const parts = [...long];
      if (short.length > 0) parts.push(`(?<![A-Za-z0-9])(?:${short.join('|')})(?![A-Za-z0-9])`);
      this.#pattern = new RegExp(parts.join('|'), 'g');
    }
    return this.#pattern;
  }
}

/** The string values of secret-named properties ({@link SECRET_JSON_KEYS}) anywhere in `value`. */
export function collectSecretValues(value: unknown): string[] {
  const found: string[] = [];
  const seen = new WeakSet<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      v.forEach(walk);
      return;
    }
    for (const [key, inner] of Object.entries(v)) {
      if (SECRET_JSON_KEY_SET.has(key.toLowerCase()) && typeof inner === 'string') found.push(inner);
      else walk(inner);
    }
  };
  walk(value);
  return found;
}

/** Replaces each cookie value in a `Cookie` header: `a=1; b=2` -> `a=<a>; b=<b>`. */
function redactCookieHeader(value: string): string {
  return value
    .split(';')
    .map((part) => {
      const trimmed = part.trim();
      if (trimmed === '') return trimmed;
      const eq = trimmed.indexOf('=');
      if (eq < 0) return '<cookie>';
      const name = trimmed.slice(0, eq).trim();
      return `${name}=<${name}>`;
    })
    .filter((p) => p !== '')
    .join('; ');
}

/** Replaces the value of a `Set-Cookie` header, keeping its attributes (Path, HttpOnly, ...). */
function redactSetCookie(value: string): string {
  const semi = value.indexOf(';');
  const pair = semi < 0 ? value : value.slice(0, semi);
  const attributes = semi < 0 ? '' : value.slice(semi);
  const eq = pair.indexOf('=');
  if (eq < 0) return `<cookie>${attributes}`;
  const name = pair.slice(0, eq).trim();
  return `${name}=<${name}>${attributes}`;
}

/** `Basic dXNl...` -> `Basic <credentials>`; a value without a scheme becomes `<credentials>`. */
function redactAuthorization(value: string): string {
  const match = /^\s*(\S+)\s+\S/.exec(value);
  return match?.[1] ? `${match[1]} <credentials>` : '<credentials>';
}

function redactHeaderValue(lowerName: string, value: string): string {
  switch (lowerName) {
    case 'cookie':
      return redactCookieHeader(value);
    case 'set-cookie':
      return redactSetCookie(value);
    case 'authorization':
    case 'proxy-authorization':
      return redactAuthorization(value);
    case 'x-token':
      return '<x-token>';
    default:
      return value;
  }
}

/**
 * Returns a copy of `headers` in which credential-carrying headers are replaced with
 * placeholders: `Cookie` (each value, `session_id=<session_id>`), `Set-Cookie` (the value,
 * attributes kept), `Authorization` / `Proxy-Authorization` (`Basic <credentials>`) and
 * `X-Token` (`<x-token>`). Header names keep their case; other headers are copied unchanged.
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string>;
export function redactHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]>;
export function redactHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    out[name] = Array.isArray(value) ? value.map((v) => redactHeaderValue(lower, v)) : redactHeaderValue(lower, value);
  }
  return out;
}

/**
 * Returns a deep copy of `value` in which the values of secret-named properties
 * ({@link SECRET_JSON_KEYS}, case-insensitive) are replaced with `"<redacted>"`. The input is
 * not modified. When `registry` is given, every string in the result is also passed through
 * {@link SecretRegistry.redact}. Cycles are cut with `"<cycle>"`.
 */
export function redactJson(value: unknown, registry?: SecretRegistry): unknown {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return registry ? registry.redact(v) : v;
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '<cycle>';
    seen.add(v);
    let result: unknown;
    if (Array.isArray(v)) {
      result = v.map(walk);
    } else {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(v)) {
        out[key] = SECRET_JSON_KEY_SET.has(key.toLowerCase()) ? REDACTED : walk(inner);
      }
      result = out;
    }
    seen.delete(v);
    return result;
  };
  return walk(value);
}
