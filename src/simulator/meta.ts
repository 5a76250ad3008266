/**
 * The `meta` objects of the envelopes: parent, sibling links (the parent directory's keys in
 * alphabetical order; `next`/`previous` are null at the ends), the transaction link and
 * `remaining_seconds` for the lock holder.
 */
import { txMeta, type Ctx } from './context.js';
import { parentOf } from './paths.js';
import type { SimState } from './state.js';

export const TRANSACTION_HREF = '/api/transaction';

/** Keys of a directory (sorted), or undefined when `dir` is not a directory. */
export function childrenOf(dir: string, state: SimState): string[] | undefined {
  switch (dir) {
    case '/api':
      return ['authentication', 'cluster', 'configuration', 'transaction'];
    case '/api/configuration':
      return ['datetime', 'local_services', 'management', 'network', 'policies'];
    case '/api/configuration/local_services':
      return ['cluster'];
    case '/api/configuration/datetime':
      return ['ntp_servers', 'timezone'];
    case '/api/configuration/management':
      return ['exported_configuration_encryption', 'system_backup'];
    case '/api/configuration/policies':
      return ['backup_policies'];
    case '/api/configuration/network':
      return ['nics'];
    case '/api/configuration/network/nics':
      return Object.keys(state.configuration.network.nics).sort();
    case '/api/configuration/policies/backup_policies':
      return Object.keys(state.configuration.policies.backup_policies).sort();
    case '/api/cluster':
      return ['configuration_sync', 'join_request', 'nodes', 'promote', 'status'];
    default:
      return undefined;
  }
}

export interface SiblingLinks {
  first: string;
  last: string;
  next: string | null;
  previous: string | null;
}

export function siblingLinks(href: string, state: SimState): SiblingLinks | undefined {
  const parent = parentOf(href);
  if (!parent) return undefined;
  const keys = childrenOf(parent, state);
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
  const links = siblingLinks(href, state);
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
  const keys = childrenOf(href, state) ?? [];
  return {
    items: keys.map((key) => ({ key, meta: { href: `${href}/${key}` } })),
    meta: configMeta(ctx, href, state),
  };
}
