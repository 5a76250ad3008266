/** Set-Cookie and Cookie helpers: the one home of cookie parsing. */

export interface SetCookie {
  name: string;
  /** The value, surrounding double quotes removed. */
  value: string;
  /** Attribute names in lower case (`path`, `secure`, `httponly`, `max-age`, `expires`, ...). */
  attributes: Record<string, string | true>;
}

/** Parses one `Set-Cookie` header value; undefined when it has no `name=value` pair. */
export function parseSetCookie(line: string): SetCookie | undefined {
  const [pair, ...attrs] = line.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return undefined;
  let value = pair.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const attributes: Record<string, string | true> = {};
  for (const a of attrs) {
    const i = a.indexOf('=');
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (key) attributes[key] = i < 0 ? true : a.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value, attributes };
}

/** Whether a parsed cookie deletes itself (`Max-Age` 0 or negative, or an `Expires` in the past). */
export function isExpiring(cookie: SetCookie, now: number = Date.now()): boolean {
  const maxAge = cookie.attributes['max-age'];
  if (typeof maxAge === 'string' && /^-?\d+$/.test(maxAge) && Number(maxAge) <= 0) return true;
  const expires = cookie.attributes.expires;
  if (typeof expires === 'string') {
    const t = Date.parse(expires);
    if (!Number.isNaN(t) && t <= now) return true;
  }
  return false;
}

/** The usable (non-empty, not expiring) value of cookie `name` in a list of Set-Cookie values; the last one wins. */
export function findSetCookie(setCookies: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const line of setCookies) {
    const c = parseSetCookie(line);
    if (!c || c.name !== name) continue;
    found = c.value === '' || isExpiring(c) ? undefined : c.value;
  }
  return found;
}

/** Parses a request `Cookie` header into name -> value (first occurrence wins). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}
