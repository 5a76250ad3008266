/**
 * The spec-driven engine: every configuration path of the (version-cut) spec served from one
 * set of rules, by its `x-sps-kind`:
 *
 * - `directory`: GET lists its children (the spec's paths below it, and the keys of a
 *   `{param}` child from the state);
 * - `setting`: GET and PUT (and POST of one entry into a list-bodied setting, where documented);
 * - `collection`: GET lists its objects, POST creates one (the new key in the answer);
 * - `object`: GET, PUT, DELETE. A built-in object (negative key) and an object another one
 *   references cannot be deleted (400 `SemanticError`).
 *
 * Operations the spec does not document are not routed, so they answer 405 (another method
 * exists) or 404, as SPS does: a write-only collection has no GET. References are bare keys in
 * the state and in PUT/POST bodies and `{key, meta.href}` in GET answers; where they sit comes
 * from the schema (engine/schema.ts). The state is seeded from the spec's 200 examples
 * (engine/seed.ts). Every write goes through the transaction (`write()`); the request body was
 * checked against its schema before the handler runs (engine/spec.ts).
 */
import { isObject, parseJsonText } from '../../shared/json.js';
import type { OperationModel } from '../../model/operations.js';
import { view, write, type Ctx, type Handler, type PublicHandler, type Reply } from '../appliance/context.js';
import { notFound, semantic } from '../appliance/api-error.js';
import { configMeta, directory, setting } from '../appliance/meta.js';
import type { SimState } from '../state/state.js';
import { objectId } from '../state/ids.js';
import { replaced } from '../state/store.js';
import { deleteAt, getAt, hasAt, isParam, itemKeys, Layout, segmentsOf, setAt, VALUE, type Tree } from './layout.js';
import { itemsSchema, keepReadOnly, mapReferences, propertySchema } from './schema.js';
import type { SimSpec } from './spec.js';

export type Kind = 'directory' | 'setting' | 'collection' | 'object';
export const ENGINE_KINDS: readonly string[] = ['directory', 'setting', 'collection', 'object'];

/** One configuration path template as the engine sees it. */
export interface EnginePath {
  template: string;
  kind: Kind;
  ops: Partial<Record<'GET' | 'PUT' | 'POST' | 'DELETE', OperationModel>>;
}

export class Engine {
  readonly spec: SimSpec;
  readonly layout: Layout;
  readonly paths = new Map<string, EnginePath>();
  /** Hrefs of the references the examples show, by key (where a seeded reference points). */
  readonly knownHrefs = new Map<string, string>();

  constructor(spec: SimSpec) {
    this.spec = spec;
    this.layout = new Layout(spec.model.pathTemplates);
    for (const op of spec.model.operations) {
      if (!op.path.startsWith('/api/configuration') || !ENGINE_KINDS.includes(op.kind ?? '')) continue;
      const m = op.method as keyof EnginePath['ops'];
      if (!['GET', 'PUT', 'POST', 'DELETE'].includes(m)) continue;
      let p = this.paths.get(op.path);
      if (!p) {
        p = { template: op.path, kind: op.kind as Kind, ops: {} };
        this.paths.set(op.path, p);
      }
      p.ops[m] = op;
    }
  }

  /** The schema of the `body` of a path's GET answer (of one object, for a collection). */
  bodySchema(template: string): unknown {
    const p = this.paths.get(template);
    const get = p?.ops.GET;
    const envelope = get?.responses.find((r) => r.status === '200')?.json?.schema;
    if (p?.kind === 'collection') {
      const child = this.childParamTemplate(template);
      const childGet = child ? this.paths.get(child)?.ops.GET : undefined;
      const childEnv = childGet?.responses.find((r) => r.status === '200')?.json?.schema;
      if (childEnv !== undefined) return propertySchema(this.spec.model, childEnv, 'body');
      return propertySchema(this.spec.model, itemsSchema(this.spec.model, propertySchema(this.spec.model, envelope, 'items')), 'body');
    }
    return propertySchema(this.spec.model, envelope, 'body');
  }

  /** The `{param}` template directly below `template`, if the spec has one. */
  childParamTemplate(template: string): string | undefined {
    const depth = segmentsOf(template).length + 1;
    for (const t of this.spec.model.pathTemplates) {
      const segs = segmentsOf(t);
      if (segs.length === depth && t.startsWith(`${template}/`) && isParam(segs[depth - 1] as string)) return t;
    }
    return undefined;
  }

  /** A value as stored: references reduced to their bare keys. */
  toStored(schema: unknown, value: unknown, record = false): unknown {
    return mapReferences(this.spec.model, schema, value, (v) => {
      if (isObject(v) && typeof v.key === 'string') {
        if (record && isObject(v.meta) && typeof v.meta.href === 'string') this.knownHrefs.set(v.key, v.meta.href);
        return v.key;
      }
      return v;
    });
  }

