/**
 * `cluster_facts`, live with several `--url` nodes: what the vendor documents about the nodes
 * of one cluster, checked across the nodes that say they are one. Each node's own answers are
 * collected while the run reads them (`GET /api/info`: its version; `GET /api/cluster/nodes`:
 * the members and their roles as it sees them; `GET /api/cluster/join_request`: its join status
 * and the Central Management address it names); after every node is done, `clusterFactRows`
 * groups the nodes (two nodes are in one cluster when both say "in cluster" and their member
 * lists share a node) and checks, per cluster, the facts of the vendor's cluster pages
 * (sps-api.md section 5, doc1193447):
 *   - all nodes of a cluster run the same SPS version;
 *   - exactly one node has the `central-management` role;
 *   - at most one node has the `search-master` role;
 *   - every node lists the same members;
 *   - every node names the same Central Management address.
 * Nodes outside any cluster are checked alone (these facts do not apply), and the report says
 * which nodes it treated as one cluster and why.
 */
import { isObject } from '../../shared/index.js';
import type { OperationModel, SpecModel } from '../../model/operations.js';
import { NORMAL, resultFor, type CheckDefinition, type ClusterGroup, type Exchange, type FinishedRun } from '../check-api.js';
import { requestPath } from './util.js';

const check = 'cluster_facts';

/** The vendor's cluster overview page (roles, one version per cluster). */
export const CLUSTER_PAGE = 'https://support.oneidentity.com/technical-documents/doc1193447';

interface NodeView {
  version?: string;
  /** Member id -> roles, as this node lists them. */
  members?: Map<string, string[]>;
  joinStatus?: string;
  centralAddress?: string;
  /** The exchanges the facts were read from, for curl lines. */
  curl: Partial<Record<'info' | 'nodes' | 'join', Exchange>>;
}

const views = new WeakMap<SpecModel, Map<string, NodeView>>();

function viewOf(model: SpecModel, node: string): NodeView {
  let byNode = views.get(model);
  if (!byNode) views.set(model, (byNode = new Map()));
  let v = byNode.get(node);
  if (!v) byNode.set(node, (v = { curl: {} }));
  return v;
}

export const clusterFacts: CheckDefinition = {
  name: check,
  passes:
    'with several live nodes, the nodes that say they are one cluster (join status "in cluster", member lists sharing a node) agree on what the vendor documents about one cluster: one SPS version, exactly one `central-management` node, at most one `search-master`, the same members, the same Central Management address; the report names the nodes it treated as one cluster and why',
  mock: 'not applicable: one mock is no cluster',
  probes: [NORMAL],
  run: (ctx, ex) => {
    if (ctx.target !== 'live' || ex.method !== 'GET' || ex.user !== undefined || ex.response?.status !== 200 || !isObject(ex.response.json)) return [];
    const body = ex.response.json;
    const path = requestPath(ex);
    const v = viewOf(ctx.model, ex.node);
    if (path === '/api/info' && isObject(body.body) && typeof body.body.firmware_version === 'string') {
      v.version = body.body.firmware_version;
      v.curl.info = ex;
    } else if (path === '/api/cluster/nodes' && Array.isArray(body.items)) {
      v.members = new Map(
        body.items
          .filter(isObject)
          .map((i) => [String(i.key), isObject(i.body) && Array.isArray(i.body.roles) ? i.body.roles.filter((r): r is string => typeof r === 'string') : []]),
      );
      v.curl.nodes = ex;
    } else if (path === '/api/cluster/join_request') {
      if (typeof body.status === 'string') v.joinStatus = body.status;
      if (isObject(body.details) && typeof body.details.central_management_address === 'string') v.centralAddress = body.details.central_management_address;
      v.curl.join = ex;
    }
    return [];
  },
};

