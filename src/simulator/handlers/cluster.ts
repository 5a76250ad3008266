/**
 * /api/cluster/...: promote, join requests, nodes and role assignment (status: cluster-status.ts).
 *
 * Cluster state is per node and transactional like the configuration: promote, join_request,
 * POST nodes and PUT nodes/{id} are staged in the caller's transaction and take effect on
 * commit. A join is complete ("in cluster") once the joining node committed its join request
 * AND the Central Management node committed the POST /api/cluster/nodes for it.
 */
import { randomInt } from 'node:crypto';
import { isObject } from '../../shared/json.js';
import { jsonBody, onRollback, txMeta, view, write, type ApplianceApi, type Ctx, type Reply } from '../appliance/context.js';
import { invalid, notFound } from '../appliance/api-error.js';
import { ROLES, SEARCH_ROLES, type ClusterNodeEntry, type Role, type SimState } from '../state/state.js';
import { replaced } from '../state/store.js';

const NODES = '/api/cluster/nodes';
export const NODES_HREF = NODES;
export const STATUS = '/api/cluster/status';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PSK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newPsk(): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += PSK_ALPHABET[randomInt(PSK_ALPHABET.length)];
  return s;
}

// ---- a cluster from the start ----------------------------------------------------------------

/**
 * Makes the nodes one cluster, committed: the first is the Central Management node (promoted,
 * every node in its member list), each other node has joined it (its committed join request
 * names the first node's address). What the vendor's promote and join pages end with.
 */
export function formCluster(nodes: readonly ApplianceApi[]): void {
  const [cm, ...managed] = nodes;
  if (!cm) return;
  const c = cm.store.committed.cluster;
  c.central_management = true;
  c.join_request = null;
  c.nodes = { [cm.nodeId]: { address: cm.address, roles: ['central-management', 'search-local'] } };
  for (const n of managed) {
    c.nodes[n.nodeId] = { address: n.address, roles: ['managed-host', 'search-local'] };
    const mine = n.store.committed.cluster;
    mine.central_management = false;
    mine.nodes = {};
    mine.join_request = { central_management_address: cm.address, node_id: n.nodeId, address: n.address };
  }
}

/** The member list as a node with a `clusterBreak` switch tells it (a copy; the state stays as it is). */
function brokenMembers(node: ApplianceApi, all: Record<string, ClusterNodeEntry>): Record<string, ClusterNodeEntry> {
  const b = node.behaviour.clusterBreak;
  if (b === 'second-central') {
    const own = all[node.nodeId] ?? { address: node.address, roles: [] };
    return { ...all, [node.nodeId]: { address: own.address, roles: [...new Set<Role>(['central-management', ...own.roles])] } };
  }
  if (b === 'members-differ') {
    const other = Object.keys(all)
      .sort()
      .find((id) => id !== node.nodeId);
    if (other === undefined) return all;
    const { [other]: _left, ...rest } = all;
    return rest;
  }
  return all;
}

// ---- derived cluster facts ------------------------------------------------------------------

/** The committed Central Management node this node's join request points at, if any. */
function centralNodeOf(node: ApplianceApi, state: SimState): ApplianceApi | undefined {
  const jr = state.cluster.join_request;
  return jr ? node.registry.node(jr.central_management_address) : undefined;
}

/** Both sides committed: the joiner its join request, the CM the node entry. */
export function isJoinComplete(node: ApplianceApi): boolean {
  const jr = node.store.committed.cluster.join_request;
  if (!jr) return false;
  const cm = centralNodeOf(node, node.store.committed);
  if (!cm || cm.closed) return false;
  const cmCluster = cm.store.committed.cluster;
  return cmCluster.central_management && Object.hasOwn(cmCluster.nodes, jr.node_id);
}

type JoinStatus = 'not configured' | 'in progress' | 'in cluster';

function joinStatus(node: ApplianceApi, state: SimState): { status: JoinStatus; cmAddress?: string } {
  if (state.cluster.central_management) {
    return { status: node.store.committed.cluster.central_management ? 'in cluster' : 'in progress', cmAddress: node.address };
  }
  const jr = state.cluster.join_request;
  if (!jr) return { status: 'not configured' };
  const complete = isJoinComplete(node) && node.store.committed.cluster.join_request?.node_id === jr.node_id;
  return { status: complete ? 'in cluster' : 'in progress', cmAddress: jr.central_management_address };
}

/** The member list as this node sees it. */
function members(ctx: Ctx): Record<string, ClusterNodeEntry> {
  const { appliance: node } = ctx;
  const state = view(ctx);
  if (state.cluster.central_management) return state.cluster.nodes;
  if (isJoinComplete(node)) {
    const cm = centralNodeOf(node, node.store.committed);
    if (cm) return cm.store.committed.cluster.nodes;
  }
  return { [node.nodeId]: { address: node.address, roles: [] } };
}