  /** A stored value as a GET shows it: references as `{key, meta: {href}}`. */
  toShown(schema: unknown, value: unknown, state: SimState): unknown {
    return mapReferences(this.spec.model, schema, structuredClone(value), (v) =>
      typeof v === 'string' ? { key: v, meta: { href: this.hrefOf(v, state) } } : v,
    );
  }

  /** Where the object of a key lives: an example's href, else the collection holding it. */
  hrefOf(key: string, state: SimState): string {
    const known = this.knownHrefs.get(key);
    if (known) return known;
    for (const p of this.paths.values()) {
      if (p.kind !== 'collection' || p.template.includes('{')) continue;
      if (itemKeys(config(state), this.layout.itemsLocation(p.template, {})).includes(key)) return `${p.template}/${key}`;
    }
    return `/api/configuration#${key}`;
  }
}

const config = (state: SimState): Tree => state.configuration as Tree;

const engines = new WeakMap<SimSpec, Engine>();

/** The engine of a spec (one per spec). */
export function engineOf(spec: SimSpec): Engine {
  let e = engines.get(spec);
  if (!e) {
    e = new Engine(spec);
    engines.set(spec, e);
  }
  return e;
}

function templateOf(ctx: Ctx, template: string): { engine: Engine; path: EnginePath } {
  const engine = engineOf(ctx.appliance.spec);
  const path = engine.paths.get(template);
  if (!path) throw notFound(ctx.path);
  return { engine, path };
}

function storedOrNotFound(ctx: Ctx, engine: Engine, template: string, state: SimState): unknown {
  const loc = engine.layout.location(template, ctx.params);
  if (!loc || !hasAt(config(state), loc)) {
    // A setting that no example seeded answers an empty body rather than 404: it exists on SPS.
    if (engine.paths.get(template)?.kind === 'setting' && !template.includes('{')) return {};
    const madeUp = ctx.appliance.behaviour.findMadeUpIds ? anotherObject(ctx, engine, template, state) : undefined;
    if (madeUp !== undefined) return madeUp;
    throw notFound(ctx.path);
  }
  return getAt(config(state), loc);
}

/**
 * The `findMadeUpIds` switch: an object id that does not exist answers the first object of its
 * collection (as an appliance that ignores the id would), instead of 404.
 */
function anotherObject(ctx: Ctx, engine: Engine, template: string, state: SimState): unknown {
  const last = segmentsOf(template).at(-1);
  if (!last || !isParam(last)) return undefined;
  const parent = template.slice(0, template.lastIndexOf('/'));
  const itemsLoc = engine.layout.itemsLocation(parent, ctx.params);
  const items = itemsLoc ? getAt(config(state), itemsLoc) : undefined;
  const first = isObject(items) ? Object.keys(items)[0] : undefined;
  if (first === undefined) return undefined;
  const loc = engine.layout.location(template, { ...ctx.params, [last.slice(1, -1)]: first });
  return loc && hasAt(config(state), loc) ? getAt(config(state), loc) : undefined;
}

/** The body of a PUT/POST (already checked against its schema by the appliance). */
function bodyOf(ctx: Ctx): unknown {
  const parsed = parseJsonText(ctx.rawBody);
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'empty') return {};
  throw new Error(`a body the appliance accepted is not JSON: ${parsed.reason}`);
}

const isBuiltIn = (key: string): boolean => /^-\d+$/.test(key);

/** Whether any value of the tree other than the subtree at `except` holds `key` (a reference to it). */
function referenced(tree: unknown, key: string, except: readonly string[], at: string[] = []): boolean {
  if (at.length === except.length && at.every((k, i) => k === except[i])) return false;
  if (typeof tree === 'string') return tree === key;
  if (Array.isArray(tree)) return tree.some((v, i) => referenced(v, key, except, [...at, String(i)]));
  if (isObject(tree)) return Object.entries(tree).some(([k, v]) => referenced(v, key, except, [...at, k]));
  return false;
}

export function getDirectory(ctx: Ctx): Reply {
  return { status: 200, body: directory(ctx, ctx.path, view(ctx)) };
}

export function getValue(template: string): Handler {
  return (ctx) => {
    const { engine } = templateOf(ctx, template);
    const s = view(ctx);
    const stored = storedOrNotFound(ctx, engine, template, s);
    return { status: 200, body: setting(ctx, ctx.path, engine.toShown(engine.bodySchema(template), stored, s), s) };
  };
}

