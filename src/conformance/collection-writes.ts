/**
 * What the collection write cycle (checks/collection-roundtrip.ts) may create, and with which
 * body. A collection is written only when its list can be read (a write-only list cannot show
 * that the object came and went), the node's version documents its POST, and a valid new object
 * can be built without guessing:
 *
 * - the body starts from the POST's documented request example (an example of `{}`, a body no
 *   vendor page shows, builds nothing: a real appliance would refuse it);
 * - every place the request schema holds a reference to another object takes the reference an
 *   existing object of the same collection holds there (it exists on the node: the appliance
 *   keeps no dangling references), or is left out when optional, or an empty list; otherwise the
 *   collection is skipped with the reason. Never a key taken from an example;
 * - a top-level `name` becomes `sps-conformance-<random>`, so it cannot clash with an object of
 *   the node;
 * - the result must validate against the request schema.
 *
 * Built-in objects (negative keys) are never written: `isBuiltInKey` tells them.
 */
import { randomBytes } from 'node:crypto';
import { escapePointerToken, isObject } from '../shared/index.js';
import type { OperationModel, SpecModel } from '../model/operations.js';
import type { SchemaValidator } from '../model/validate.js';
import { childOf, isCollectionCreate, referencesToKeys, stripReadOnly } from './write-safety.js';

/** A built-in object's key (SPS gives them negative numbers): never changed or deleted. */
export const isBuiltInKey = (key: string): boolean => /^-\d+$/.test(decodeURIComponent(key));

/** The keys of a concrete path that stand where its template has a `{param}`. */
export function paramValues(template: string, path: string): string[] {
  const t = template.split('/');
  const p = path.split('/');
  return t.flatMap((seg, i) => (seg.startsWith('{') && seg.endsWith('}') && p[i] !== undefined ? [p[i]!] : []));
}

/** A collection the cycle may write: its list, its POST, and the DELETE of its objects (if any). */
export interface CollectionTarget {
  path: string;
  list: OperationModel;
  post: OperationModel;
  /** The GET of one object (`path/{param}`). */
  getOne: OperationModel | undefined;
  /** The DELETE of one object; undefined: the new object goes with the rollback. */
  remove: OperationModel | undefined;
}

/** The collections whose POST the selection holds, with the operations of their cycle. */
export function collectionTargets(
  ops: readonly OperationModel[],
  all: readonly OperationModel[],
): Array<CollectionTarget | { path: string; post: OperationModel; reason: string }> {
  const out: Array<CollectionTarget | { path: string; post: OperationModel; reason: string }> = [];
  for (const post of ops) {
    if (!isCollectionCreate(post, all)) continue;
    const list = all.find((o) => o.method === 'GET' && o.path === post.path);
    if (!list) {
      out.push({ path: post.path, post, reason: 'a write-only list (no GET of the collection): a new object could not be seen in it, so none is created' });
      continue;
    }
    const getOne = all.find((o) => o.method === 'GET' && childOf(post.path, o.path));
    const remove = all.find((o) => o.method === 'DELETE' && childOf(post.path, o.path) && o.neverSend === undefined);
    out.push({ path: post.path, list, post, getOne, remove });
  }
  return out;
}

/** The `name` a created object gets: recognisable, and unlike any object of the node. */
export function conformanceName(): string {
  return `sps-conformance-${randomBytes(4).toString('hex')}`;
}

export const NO_EXAMPLE = 'no vendor page shows the body of a new object (its documented example is empty), so no valid object can be built';

/** The first documented request example of a POST that is a non-empty object. */
export function documentedExample(post: OperationModel): Record<string, unknown> | undefined {
  const found = Object.values(post.requestBody?.examples ?? {}).find((e) => isObject(e) && Object.keys(e).length > 0);
  return isObject(found) ? found : undefined;
}

/**
 * The body of a new object of a collection, or why none can be built safely. `existing` are
 * the bodies of the objects the list shows now (as GET shows them: references embedded).
 */
export function newObjectBody(
  model: SpecModel,
  validator: SchemaValidator,
  post: OperationModel,
  existing: readonly unknown[],
  name = conformanceName(),
): { ok: true; body: Record<string, unknown>; notes: string[] } | { ok: false; reason: string } {
  const pointer = post.requestBody?.schemaPointer;
  if (!pointer) return { ok: false, reason: 'the POST documents no JSON request schema' };
  const example = documentedExample(post);
  if (!example) return { ok: false, reason: NO_EXAMPLE };
  const body = stripReadOnly(model, validator, referencesToKeys(structuredClone(example)), pointer) as Record<string, unknown>;
  const sources = existing.map((e) => referencesToKeys(e));
  const notes: string[] = [];
  const problem = new ReferenceFiller(model, sources, notes).fill(body, pointer, []);
  if (problem) return { ok: false, reason: problem };
  if (Object.keys(body).length === 0)
    return { ok: false, reason: 'nothing of the documented example is left once the references no existing object shows are left out' };
  if (typeof body.name === 'string') body.name = name;
  const check = validator.validate(pointer, body);
  if (!check.valid)
    return { ok: false, reason: `the object built from the documented example does not fit the POST request schema (${check.errors.join('; ')})` };
  return { ok: true, body, notes };
}