function roleProblems(roles: unknown, opts: { isCentral: boolean; others: ClusterNodeEntry[] }): string[] {
  if (!Array.isArray(roles)) return ['"roles" must be a list of role names.'];
  const problems: string[] = [];
  const unknown = roles.filter((r) => typeof r !== 'string' || !(ROLES as readonly string[]).includes(r));
  if (unknown.length) problems.push(`Unknown role(s): ${unknown.map((r) => JSON.stringify(r)).join(', ')}; roles are ${ROLES.join(', ')}.`);
  if (new Set(roles).size !== roles.length) problems.push('A role is listed more than once.');
  const hasCentral = roles.includes('central-management');
  if (hasCentral && !opts.isCentral) problems.push('The central-management role is only given by POST /api/cluster/promote.');
  if (!hasCentral && opts.isCentral) problems.push('The central-management role cannot be removed from the Central Management node.');
  const search = roles.filter((r) => (SEARCH_ROLES as readonly unknown[]).includes(r));
  if (search.length > 1) problems.push('A node has at most one search role (search-master, search-minion or search-local).');
  if (roles.includes('search-master') && opts.others.some((o) => o.roles.includes('search-master'))) {
    problems.push('The cluster already has a search-master node.');
  }
  return problems;
}

// ---- promote ------------------------------------------------------------------------------

export function promoteClusterNode(ctx: Ctx): Reply {
  const { appliance: node } = ctx;
  // The vendor documents an empty body; whatever is sent is ignored.
  write(ctx, (draft, changes) => {
    const c = draft.cluster;
    if (c.join_request) invalid(ctx.path, ['This node has a join request for another Central Management node; it cannot be promoted.']);
    if (!c.central_management) {
      c.central_management = true;
      c.nodes[node.nodeId] = { address: node.address, roles: ['central-management'] };
      changes.push({
        type: 'create',
        path: `${NODES}/${node.nodeId}`,
        new_value: { address: node.address, roles: ['central-management'] },
      });
    }
  });
  const roles = view(ctx).cluster.nodes[node.nodeId]?.roles ?? ['central-management'];
  return {
    status: 201,
    body: {
      body: { address: node.address, roles: [...roles] },
      meta: { href: `${NODES}/${node.nodeId}`, parent: NODES, ...txMeta(ctx) },
    },
  };
}

// ---- join_request -------------------------------------------------------------------------

export function getJoinStatus(ctx: Ctx): Reply {
  const { status, cmAddress: real } = joinStatus(ctx.appliance, view(ctx));
  // Documentation address (RFC 5737): a Central Management node no other member names.
  const cmAddress = real !== undefined && ctx.appliance.behaviour.clusterBreak === 'wrong-central-address' ? '192.0.2.99' : real;
  return {
    status: 200,
    body: {
      details: cmAddress !== undefined ? { central_management_address: cmAddress } : {},
      meta: { href: '/api/cluster/join_request', parent: '/api/cluster', ...txMeta(ctx) },
      status,
    },
  };
}

export function createJoinRequest(ctx: Ctx): Reply {
  const { appliance: node } = ctx;
  const input = jsonBody(ctx);
  const psk = newPsk();
  const cmAddress = write(ctx, (draft, changes) => {
    if (!isObject(input)) invalid(ctx.path, ['The body must be an object {central_management_address}.']);
    const cma = input.central_management_address;
    if (typeof cma !== 'string' || cma.trim().length === 0) invalid(ctx.path, ['"central_management_address" must be a non-empty string.']);
    if (draft.cluster.central_management) invalid(ctx.path, ['The Central Management node cannot join another cluster.']);
    if (cma === node.address) invalid(ctx.path, ['A node cannot join itself.']);
    if (isJoinComplete(node)) invalid(ctx.path, ['This node is already a member of a cluster.']);
    const jr = { central_management_address: cma, node_id: node.nodeId, address: node.address };
    changes.push({ type: draft.cluster.join_request ? 'replace' : 'create', path: ctx.path, new_value: { ...jr, roles: [] } });
    draft.cluster.join_request = jr;
    return cma;
  });
  node.registry.registerJoin(node.address, { nodeId: node.nodeId, psk, centralManagementAddress: cmAddress });
  onRollback(ctx, () => node.registry.dropJoin(node.address, psk));
  return {
    status: 201,
    body: {
      body: { address: node.address, node_id: node.nodeId, psk, roles: [] },
      meta: { href: '/api/cluster/join_request', parent: '/api/cluster', ...txMeta(ctx) },
    },
  };
}

// ---- nodes --------------------------------------------------------------------------------