export function listCollection(template: string): Handler {
  return (ctx) => {
    const { engine } = templateOf(ctx, template);
    const s = view(ctx);
    const loc = engine.layout.itemsLocation(template, ctx.params);
    const map = loc ? getAt(config(s), loc) : undefined;
    const schema = engine.bodySchema(template);
    const items = isObject(map)
      ? Object.entries(map).map(([key, body]) => ({ key, body: engine.toShown(schema, body, s), meta: { href: `${ctx.path}/${key}` } }))
      : [];
    const meta = configMeta(ctx, ctx.path, s);
    // Literal `@name` paths below a collection (`@order`) are linked from its meta.
    for (const t of engine.spec.model.pathTemplates) {
      const last = t.slice(t.lastIndexOf('/') + 1);
      if (t === `${template}/${last}` && last.startsWith('@')) meta[last.slice(1)] = `${ctx.path}/${last}`;
    }
    return { status: 200, body: { items, meta } };
  };
}

export function putValue(template: string): Handler {
  return (ctx) => {
    const { engine, path } = templateOf(ctx, template);
    const input = engine.toStored(engine.bodySchema(template), bodyOf(ctx));
    write(ctx, (draft, changes) => {
      const loc = engine.layout.location(template, ctx.params);
      if (!loc) throw notFound(ctx.path);
      const exists = hasAt(config(draft), loc);
      if (!exists && (path.kind === 'object' || template.includes('{'))) throw notFound(ctx.path);
      const old = exists ? getAt(config(draft), loc) : undefined;
      const next = keepReadOnly(engine.spec.model, engine.bodySchema(template), input, old);
      changes.push(replaced(ctx.path, old, next));
      setAt(config(draft), loc, next);
    });
    const s = view(ctx);
    const stored = getAt(config(s), engine.layout.location(template, ctx.params) ?? []) ?? input;
    return { status: 200, body: setting(ctx, ctx.path, engine.toShown(engine.bodySchema(template), stored, s), s) };
  };
}

/** POST on a collection: a new object with a new key. */
export function createObject(template: string): Handler {
  return (ctx) => {
    const { engine } = templateOf(ctx, template);
    const input = engine.toStored(engine.bodySchema(template), bodyOf(ctx));
    const key = objectId();
    const href = `${ctx.path}/${key}`;
    if (ctx.appliance.behaviour.ignorePosts !== true) {
      write(ctx, (draft, changes) => {
        const loc = engine.layout.itemsLocation(template, ctx.params);
        if (!loc) throw notFound(ctx.path);
        const child = engine.childParamTemplate(template);
        const objLoc = [...loc, key];
        if (child && engine.layout.hasChildren(child)) objLoc.push(VALUE);
        changes.push({ type: 'create', path: href, new_value: structuredClone(input) });
        setAt(config(draft), objLoc, input);
      });
    }
    return { status: 201, body: { key, meta: configMeta(ctx, href, view(ctx)) } };
  };
}

/** POST of one entry into a list-bodied setting (e.g. the NTP servers). */
export function appendEntry(template: string): Handler {
  return (ctx) => {
    const { engine } = templateOf(ctx, template);
    const schema = engine.bodySchema(template);
    const input = bodyOf(ctx);
    if (ctx.appliance.behaviour.ignorePosts !== true) {
      write(ctx, (draft, changes) => {
        const loc = engine.layout.location(template, ctx.params);
        if (!loc) throw notFound(ctx.path);
        const current = getAt(config(draft), loc);
        const list = Array.isArray(current) ? [...current] : [];
        const entry = engine.toStored(itemsSchema(engine.spec.model, schema), input);
        list.push(entry);
        changes.push({ type: 'create', path: ctx.path, new_value: structuredClone(entry) });
        setAt(config(draft), loc, list);
      });
    }
    const s = view(ctx);
    return { status: 201, body: setting(ctx, ctx.path, engine.toShown(itemsSchema(engine.spec.model, schema), input, s), s) };
  };
}

export function deleteObject(template: string): Handler {
  return (ctx) => {
    const { engine } = templateOf(ctx, template);
    const key = ctx.path.slice(ctx.path.lastIndexOf('/') + 1);
    write(ctx, (draft, changes) => {
      let loc = engine.layout.location(template, ctx.params);
      if (!loc || !hasAt(config(draft), loc)) throw notFound(ctx.path);
      if (loc[loc.length - 1] === VALUE) loc = loc.slice(0, -1);
      if (isBuiltIn(decodeURIComponent(key))) {
        throw semantic('A built-in object cannot be deleted.', { path: ctx.path, key });
      }
      if (referenced(config(draft), decodeURIComponent(key), loc)) {
        throw semantic('The object is referenced by another configuration object; remove the reference first.', { path: ctx.path, key });
      }
      changes.push({ type: 'delete', path: ctx.path, old_value: structuredClone(getAt(config(draft), loc)) });
      deleteAt(config(draft), loc);
    });
    return { status: 200, body: { meta: configMeta(ctx, ctx.path, view(ctx)) } };
  };
}

