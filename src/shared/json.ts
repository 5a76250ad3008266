/**
 * JSON helpers shared by the client, the conformance runner, the spec model and the simulator.
 * The one home of `isObject` and JSON Pointer handling: do not add another copy.
 */

export type JsonObject = Record<string, unknown>;

/** JSON text parsed: the value, or the parser's first message line (`empty` for blank text). */
export type ParsedJson = { ok: true; value: unknown } | { ok: false; reason: string };

/** The one home of parsing JSON text that may be malformed or blank (a body, a file). */
export function parseJsonText(text: string): ParsedJson {
  if (text.trim() === '') return { ok: false, reason: 'empty' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.split('\n')[0] ?? 'not JSON' };
  }
}

/** Parses `text` as JSON, or returns undefined (blank or malformed). */
export function tryParseJson(text: string): unknown | undefined {
  const parsed = parseJsonText(text);
  return parsed.ok ? parsed.value : undefined;
}

/** A plain (non-null, non-array) object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Escapes one reference token of a JSON Pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Unescapes one reference token of a JSON Pointer (RFC 6901). */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Builds a JSON Pointer from reference tokens: `['paths', '/api']` is `/paths/~1api`. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapePointerToken(String(t))}`).join('');
}

/** The value at a JSON Pointer (`''` is the whole document); undefined when a step is missing. */
export function getAtPointer(doc: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '#') return doc;
  const tokens = pointer.replace(/^#/, '').split('/').slice(1).map(unescapePointerToken);
  let cur: unknown = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

/** Structural equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
