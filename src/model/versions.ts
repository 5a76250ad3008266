/**
 * SPS versions (`x-sps-versions`, docs/spec-conventions.md), the one place that reads them.
 *
 * A range is semver syntax on SPS release numbers: space-separated comparators that all hold
 * (`>=6.0 <7.0`), `||` between alternatives. A node's version is coerced from whatever the
 * appliance reports (`7.1.1`, `6.9`, a firmware string such as `7.4.0-lts (build 1234)`). A
 * release line (`6.x`, `7`) is a range itself: a node range "intersects" it when some release
 * of the line is in the range.
 *
 * `versionView(document, version)` is a copy of a bundled document without what that version
 * (or release line) lacks: operations, path items left without operations, properties, and
 * `oneOf`/`anyOf` branches. A removed branch is replaced by a schema that matches nothing, so
 * the pointers of its siblings do not move; a removed property is deleted from `properties`
 * and `required`. Every other node keeps its pointer. Pure: the input is not changed.
 */
import semver from 'semver';
import { isObject } from '../shared/index.js';
import { HTTP_METHODS } from '../shared/index.js';

// biome-ignore lint/suspicious/noExplicitAny: a JSON value of any shape
type Json = Record<string, any>;

export const VERSIONS_KEY = 'x-sps-versions';

/** The normalised range of an `x-sps-versions` value; undefined when it is not a valid range. */
export function parseRange(text: string): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  const r = semver.validRange(text.trim(), { loose: true });
  return r ?? undefined;
}

/** `7.1.1`, `6.9`, `7.4.0-lts (build 1)`, `SPS 7.5.1` -> `7.1.1`, `6.9.0`, ...; undefined when no number is found. */
export function coerceVersion(version: string | undefined | null): string | undefined {
  if (typeof version !== 'string') return undefined;
  const v = semver.coerce(version);
  return v ? v.version : undefined;
}

/** A release line such as `6.x`, `7.*` or a bare major `7` (rather than one release). */
export function isReleaseLine(text: string): boolean {
  const t = text.trim();
  return /^\d+$/.test(t) || /^\d+(\.\d+)?\.[xX*]$/.test(t) || /^\d+\.[xX*](\.[xX*])?$/.test(t);
}

/** Whether `version` (any form coerceVersion accepts) lies in `range`. An invalid range holds for every version. */
export function satisfiesRange(range: string | undefined, version: string): boolean {
  if (range === undefined) return true;
  const r = parseRange(range);
  const v = coerceVersion(version);
  if (r === undefined || v === undefined) return true;
  return semver.satisfies(v, r, { includePrerelease: true });
}

/** Whether some release of `line` (`6.x`) lies in `range`. */
export function intersectsLine(range: string | undefined, line: string): boolean {
  if (range === undefined) return true;
  const r = parseRange(range);
  const l = parseRange(line);
  if (r === undefined || l === undefined) return true;
  return semver.intersects(r, l, { includePrerelease: true });
}

/** `version` is a release (`6.9`) or a release line (`6.x`); the test that fits it. */
export function rangeAdmits(range: string | undefined, version: string): boolean {
  return isReleaseLine(version) ? intersectsLine(range, version) : satisfiesRange(range, version);
}

/** The `x-sps-versions` of a node, when it has one. */
export function versionsOf(node: unknown): string | undefined {
  return isObject(node) && typeof node[VERSIONS_KEY] === 'string' ? node[VERSIONS_KEY] : undefined;
}

/** The reason an operation is not planned for a node: "not documented for SPS 6.9: x-sps-versions >=7.0". */
export function notDocumentedReason(range: string, version: string): string {
  return `not documented for SPS ${version}: ${VERSIONS_KEY} ${range}`;
}

const ONE = ['items', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'additionalProperties', 'unevaluatedItems', 'unevaluatedProperties'];
const MAP = ['patternProperties', 'dependentSchemas', '$defs'];
const LIST = ['allOf', 'prefixItems'];

/** Matches nothing: the place of a removed `oneOf`/`anyOf` branch. */
const removedBranch = (range: string): Json => ({ not: {}, description: `Not in this version (${VERSIONS_KEY} ${range}).` });

