/** /api/cluster/status and /api/cluster/configuration_sync. */
import { createHash } from 'node:crypto';
import { txMeta, view, type ApplianceApi, type Ctx, type Reply } from '../appliance/context.js';
import { notFound } from '../appliance/api-error.js';
import type { ClusterNodeEntry } from '../state/state.js';
import { sortedCopy } from '../state/store.js';
import { isJoinComplete, NODES_HREF as NODES, STATUS } from './cluster.js';

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// ---- status -------------------------------------------------------------------------------

function health(n: ApplianceApi): Record<string, unknown> {
  const i = n.index;
  return {
    memory: 20 + i * 1.5,
    disk: 8 + i,
    swap: 0,
    load1: 0.1 * i,
    load5: 0.08 * i,
    load15: 0.05 * i,
    sessions: { ssh: 0, rdp: 0 },
    total_sessions: 0,
  };
}

function statusItem(ctx: Ctx, id: string, entry: ClusterNodeEntry): Record<string, unknown> {
  const { appliance: node } = ctx;
  const now = node.clock.now();
  const runtime = node.registry.node(entry.address);
  const isSelf = id === node.nodeId;
  const joined = isSelf || (runtime !== undefined && runtime.nodeId === id && isJoinComplete(runtime));
  const item: Record<string, unknown> = { key: id, fqdn: runtime?.fqdn ?? entry.address };
  if (!isSelf && joined) item.last_seen = iso(now);
  item.health_status = joined && runtime && !runtime.closed ? health(runtime) : null;
  item.sync_status = isSelf ? 'n/a' : joined ? 'synced' : 'pending';
  const configHash = createHash('md5')
    .update(JSON.stringify(sortedCopy(node.store.committed.configuration)))
    .digest('hex');
  item.configuration_sync = {
    last_updated: iso(node.store.lastCommitAtMs),
    last_checked: iso(now),
    downloaded_xml_hash: configHash,
    issues: { warnings: [], errors: [] },
  };
  item.meta = { href: `${STATUS}/${id}`, configuration: `${NODES}/${id}` };
  return item;
}

/**
 * Our reading: `/api/cluster/status` only exists on the Central Management node; elsewhere it
 * answers 404 NotFound (safeguard-ps only tells us it is an error there).
 */
function centralOnly(ctx: Ctx): Record<string, ClusterNodeEntry> {
  const state = view(ctx);
  if (!state.cluster.central_management) {
    throw notFound(ctx.path);
  }
  return state.cluster.nodes;
}

export function listClusterStatus(ctx: Ctx): Reply {
  const all = centralOnly(ctx);
  const items = Object.keys(all)
    .sort()
    .map((id) => statusItem(ctx, id, all[id] as ClusterNodeEntry));
  return {
    status: 200,
    body: { items, meta: { href: STATUS, parent: '/api/cluster', self: `${STATUS}/${ctx.appliance.nodeId}` } },
  };
}

export function getClusterNodeStatus(ctx: Ctx): Reply {
  const all = centralOnly(ctx);
  const id = ctx.params.nodeId ?? '';
  if (!Object.hasOwn(all, id)) throw notFound(ctx.path);
  const item = statusItem(ctx, id, all[id] as ClusterNodeEntry);
  item.meta = { ...(item.meta as Record<string, unknown>), parent: STATUS };
  return { status: 200, body: item };
}

// ---- configuration_sync ---------------------------------------------------------------------

/** Undocumented beyond its name: a permissive settings object. */
export function getConfigurationSync(ctx: Ctx): Reply {
  return {
    status: 200,
    body: {
      body: { plugin: null },
      key: 'configuration_sync',
      meta: { href: '/api/cluster/configuration_sync', parent: '/api/cluster', ...txMeta(ctx) },
    },
  };
}
