/**
 * THE route table of a node, derived from the spec it serves (cut to its SPS version):
 *
 * - the operations with handlers of their own (`HANDLED`: authentication, transactions, the
 *   cluster, `/api/info`), each only where the node's spec documents it;
 * - every other configuration path by the engine's rules for its `x-sps-kind`
 *   (engine/engine.ts), and every directory by its children;
 * - any other documented operation by its documented example (engine `exampleAnswer`);
 * - with `beyondContract`, what real nodes serve beyond the contract (`beyond: true`, GET only,
 *   handlers/beyond-contract.ts); such a row replaces the engine's GET where the spec has
 *   since documented the path.
 *
 * The children of every directory are derived from these rows (routes/tree.ts).
 */
import { parentPath } from '../../model/operations.js';
import * as audit from '../handlers/audit.js';
import * as auth from '../handlers/authentication.js';
import * as bc from '../handlers/beyond-contract.js';
import * as cl from '../handlers/cluster.js';
import * as cs from '../handlers/cluster-status.js';
import { getInfo } from '../handlers/info.js';
import * as tx from '../handlers/transaction.js';
import * as eng from '../engine/engine.js';
import { isConfigurationPath, itemKeys, type Tree } from '../engine/layout.js';
import type { SimSpec } from '../engine/spec.js';
import { RouteTree, type RouteSpec } from './tree.js';

/** The operations with handlers of their own (served where the node's spec documents them). */
export const HANDLED: readonly RouteSpec[] = [
  { method: 'GET', path: '/api/info', fn: getInfo, public: true, unlisted: true },
  { method: 'GET', path: '/api/authentication', fn: auth.logIn, public: true },
  { method: 'GET', path: '/api/authentication/login_methods', fn: auth.listLoginMethods, public: true },

  { method: 'GET', path: '/api/transaction', fn: tx.getTransaction },
  { method: 'POST', path: '/api/transaction', fn: tx.openTransaction },
  { method: 'PUT', path: '/api/transaction', fn: tx.commitTransaction },
  { method: 'DELETE', path: '/api/transaction', fn: tx.rollbackTransaction },
  { method: 'GET', path: '/api/transaction/changes', fn: tx.listTransactionChanges },

  { method: 'GET', path: '/api/cluster', fn: eng.listClusterEndpoints },
  { method: 'POST', path: '/api/cluster/promote', fn: cl.promoteClusterNode },
  { method: 'GET', path: '/api/cluster/join_request', fn: cl.getJoinStatus },
  { method: 'POST', path: '/api/cluster/join_request', fn: cl.createJoinRequest },
  { method: 'GET', path: '/api/cluster/nodes', fn: cl.listClusterNodes },
  { method: 'POST', path: '/api/cluster/nodes', fn: cl.createClusterNode },
  { method: 'GET', path: '/api/cluster/nodes/{nodeId}', fn: cl.getClusterNode },
  { method: 'PUT', path: '/api/cluster/nodes/{nodeId}', fn: cl.updateClusterNode },
  { method: 'GET', path: '/api/cluster/status', fn: cs.listClusterStatus },
  { method: 'GET', path: '/api/cluster/status/{nodeId}', fn: cs.getClusterNodeStatus },
  { method: 'GET', path: '/api/cluster/configuration_sync', fn: cs.getConfigurationSync },

  { method: 'GET', path: '/api/audit/sessions', fn: audit.searchSessions },
  { method: 'GET', path: '/api/audit/sessions/{id}', fn: audit.getSession },
  { method: 'GET', path: '/api/audit/sessions/{id}/audit_trail', fn: audit.downloadAuditTrail },
  { method: 'GET', path: '/api/audit/sessions/{id}/indexing', fn: audit.listSessionIndexing },
  { method: 'GET', path: '/api/audit/sessions/{id}/alerts', fn: audit.sessionChild('/api/audit/sessions/{id}/alerts') },
  { method: 'GET', path: '/api/audit/sessions/{id}/channels', fn: audit.sessionChild('/api/audit/sessions/{id}/channels') },
  { method: 'GET', path: '/api/audit/sessions/{id}/content', fn: audit.sessionChild('/api/audit/sessions/{id}/content') },
  { method: 'GET', path: '/api/firmware/slots/{id}', fn: audit.exampleMember('/api/firmware/slots/{id}') },
  { method: 'GET', path: '/api/firmware/fetch/{id}', fn: audit.exampleMember('/api/firmware/fetch/{id}') },
];

