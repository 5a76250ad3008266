/**
 * The route table's shape, and the directory tree derived from it: the children of a directory
 * are the next segments of the routes below it (a `{param}` segment yields the keys its route
 * reads from the state). Nothing else lists them.
 */
import type { Handler, PublicHandler } from '../appliance/context.js';
import type { SimState } from '../state/state.js';
import { Router } from './router.js';

interface RouteBase {
  method: string;
  path: string;
  /** For a route whose last segment is `{param}`: the keys it serves, for its parent's listing. */
  keys?: (state: SimState) => string[];
  /** Not listed among its parent directory's items (e.g. /api/info). */
  unlisted?: true;
  /**
   * Served by a real node but not part of the contract (handlers/beyond-contract.ts): only with
   * `startSimulator({ beyondContract: true })`; the route table test keeps these apart.
   */
  beyond?: true;
}

export type RouteSpec = (RouteBase & { public: true; fn: PublicHandler }) | (RouteBase & { public?: false; fn: Handler });

export type RouteDef = { public: true; fn: PublicHandler } | { public: false; fn: Handler };

const isParam = (seg: string): boolean => seg.startsWith('{') && seg.endsWith('}');
const split = (p: string): string[] => p.split('/').filter((s) => s.length > 0);

export class RouteTree {
  readonly router = new Router<RouteDef>();
  private readonly routes: readonly RouteSpec[];

  constructor(routes: readonly RouteSpec[]) {
    this.routes = routes;
    for (const r of routes) {
      this.router.add(r.method, r.path, r.public === true ? { public: true, fn: r.fn } : { public: false, fn: r.fn });
    }
  }

  /** Keys of a directory (sorted); undefined when no route lies below `dir`. */
  children(dir: string, state: SimState): string[] | undefined {
    const base = split(dir);
    const keys = new Set<string>();
    let found = false;
    for (const r of this.routes) {
      const segs = split(r.path);
      if (segs.length <= base.length || !base.every((s, i) => segs[i] === s)) continue;
      found = true;
      const next = segs[base.length] as string;
      const isLeaf = segs.length === base.length + 1;
      if (isLeaf && r.unlisted) continue;
      if (isParam(next)) {
        if (isLeaf && r.keys) for (const k of r.keys(state)) keys.add(k);
      } else {
        keys.add(next);
      }
    }
    return found ? [...keys].sort() : undefined;
  }
}