/** Connected groups of nodes in a cluster: linked when their member lists share a node. */
function groups(nodes: string[], byNode: Map<string, NodeView>): string[][] {
  const inCluster = nodes.filter((n) => byNode.get(n)?.joinStatus === 'in cluster' && (byNode.get(n)?.members?.size ?? 0) > 0);
  const out: string[][] = [];
  const seen = new Set<string>();
  for (const start of inCluster) {
    if (seen.has(start)) continue;
    const group: string[] = [];
    const queue = [start];
    seen.add(start);
    while (queue.length > 0) {
      const n = queue.shift()!;
      group.push(n);
      const mine = [...(byNode.get(n)!.members?.keys() ?? [])];
      for (const other of inCluster) {
        if (seen.has(other)) continue;
        if ([...(byNode.get(other)!.members?.keys() ?? [])].some((id) => mine.includes(id))) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
    out.push(group.sort((a, b) => nodes.indexOf(a) - nodes.indexOf(b)));
  }
  return out;
}

const list = (m: Map<string, string[]> | undefined): string => [...(m?.keys() ?? [])].sort().join(', ') || 'none';

/**
 * The cross-node rows of a live run with several nodes (called once, after every node's plan),
 * and the clusters it found (for the report). Pushes its rows itself. The runner calls it only
 * for a live run with the check selected.
 */
export function clusterFactRows(run: FinishedRun): ClusterGroup[] {
  const nodes = run.nodes.map((t) => t.node);
  if (nodes.length < 2) return [];
  const byNode = views.get(run.model) ?? new Map<string, NodeView>();
  const found = groups(nodes, byNode);
  const clustered = new Set(found.flat());
  const out: ClusterGroup[] = found.map((g) => ({
    nodes: g,
    reason: `each says "in cluster" and their member lists share a node (members: ${list(byNode.get(g[0]!)?.members)})`,
  }));
  for (const n of nodes) {
    if (clustered.has(n)) continue;
    const v = byNode.get(n);
    const why =
      !v || (v.joinStatus === undefined && v.members === undefined)
        ? 'its cluster endpoints were not read (not selected, or no answer)'
        : `its join status is ${JSON.stringify(v.joinStatus ?? 'unknown')}`;
    out.push({ nodes: [n], reason: `checked alone: ${why}` });
  }
  const op = (method: string, path: string): OperationModel | undefined => run.model.operations.find((o) => o.method === method && o.path === path);
  const nodesOp = op('GET', '/api/cluster/nodes');
  const joinOp = op('GET', '/api/cluster/join_request');
  const infoOp = op('GET', '/api/info');
  for (const g of found) {
    const first = g[0]!;
    const index = nodes.indexOf(first);
    const named = g.join(', ');
    const row = (opm: OperationModel | undefined, from: keyof NodeView['curl'], ok: boolean, message: string): void => {
      if (!opm) return;
      const ex = byNode.get(first)!.curl[from];
      const base: Exchange = ex ?? { node: first, target: 'live', op: opm, probe: NORMAL.kind, method: opm.method, path: opm.path, curl: '' };
      const result = resultFor({ ...base, node: first }, check, ok ? 'passed' : 'failed', `cluster of ${named}: ${message}`);
      run.push(ok ? result : { ...result, basis: 'vendor', strength: 'fact', source: `vendor page ${CLUSTER_PAGE}` }, [index, 9, 0, 0, 0, 0]);
    };
    // One version.
    const versions = g.map((n) => [n, byNode.get(n)?.version ?? run.nodes.find((t) => t.node === n)?.version ?? 'unknown'] as const);
    const distinct = [...new Set(versions.map(([, v]) => v))];
    row(
      infoOp,
      'info',
      distinct.length === 1,
      distinct.length === 1
        ? `every node runs SPS ${distinct[0]}`
        : `the nodes of one cluster must run the same SPS version, but ${versions.map(([n, v]) => `${n} says ${v}`).join(', ')}`,
    );
    // Exactly one central-management node, at most one search-master: in every node's member list.
    for (const n of g) {
      const members = byNode.get(n)?.members ?? new Map<string, string[]>();
      const cms = [...members].filter(([, roles]) => roles.includes('central-management')).map(([id]) => id);
      row(
        nodesOp,
        'nodes',
        cms.length === 1,
        cms.length === 1
          ? `${n} lists exactly one central-management node (${cms[0]})`
          : `${n} lists ${cms.length} central-management nodes (${cms.join(', ') || 'none'}); a cluster has exactly one`,
      );
      const masters = [...members].filter(([, roles]) => roles.includes('search-master')).map(([id]) => id);
      if (masters.length > 1)
        row(nodesOp, 'nodes', false, `${n} lists ${masters.length} search-master nodes (${masters.join(', ')}); a cluster has at most one`);
    }
    // The same members on every node.
    const memberLists = g.map((n) => [n, list(byNode.get(n)?.members)] as const);
    const sameMembers = new Set(memberLists.map(([, m]) => m)).size === 1;
    row(
      nodesOp,
      'nodes',
      sameMembers,
      sameMembers
        ? `every node lists the same members (${memberLists[0]![1]})`
        : `the nodes list different members: ${memberLists.map(([n, m]) => `${n}: ${m}`).join('; ')}`,
    );
    // The same Central Management address.
    const addresses = g.map((n) => [n, byNode.get(n)?.centralAddress ?? 'none'] as const);
    const sameAddress = new Set(addresses.map(([, a]) => a)).size === 1;
    row(
      joinOp,
      'join',
      sameAddress,
      sameAddress
        ? `every node names the Central Management node ${addresses[0]![1]}`
        : `the nodes name different Central Management nodes: ${addresses.map(([n, a]) => `${n}: ${a}`).join('; ')}`,
    );
  }
  views.delete(run.model);
  return out;
}