/** What real nodes serve and the spec does not document (GET only), for `discover`. */
export const BEYOND: readonly RouteSpec[] = [
  { method: 'GET', path: '/api/setup', fn: bc.getSetup, public: true, beyond: true },
  { method: 'GET', path: '/api/firmware', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/firmware/slots', fn: bc.getFirmwareSlots, beyond: true },
  { method: 'GET', path: '/api/troubleshooting', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/troubleshooting/core_dumps', fn: bc.getCoreDumps, beyond: true },
  { method: 'GET', path: '/api/troubleshooting/support-bundle', fn: bc.listSupportBundles, beyond: true },
  { method: 'GET', path: '/api/troubleshooting/support-bundle/{bundleId}', fn: bc.getSupportBundle, keys: () => [...bc.SUPPORT_BUNDLE_IDS], beyond: true },
  { method: 'GET', path: '/api/troubleshooting/support-bundle/{bundleId}/download', fn: bc.downloadSupportBundle, beyond: true },
  { method: 'GET', path: '/api/cluster/spp', fn: bc.getSppJoin, beyond: true },
  { method: 'GET', path: '/api/configuration/local_services/admin_web', fn: bc.getAdminWeb, beyond: true },
  { method: 'GET', path: '/api/configuration/management/email', fn: bc.getEmailSettings, beyond: true },
  { method: 'GET', path: '/api/configuration/starling', fn: bc.getStarlingSettings, beyond: true },
  { method: 'GET', path: '/api/starling', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/starling/join', fn: bc.getStarlingJoin, beyond: true },
  { method: 'GET', path: '/api/configuration/network/naming', fn: bc.getNaming, beyond: true },
  { method: 'GET', path: '/api/configuration/aaa', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/configuration/aaa/local_database', fn: bc.getLocalDatabase, beyond: true },
  { method: 'GET', path: '/api/configuration/aaa/radius', fn: bc.getRadius, beyond: true },
  { method: 'GET', path: '/api/configuration/reporting', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/configuration/reporting/{settingName}', fn: bc.getReportingSetting, keys: () => [...bc.REPORTING_SETTINGS], beyond: true },
  { method: 'GET', path: '/api/audit', fn: bc.listBeyondDirectory, beyond: true },
  { method: 'GET', path: '/api/audit/sessions', fn: bc.listAuditSessions, beyond: true },
  { method: 'GET', path: '/api/audit/sessions/{sessionId}', fn: bc.getAuditSession, keys: () => [...bc.AUDIT_SESSION_IDS], beyond: true },
  { method: 'GET', path: '/api/audit/sessions/{sessionId}/audit_trail', fn: bc.getAuditTrail, beyond: true },
];

/** The engine's route for one documented operation. */
function engineRoute(spec: SimSpec, method: string, template: string): RouteSpec {
  const engine = eng.engineOf(spec);
  const op = spec.operation(method, template);
  const kind = op?.kind ?? '';
  const config = isConfigurationPath(template);
  let fn: RouteSpec['fn'] | undefined;
  if (kind === 'directory' && method === 'GET') fn = eng.getDirectory;
  else if (config && kind === 'setting') {
    if (method === 'GET') fn = eng.getValue(template);
    else if (method === 'PUT') fn = eng.putValue(template);
    else if (method === 'POST') fn = eng.appendEntry(template);
  } else if (config && kind === 'collection') {
    if (method === 'GET') fn = eng.listCollection(template);
    else if (method === 'POST') fn = eng.createObject(template);
  } else if (config && kind === 'object') {
    if (method === 'GET') fn = eng.getValue(template);
    else if (method === 'PUT') fn = eng.putValue(template);
    else if (method === 'DELETE') fn = eng.deleteObject(template);
  }
  const row = { method, path: template } as RouteSpec;
  if (!fn) {
    if (!op) throw new Error(`no operation ${method} ${template}`);
    const answer = eng.exampleAnswer(op);
    if (op.security === 'none') return { ...row, public: true, fn: answer };
    return { ...row, fn: answer };
  }
  const last = template.slice(template.lastIndexOf('/') + 1);
  const parent = parentPath(template);
  if (last.startsWith('{') && parent !== undefined && !parent.includes('{') && config) {
    return {
      ...row,
      fn: fn as never,
      keys: (s) => itemKeys(s.configuration as Tree, engine.layout.itemsLocation(parent, {})),
    };
  }
  return { ...row, fn: fn as never };
}

/** The rows a node of `spec` serves (see the file comment). */
export function servedRoutes(spec: SimSpec, opts: { beyondContract?: boolean } = {}): RouteSpec[] {
  const key = (m: string, p: string): string => `${m} ${p}`;
  const handled = new Map(HANDLED.map((r) => [key(r.method, r.path), r]));
  const rows: RouteSpec[] = [];
  const served = new Set<string>();
  for (const op of spec.model.operations) {
    const k = key(op.method, op.path);
    if (served.has(k)) continue;
    served.add(k);
    rows.push(handled.get(k) ?? engineRoute(spec, op.method, op.path));
  }
  if (opts.beyondContract === true) {
    // What real nodes answer wins over the engine's example answer, also where the spec has
    // since documented the path: discover's tests rely on its data (fake secrets, meta cycles).
    const shape = (p: string): string => p.replace(/\{[^}]+\}/g, '{}');
    for (const r of BEYOND) {
      const i = rows.findIndex((x) => x.method === r.method && shape(x.path) === shape(r.path));
      if (i >= 0) rows[i] = r;
      else rows.push(r);
    }
  }
  return rows;
}

export function buildRouteTree(spec: SimSpec, opts: { beyondContract?: boolean } = {}): RouteTree {
  return new RouteTree(servedRoutes(spec, opts));
}
