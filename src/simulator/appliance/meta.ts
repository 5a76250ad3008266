/**
 * The `meta` objects of the envelopes: parent, sibling links (the parent directory's keys in
 * alphabetical order; `next`/`previous` are null at the ends), the transaction link and
 * `remaining_seconds` for the lock holder. A directory's keys come from the route table
 * (`ctx.appliance.children`), never from a list kept here.
 */
import type { SimState } from '../state/state.js';
import { txMeta, type Ctx } from './context.js';
import { lastSegment, parentOf } from './paths.js';

export const TRANSACTION_HREF = '/api/transaction';

export interface SiblingLinks {
  first: string;
  last: string;
  next: string | null;
  previous: string | null;
}

export function siblingLinks(ctx: Ctx, href: string, state: SimState): SiblingLinks | undefined {
  const parent = parentOf(href);
  if (!parent) return undefined;
  const keys = ctx.appliance.children(parent, state);
  if (!keys || keys.length === 0) return undefined;
  const key = href.slice(parent.length + 1);
  const i = keys.indexOf(key);
  if (i < 0) return undefined;
  const at = (k: string | undefined): string | null => (k === undefined ? null : `${parent}/${k}`);
  return {
    first: `${parent}/${keys[0]}`,
    last: `${parent}/${keys[keys.length - 1]}`,
    next: at(keys[i + 1]),
    previous: at(i > 0 ? keys[i - 1] : undefined),
  };
}

/**
 * Meta of a configuration resource (directory, setting or object): href, parent, siblings,
 * transaction link, and remaining_seconds while the caller holds the lock.
 */
export function configMeta(ctx: Ctx, href: string, state: SimState): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  const links = siblingLinks(ctx, href, state);
  if (links) Object.assign(meta, { first: links.first });
  meta.href = href;
  if (links) Object.assign(meta, { last: links.last, next: links.next });
  const parent = parentOf(href);
  if (parent) meta.parent = parent;
  if (links) meta.previous = links.previous;
  Object.assign(meta, txMeta(ctx));
  meta.transaction = TRANSACTION_HREF;
  return meta;
}

/** A directory envelope: `{items: [{key, meta: {href}}], meta}`. */
export function directory(ctx: Ctx, href: string, state: SimState): unknown {
  const keys = ctx.appliance.children(href, state) ?? [];
  return {
    items: keys.map((key) => ({ key, meta: { href: `${href}/${key}` } })),
    meta: configMeta(ctx, href, state),
  };
}

/** A setting or object envelope: `{body, key, meta}`. */
export function setting(ctx: Ctx, href: string, body: unknown, state: SimState): unknown {
  return { body, key: lastSegment(href), meta: configMeta(ctx, href, state) };
}
