/**
 * A small method + path router. Patterns are literal segments and `{name}` parameters, e.g.
 * `/api/cluster/nodes/{nodeId}`. A path that matches a pattern under another method yields
 * `methodNotAllowed` with the allowed methods.
 */

export interface RouteMatch<H> {
  kind: 'match';
  handler: H;
  params: Record<string, string>;
  pattern: string;
}

export type RouterResult<H> = RouteMatch<H> | { kind: 'methodNotAllowed'; allowed: string[] } | { kind: 'notFound' };

interface Route<H> {
  method: string;
  pattern: string;
  segments: string[];
  handler: H;
}

export class Router<H> {
  private readonly routes: Route<H>[] = [];

  add(method: string, pattern: string, handler: H): this {
    this.routes.push({ method: method.toUpperCase(), pattern, segments: split(pattern), handler });
    return this;
  }

  match(method: string, path: string): RouterResult<H> {
    const segs = split(path);
    const allowed = new Set<string>();
    // Literal routes win over parameter routes (e.g. /status vs /{nodeId} never collide here,
    // but keep the rule explicit): try routes with fewer parameters first.
    const ordered = [...this.routes].sort((a, b) => paramCount(a.segments) - paramCount(b.segments));
    for (const route of ordered) {
      const params = matchSegments(route.segments, segs);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { kind: 'match', handler: route.handler, params, pattern: route.pattern };
      }
      allowed.add(route.method);
    }
    if (allowed.size > 0) return { kind: 'methodNotAllowed', allowed: [...allowed].sort() };
    return { kind: 'notFound' };
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function paramCount(segments: string[]): number {
  return segments.filter(isParam).length;
}

function isParam(seg: string): boolean {
  return seg.startsWith('{') && seg.endsWith('}');
}

function matchSegments(pattern: string[], path: string[]): Record<string, string> | null {
  if (pattern.length !== path.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const s = path[i] as string;
    if (isParam(p)) {
      let value: string;
      try {
        value = decodeURIComponent(s);
      } catch {
        return null;
      }
      params[p.slice(1, -1)] = value;
    } else if (p !== s) {
      return null;
    }
  }
  return params;
}