/** Replaces every reference of a body by one an existing object holds at the same place. */
class ReferenceFiller {
  constructor(
    private readonly model: SpecModel,
    private readonly sources: readonly unknown[],
    private readonly notes: string[],
  ) {}

  /** Fills `value` (changed in place); returns why it cannot be done. */
  fill(value: unknown, pointer: string, at: string[]): string | undefined {
    if (Array.isArray(value)) {
      const items = this.resolved(pointer)?.items;
      if (items === undefined) return undefined;
      const itemPointer = `${this.resolvedPointer(pointer)}/items`;
      for (const [i, v] of value.entries()) {
        const why = this.fill(v, itemPointer, [...at, String(i)]);
        if (why) return why;
      }
      return undefined;
    }
    if (!isObject(value)) return undefined;
    for (const key of Object.keys(value)) {
      const child = this.propertyPointer(pointer, key);
      if (!child) continue;
      const where = [...at, key];
      if (this.isReference(child)) {
        const held = this.existingAt(where);
        // A reference as GET shows it, also without its meta (a sample may cut it).
        const known = isObject(held) && typeof held.key === 'string' ? held.key : held;
        if (typeof known === 'string' && !Array.isArray(value[key])) {
          value[key] = known;
          this.notes.push(`/${where.join('/')} refers to ${known}, as an existing object does`);
        } else if (!this.required(pointer).includes(key)) {
          delete value[key];
          this.notes.push(`/${where.join('/')} (a reference) left out`);
        } else {
          return `/${where.join('/')} must name another object, and no existing object of the collection shows one that exists on the node`;
        }
        continue;
      }
      const itemsPointer = Array.isArray(value[key]) ? `${this.resolvedPointer(child)}/items` : undefined;
      if (itemsPointer && this.resolved(child)?.items !== undefined && this.isReference(itemsPointer)) {
        const known = this.existingAt(where);
        value[key] = Array.isArray(known) ? known : [];
        this.notes.push(`/${where.join('/')} (a list of references) ${Array.isArray(known) ? 'taken from an existing object' : 'left empty'}`);
        continue;
      }
      const why = this.fill(value[key], child, where);
      if (why) return why;
    }
    return undefined;
  }

  /** The value an existing object holds at `where` (references as bare keys). */
  private existingAt(where: string[]): unknown {
    for (const s of this.sources) {
      let cur: unknown = s;
      for (const k of where) cur = isObject(cur) ? cur[k] : Array.isArray(cur) ? cur[Number(k)] : undefined;
      if (cur !== undefined && cur !== null) return cur;
    }
    return undefined;
  }

  private resolvedPointer(pointer: string): string {
    return this.model.deref(this.model.at(pointer), pointer).pointer ?? pointer;
  }

  private resolved(pointer: string): Record<string, unknown> | undefined {
    const v = this.model.deref(this.model.at(pointer), pointer).value;
    return isObject(v) ? v : undefined;
  }

  private required(pointer: string): string[] {
    const out: string[] = [];
    for (const s of this.expand(pointer))
      if (Array.isArray(s.schema.required)) out.push(...s.schema.required.filter((r): r is string => typeof r === 'string'));
    return out;
  }

  private propertyPointer(pointer: string, key: string): string | undefined {
    for (const s of this.expand(pointer)) {
      if (isObject(s.schema.properties) && key in s.schema.properties) return `${s.pointer}/properties/${escapePointerToken(key)}`;
    }
    return undefined;
  }

  /** The schema and its combinator members (every branch), `$ref`s followed. */
  private expand(pointer: string, depth = 0): Array<{ schema: Record<string, unknown>; pointer: string }> {
    if (depth > 8) return [];
    const { value, pointer: p } = this.model.deref(this.model.at(pointer), pointer);
    if (!isObject(value)) return [];
    const base = p ?? pointer;
    const out = [{ schema: value, pointer: base }];
    for (const kw of ['allOf', 'oneOf', 'anyOf'] as const) {
      const list = value[kw];
      if (Array.isArray(list)) for (let i = 0; i < list.length; i++) out.push(...this.expand(`${base}/${kw}/${i}`, depth + 1));
    }
    return out;
  }

  /** A schema that is, or has a branch that is, the embedded reference `{key, meta.href}`. */
  private isReference(pointer: string): boolean {
    return this.expand(pointer).some(({ schema, pointer: p }) => {
      if (/\/components\/schemas\/\w*Reference$/.test(p)) return true;
      const req = Array.isArray(schema.required) ? schema.required : [];
      return req.includes('key') && isObject(schema.properties) && 'key' in schema.properties && 'meta' in schema.properties;
    });
  }
}