/**
 * A documented operation that neither a handler of its own nor the engine's rules serve: its
 * documented answer, the first success status with an example (sessions, health, firmware,
 * actions). `x-sps-never-send` operations are counted in `stats.neverSend` by the appliance.
 */
export function exampleAnswer(op: OperationModel): PublicHandler {
  // The success answers (2xx; else a documented redirect, as the Welcome Wizard's 303).
  const twoXX = op.responses.filter((r) => /^2\d\d$/.test(r.status));
  const success = twoXX.length > 0 ? twoXX : op.responses.filter((r) => /^3\d\d$/.test(r.status));
  // A POST that documents 201 creates: that is its answer.
  const created = op.method === 'POST' ? success.find((r) => r.status === '201') : undefined;
  const withExample = success.find((r) => r.json && Object.keys(r.json.examples).length > 0);
  const chosen = created ?? withExample ?? success[0];
  const status = chosen ? Number(chosen.status) : 200;
  const examples = chosen?.json?.examples ?? {};
  const example = 'default' in examples ? examples.default : Object.values(examples)[0];
  const binary = chosen !== undefined && chosen.json === undefined && chosen.contentTypes.length > 0;
  const has404 = op.statuses.includes(404);
  return (ctx) => {
    // An id the listing one level up does not name is 404, where the operation documents it.
    if (has404 && op.pathParams.length > 0) unknownIdIsNotFound(ctx.appliance.spec, op.path, ctx.params, ctx.path);
    if (binary) return { status, body: Buffer.from('simulated download\n'), headers: { 'content-type': chosen.contentTypes[0] as string } };
    if (example === undefined && status === 204) return { status, body: undefined };
    const body = structuredClone(example ?? {});
    // The example shows one id; the answer is about the id asked for, so its links (href,
    // parent, ...) name the requested path where they name the example's.
    if (op.pathParams.length > 0 && isObject(body) && isObject(body.meta) && typeof body.meta.href === 'string' && matchesTemplate(body.meta.href, op.path)) {
      relinkMeta(body.meta, body.meta.href, ctx.path);
    }
    return { status, body };
  };
}

/**
 * Rewrites the links of `meta` that start with a prefix of the example's path (up to one of its
 * ids) to the same prefix of the requested path; the longest prefix wins.
 */
function relinkMeta(meta: Record<string, unknown>, exampleHref: string, requested: string): void {
  const ex = exampleHref.split('/');
  const req = requested.split('/');
  const prefixes: Array<[string, string]> = [];
  for (let n = ex.length; n > 1; n--) prefixes.push([ex.slice(0, n).join('/'), req.slice(0, n).join('/')]);
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') continue;
    for (const [from, to] of prefixes) {
      if (from === to) break;
      if (v === from || v.startsWith(`${from}/`) || v.startsWith(`${from}?`) || v.startsWith(`${from}#`)) {
        meta[k] = to + v.slice(from.length);
        break;
      }
    }
  }
}

/** Whether a concrete path is an instance of a path template (`{param}` = one segment). */
function matchesTemplate(path: string, template: string): boolean {
  const a = segmentsOf(path);
  const t = segmentsOf(template);
  return a.length === t.length && t.every((seg, i) => isParam(seg) || seg === a[i]);
}

/** Throws 404 when a `{param}` value is not among the keys the listing's example names. */
function unknownIdIsNotFound(spec: SimSpec, template: string, params: Record<string, string>, path: string): void {
  const segs = segmentsOf(template);
  segs.forEach((seg, i) => {
    if (!isParam(seg)) return;
    const listing = spec.operation('GET', `/${segs.slice(0, i).join('/')}`);
    const examples = listing?.responses.find((r) => r.status === '200')?.json?.examples ?? {};
    const ex = 'default' in examples ? examples.default : Object.values(examples)[0];
    const items = isObject(ex) && Array.isArray(ex.items) ? ex.items : [];
    const keys = items.map((it) => (isObject(it) ? it.key : undefined)).filter((k): k is string => typeof k === 'string');
    const value = params[seg.slice(1, -1)];
    if (keys.length > 0 && value !== undefined && !keys.includes(value)) throw notFound(path);
  });
}

/** GET /api/cluster: the doc sample carries one meta link per child besides href and parent. */
export function listClusterEndpoints(ctx: Ctx): Reply {
  const keys = ctx.appliance.children('/api/cluster', view(ctx)) ?? [];
  const meta: Record<string, string> = { href: '/api/cluster', parent: '/api' };
  for (const k of keys) meta[k] = `/api/cluster/${k}`;
  return {
    status: 200,
    body: { items: keys.map((key) => ({ key, meta: { href: `/api/cluster/${key}` } })), meta },
  };
}
