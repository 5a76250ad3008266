/**
 * Where the engine keeps each configuration path's value in the state tree
 * (`state.configuration`), derived from the spec's path templates:
 *
 * - a literal segment below `/api/configuration` is a key of the tree
 *   (`/api/configuration/local_services/cluster` -> `configuration.local_services.cluster`);
 * - a `{param}` segment is a key of the `@items` map of its parent (a collection's objects,
 *   a directory's named children such as the NICs);
 * - a path that also has documented paths below it keeps its own value under `@value`.
 *
 * So a setting with nothing below it is stored exactly at its path, deleting an object deletes
 * what lies below it, and nothing else keeps a list of areas.
 */
import { isObject } from '../../shared/json.js';

export const CONFIGURATION = '/api/configuration';
export const ITEMS = '@items';
export const VALUE = '@value';

export type Tree = Record<string, unknown>;

export const segmentsOf = (p: string): string[] => p.split('/').filter((s) => s.length > 0);
export const isParam = (seg: string): boolean => seg.startsWith('{') && seg.endsWith('}');

export function isConfigurationPath(template: string): boolean {
  return template === CONFIGURATION || template.startsWith(`${CONFIGURATION}/`);
}

export class Layout {
  /** Templates with a documented template below them. */
  private readonly parents = new Set<string>();

  constructor(templates: Iterable<string>) {
    for (const t of templates) {
      const segs = segmentsOf(t);
      for (let i = 1; i < segs.length; i++) this.parents.add(`/${segs.slice(0, i).join('/')}`);
    }
  }

  hasChildren(template: string): boolean {
    return this.parents.has(template);
  }

  /**
   * The tree location of a template's value, with `{param}`s filled from `params`, relative to
   * `state.configuration`. Undefined for a path outside the configuration tree.
   */
  location(template: string, params: Record<string, string>): string[] | undefined {
    if (!isConfigurationPath(template) || template === CONFIGURATION) return undefined;
    const segs = segmentsOf(template).slice(2);
    const out: string[] = [];
    for (const seg of segs) {
      if (isParam(seg)) {
        const v = params[seg.slice(1, -1)];
        if (v === undefined) return undefined;
        out.push(ITEMS, v);
      } else {
        out.push(seg);
      }
    }
    if (this.hasChildren(template)) out.push(VALUE);
    return out;
  }

  /** The location of the `@items` map holding the objects of `{param}` children of `template`. */
  itemsLocation(template: string, params: Record<string, string>): string[] | undefined {
    if (!isConfigurationPath(template)) return undefined;
    if (template === CONFIGURATION) return [ITEMS];
    const loc = this.location(template, params);
    if (!loc) return undefined;
    if (loc[loc.length - 1] === VALUE) loc.pop();
    return [...loc, ITEMS];
  }
}

export function getAt(tree: Tree, loc: readonly string[]): unknown {
  let cur: unknown = tree;
  for (const k of loc) {
    if (!isObject(cur) || !Object.hasOwn(cur, k)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Sets a value, creating the nodes on the way. */
export function setAt(tree: Tree, loc: readonly string[], value: unknown): void {
  let cur: Tree = tree;
  for (const k of loc.slice(0, -1)) {
    const next = cur[k];
    if (!isObject(next)) cur[k] = {};
    cur = cur[k] as Tree;
  }
  cur[loc[loc.length - 1] as string] = value;
}

export function deleteAt(tree: Tree, loc: readonly string[]): void {
  const parent = getAt(tree, loc.slice(0, -1));
  if (isObject(parent)) delete parent[loc[loc.length - 1] as string];
}

export function hasAt(tree: Tree, loc: readonly string[]): boolean {
  const parent = getAt(tree, loc.slice(0, -1));
  return isObject(parent) && Object.hasOwn(parent, loc[loc.length - 1] as string);
}

/** Keys of an `@items` map in insertion order. */
export function itemKeys(tree: Tree, loc: readonly string[] | undefined): string[] {
  if (!loc) return [];
  const m = getAt(tree, loc);
  return isObject(m) ? Object.keys(m) : [];
}
