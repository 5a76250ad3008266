/**
 * The seed data of a fresh node, from the spec: the 200 example of each configuration GET
 * (`default` first, else the first one). A setting or object stores the example's `body`; a
 * collection stores the `items` of its list example and the object examples; a directory with a
 * `{param}` child (the NICs) gets the keys its example lists, each with the child's example body.
 * References are stored as bare keys, and the hrefs the examples show are remembered for GETs.
 */
import { isObject } from '../../shared/json.js';
import { matchesTemplate } from '../../model/operations.js';
import type { Engine } from './engine.js';
import { hasAt, isParam, segmentsOf, setAt, VALUE, type Tree } from './layout.js';

function exampleOf(engine: Engine, template: string): unknown {
  const get = engine.paths.get(template)?.ops.GET;
  const examples = get?.responses.find((r) => r.status === '200')?.json?.examples;
  if (!examples) return undefined;
  return 'default' in examples ? examples.default : Object.values(examples)[0];
}

/** The `{param}` values of a concrete path for a template; undefined when it does not match. */
function paramsOf(template: string, path: string): Record<string, string> | undefined {
  if (!matchesTemplate(template, path)) return undefined;
  const t = segmentsOf(template);
  const p = segmentsOf(path);
  const out: Record<string, string> = {};
  t.forEach((seg, i) => {
    if (isParam(seg)) out[seg.slice(1, -1)] = decodeURIComponent(p[i] as string);
  });
  return out;
}

const hrefOf = (v: unknown): string | undefined => (isObject(v) && isObject(v.meta) && typeof v.meta.href === 'string' ? v.meta.href.split('#')[0] : undefined);

export function seedConfiguration(engine: Engine): Tree {
  const tree: Tree = { local_services: {} };
  const placeholders: Array<{ child: string; loc: string[] }> = [];
  const templates = [...engine.paths.values()].sort((a, b) => a.template.length - b.template.length);
  // Lists first (they name the keys), then the objects and settings (their bodies win).
  for (const p of templates) {
    if (p.kind !== 'directory' && p.kind !== 'collection') continue;
    const ex = exampleOf(engine, p.template);
    const child = engine.childParamTemplate(p.template);
    if (!isObject(ex) || !Array.isArray(ex.items) || !child || p.template.includes('{')) continue;
    const loc = engine.layout.itemsLocation(p.template, {});
    if (!loc) continue;
    const schema = engine.bodySchema(p.kind === 'collection' ? p.template : child);
    for (const item of ex.items) {
      if (!isObject(item) || typeof item.key !== 'string') continue;
      const objLoc = [...loc, item.key, ...(engine.layout.hasChildren(child) ? [VALUE] : [])];
      if (p.kind === 'collection' && item.body !== undefined) setAt(tree, objLoc, engine.toStored(schema, item.body, true));
      else placeholders.push({ child, loc: objLoc });
    }
  }
  for (const p of templates) {
    if (p.kind !== 'setting' && p.kind !== 'object') continue;
    const ex = exampleOf(engine, p.template);
    if (!isObject(ex) || !('body' in ex)) continue;
    let params: Record<string, string> = {};
    if (p.template.includes('{')) {
      const href = hrefOf(ex);
      const fromHref = href ? paramsOf(p.template, href) : undefined;
      const last = segmentsOf(p.template).at(-1) as string;
      if (fromHref) params = fromHref;
      else if (typeof ex.key === 'string' && isParam(last) && segmentsOf(p.template).filter(isParam).length === 1) params = { [last.slice(1, -1)]: ex.key };
      else continue;
    }
    const loc = engine.layout.location(p.template, params);
    if (!loc) continue;
    setAt(tree, loc, engine.toStored(engine.bodySchema(p.template), ex.body, true));
  }
  for (const { child, loc } of placeholders) {
    if (hasAt(tree, loc)) continue;
    const ex = exampleOf(engine, child);
    if (isObject(ex) && 'body' in ex) setAt(tree, loc, engine.toStored(engine.bodySchema(child), ex.body, true));
    else setAt(tree, loc, {});
  }
  return tree;
}
