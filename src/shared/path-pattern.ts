/**
 * Path patterns over API paths, as SPS usergroups grant privileges by area: `*` is one segment,
 * `**` any number of segments (zero included: `/api/cluster/**` covers `/api/cluster`). Used by
 * the simulator's privileges and by the runner's roles file.
 */

const segments = (p: string): string[] => p.split('/').filter((s) => s.length > 0);

function matchFrom(pat: string[], i: number, path: string[], j: number): boolean {
  if (i === pat.length) return j === path.length;
  const p = pat[i];
  if (p === '**') {
    for (let k = j; k <= path.length; k++) if (matchFrom(pat, i + 1, path, k)) return true;
    return false;
  }
  if (j === path.length) return false;
  return (p === '*' || p === path[j]) && matchFrom(pat, i + 1, path, j + 1);
}

/** Whether `pattern` (`*` one segment, `**` zero or more) covers `path`. */
export function patternMatches(pattern: string, path: string): boolean {
  return matchFrom(segments(pattern), 0, segments(path), 0);
}

/** How specific a pattern is: more literal segments is more specific; on a tie, fewer `**`. */
export function patternSpecificity(pattern: string): number {
  const segs = segments(pattern);
  const literal = segs.filter((s) => s !== '*' && s !== '**').length;
  return literal * 10 - segs.filter((s) => s === '**').length;
}