function schemaView(node: unknown, keep: (range: string | undefined) => boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => schemaView(n, keep));
  if (!isObject(node)) return node;
  let out: Json | undefined;
  const set = (k: string, v: unknown): void => {
    if (v === (node as Json)[k]) return;
    out ??= { ...node };
    out[k] = v;
  };
  for (const k of ONE) if (isObject(node[k])) set(k, schemaView(node[k], keep));
  for (const k of MAP) {
    if (!isObject(node[k])) continue;
    const m = node[k] as Json;
    let changed = false;
    const next: Json = {};
    for (const [name, s] of Object.entries(m)) {
      const v = schemaView(s, keep);
      if (v !== s) changed = true;
      next[name] = v;
    }
    if (changed) set(k, next);
  }
  if (isObject(node.properties)) {
    const props = node.properties as Json;
    let changed = false;
    const next: Json = {};
    const dropped: string[] = [];
    for (const [name, s] of Object.entries(props)) {
      if (!keep(versionsOf(s))) {
        changed = true;
        dropped.push(name);
        continue;
      }
      const v = schemaView(s, keep);
      if (v !== s) changed = true;
      next[name] = v;
    }
    if (changed) set('properties', next);
    if (dropped.length > 0 && Array.isArray(node.required)) {
      set(
        'required',
        (node.required as unknown[]).filter((r) => !dropped.includes(r as string)),
      );
    }
  }
  for (const k of LIST) {
    if (!Array.isArray(node[k])) continue;
    const list = node[k] as unknown[];
    const next = list.map((s) => schemaView(s, keep));
    if (next.some((v, i) => v !== list[i])) set(k, next);
  }
  for (const k of ['oneOf', 'anyOf']) {
    if (!Array.isArray(node[k])) continue;
    const list = node[k] as unknown[];
    const next = list.map((s) => {
      const r = versionsOf(s);
      return r !== undefined && !keep(r) ? removedBranch(r) : schemaView(s, keep);
    });
    if (next.some((v, i) => v !== list[i])) set(k, next);
  }
  return out ?? node;
}

/** Media types, responses, request bodies, parameters and headers: the schemas they hold. */
function holderView(node: unknown, keep: (range: string | undefined) => boolean): unknown {
  if (!isObject(node) || '$ref' in node) return node;
  let out: Json | undefined;
  const set = (k: string, v: unknown): void => {
    if (v === (node as Json)[k]) return;
    out ??= { ...node };
    out[k] = v;
  };
  if (node.schema !== undefined) set('schema', schemaView(node.schema, keep));
  for (const k of ['content', 'headers']) {
    if (!isObject(node[k])) continue;
    const m = node[k] as Json;
    const next: Json = {};
    let changed = false;
    for (const [name, h] of Object.entries(m)) {
      const v = holderView(h, keep);
      if (v !== h) changed = true;
      next[name] = v;
    }
    if (changed) set(k, next);
  }
  return out ?? node;
}

function mapValues(m: unknown, f: (v: unknown) => unknown): unknown {
  if (!isObject(m)) return m;
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, f(v)]));
}

/**
 * The document as SPS `version` documents it (a release such as `6.9`, or a line such as `6.x`:
 * then everything that intersects the line is kept). See the file comment.
 */
export function versionView<T extends Json>(document: T, version: string): T {
  const keep = (range: string | undefined): boolean => rangeAdmits(range, version);
  const view: Json = { ...document };
  if (isObject(document.components)) {
    const c = document.components as Json;
    view.components = {
      ...c,
      ...(isObject(c.schemas) ? { schemas: mapValues(c.schemas, (s) => schemaView(s, keep)) } : {}),
      ...(isObject(c.responses) ? { responses: mapValues(c.responses, (r) => holderView(r, keep)) } : {}),
      ...(isObject(c.requestBodies) ? { requestBodies: mapValues(c.requestBodies, (r) => holderView(r, keep)) } : {}),
      ...(isObject(c.parameters) ? { parameters: mapValues(c.parameters, (r) => holderView(r, keep)) } : {}),
      ...(isObject(c.headers) ? { headers: mapValues(c.headers, (r) => holderView(r, keep)) } : {}),
    };
  }
  if (isObject(document.paths)) {
    const paths: Json = {};
    for (const [template, item] of Object.entries(document.paths as Json)) {
      if (!isObject(item) || '$ref' in item) {
        paths[template] = item;
        continue;
      }
      const next: Json = { ...item };
      let operations = 0;
      let removed = 0;
      for (const m of HTTP_METHODS) {
        const op = item[m];
        if (!isObject(op)) continue;
        if (!keep(versionsOf(op))) {
          delete next[m];
          removed++;
          continue;
        }
        operations++;
        const o: Json = { ...op };
        if (isObject(op.requestBody)) o.requestBody = holderView(op.requestBody, keep);
        if (isObject(op.responses)) o.responses = mapValues(op.responses, (r) => holderView(r, keep));
        if (Array.isArray(op.parameters)) o.parameters = op.parameters.map((p: unknown) => holderView(p, keep));
        next[m] = o;
      }
      if (operations === 0 && removed > 0) continue;
      if (Array.isArray(item.parameters)) next.parameters = item.parameters.map((p: unknown) => holderView(p, keep));
      paths[template] = next;
    }
    view.paths = paths;
  }
  return view as T;
}