/** `meta.status` links to /api/cluster/status/<id>, which exists on the Central Management node only. */
function nodeMeta(ctx: Ctx, id: string): Record<string, unknown> {
  const meta: Record<string, unknown> = { href: `${NODES}/${id}`, parent: NODES, ...txMeta(ctx) };
  if (view(ctx).cluster.central_management) meta.status = `${STATUS}/${id}`;
  return meta;
}

export function listClusterNodes(ctx: Ctx): Reply {
  const all = brokenMembers(ctx.appliance, members(ctx));
  const items = Object.keys(all)
    .sort()
    .map((id) => {
      const e = all[id] as ClusterNodeEntry;
      return { key: id, body: { address: e.address, roles: [...e.roles] }, meta: { href: `${NODES}/${id}` } };
    });
  return { status: 200, body: { items, meta: { href: NODES, parent: '/api/cluster', ...txMeta(ctx) } } };
}

export function getClusterNode(ctx: Ctx): Reply {
  const id = ctx.params.nodeId ?? '';
  const all = members(ctx);
  if (!Object.hasOwn(all, id)) throw notFound(ctx.path);
  const e = all[id] as ClusterNodeEntry;
  return { status: 200, body: { body: { address: e.address, roles: [...e.roles] }, key: id, meta: nodeMeta(ctx, id) } };
}

/** POST /api/cluster/nodes on the Central Management node with the joining node's join body. */
export function createClusterNode(ctx: Ctx): Reply {
  const { appliance: node } = ctx;
  const input = jsonBody(ctx);
  const created = write(ctx, (draft, changes) => {
    if (!isObject(input)) invalid(ctx.path, ['The body must be the join request body {address, node_id, psk, roles}.']);
    const problems: string[] = [];
    if (typeof input.address !== 'string' || input.address.length === 0) problems.push('"address" must be a non-empty string.');
    if (typeof input.node_id !== 'string' || !UUID.test(input.node_id)) problems.push('"node_id" must be a UUID.');
    if (typeof input.psk !== 'string' || input.psk.length === 0) problems.push('"psk" must be a non-empty string.');
    const roles = input.roles ?? [];
    problems.push(...roleProblems(roles, { isCentral: false, others: Object.values(draft.cluster.nodes) }));
    if (problems.length) invalid(ctx.path, problems);
    if (!draft.cluster.central_management) invalid(ctx.path, ['Only the Central Management node accepts new nodes; promote this node first.']);
    const id = input.node_id as string;
    const address = input.address as string;
    if (Object.hasOwn(draft.cluster.nodes, id)) invalid(ctx.path, [`Node ${id} is already a member of this cluster.`]);
    // The psk is compared, never echoed.
    if (!node.registry.verifyJoin(address, id, input.psk as string, node.address)) {
      invalid(ctx.path, ['The join request could not be verified: no matching join request for this address, node_id and psk.']);
    }
    const entry: ClusterNodeEntry = { address, roles: [...(roles as Role[])] };
    draft.cluster.nodes[id] = entry;
    changes.push({ type: 'create', path: `${NODES}/${id}`, new_value: { address, roles: [...entry.roles] } });
    return { id, entry };
  });
  const meta = { href: `${NODES}/${created.id}`, parent: NODES, ...txMeta(ctx) };
  return {
    status: 201,
    body: { body: { address: created.entry.address, roles: [...created.entry.roles] }, key: created.id, meta },
  };
}

/** PUT /api/cluster/nodes/{id} `{address, roles}`: role assignment on the Central Management node. */
export function updateClusterNode(ctx: Ctx): Reply {
  const id = ctx.params.nodeId ?? '';
  if (!Object.hasOwn(members(ctx), id)) throw notFound(ctx.path);
  const input = jsonBody(ctx);
  const entry = write(ctx, (draft, changes) => {
    if (!draft.cluster.central_management) invalid(ctx.path, ['Roles are assigned on the Central Management node.']);
    const current = draft.cluster.nodes[id] as ClusterNodeEntry;
    if (!isObject(input)) invalid(ctx.path, ['The body must be an object {address, roles}.']);
    const problems: string[] = [];
    if (typeof input.address !== 'string') problems.push('"address" must be a string.');
    else if (input.address !== current.address) problems.push(`"address" must be the node's address (${current.address}).`);
    const others = Object.entries(draft.cluster.nodes)
      .filter(([k]) => k !== id)
      .map(([, v]) => v);
    problems.push(...roleProblems(input.roles, { isCentral: current.roles.includes('central-management'), others }));
    if (problems.length) invalid(ctx.path, problems);
    const next: ClusterNodeEntry = { address: current.address, roles: [...(input.roles as Role[])] };
    changes.push(replaced(`${NODES}/${id}`, current, next));
    draft.cluster.nodes[id] = next;
    return next;
  });
  return { status: 200, body: { body: { address: entry.address, roles: [...entry.roles] }, key: id, meta: nodeMeta(ctx, id) } };
}
