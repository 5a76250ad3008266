/** Path helpers shared by the envelopes (`meta.parent`, sibling links). */

/** '/api/configuration/datetime' -> '/api/configuration'; '/api' and non-API paths -> undefined. */
export function parentOf(path: string): string | undefined {
  if (!path.startsWith('/api/')) return undefined;
  const i = path.lastIndexOf('/');
  return i > 0 ? path.slice(0, i) : undefined;
}

/** Strips a trailing slash (but keeps '/'). */
export function normalisePath(pathname: string): string {
  let p = pathname;
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

export function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
