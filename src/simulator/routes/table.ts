/**
 * THE route table: every operation the simulator answers, one row each. The router and the
 * children of every directory (`/api`, `/api/configuration`, ...) are derived from it
 * (routes/tree.ts); `tests/simulator/routes.test.ts` compares it with the spec's operations.
 * Rows marked `beyond: true` are what a real node serves beyond the contract (GET only,
 * handlers/beyond_contract.ts); they are served only with `beyondContract: true`.
 */
import * as auth from '../handlers/authentication.js';
import * as bc from '../handlers/beyond_contract.js';
import * as cl from '../handlers/cluster.js';
import * as cs from '../handlers/cluster_status.js';
import * as dt from '../handlers/datetime.js';
import { getInfo } from '../handlers/info.js';
import * as ls from '../handlers/local_services.js';
import * as mg from '../handlers/management.js';
import { listClusterEndpoints, listDirectory } from '../handlers/navigation.js';
import * as net from '../handlers/network.js';
import * as pol from '../handlers/policies.js';
import * as tx from '../handlers/transaction.js';
import { RouteTree, type RouteSpec } from './tree.js';

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/api', fn: listDirectory },
  { method: 'GET', path: '/api/info', fn: getInfo, public: true, unlisted: true },
  { method: 'GET', path: '/api/authentication', fn: auth.logIn, public: true },
  { method: 'GET', path: '/api/authentication/login_methods', fn: auth.listLoginMethods, public: true },

  { method: 'GET', path: '/api/transaction', fn: tx.getTransaction },
  { method: 'POST', path: '/api/transaction', fn: tx.openTransaction },
  { method: 'PUT', path: '/api/transaction', fn: tx.commitTransaction },
  { method: 'DELETE', path: '/api/transaction', fn: tx.rollbackTransaction },
  { method: 'GET', path: '/api/transaction/changes', fn: tx.listTransactionChanges },

  { method: 'GET', path: '/api/configuration', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/local_services', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/local_services/cluster', fn: ls.getClusterInterface },
  { method: 'PUT', path: '/api/configuration/local_services/cluster', fn: ls.updateClusterInterface },
  { method: 'GET', path: '/api/configuration/datetime', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/datetime/ntp_servers', fn: dt.getNtpServers },
  { method: 'POST', path: '/api/configuration/datetime/ntp_servers', fn: dt.createNtpServer },
  { method: 'PUT', path: '/api/configuration/datetime/ntp_servers', fn: dt.updateNtpServers },
  { method: 'GET', path: '/api/configuration/datetime/timezone', fn: dt.getTimezone },
  { method: 'PUT', path: '/api/configuration/datetime/timezone', fn: dt.updateTimezone },
  { method: 'GET', path: '/api/configuration/management', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/management/system_backup', fn: mg.getSystemBackup },
  { method: 'PUT', path: '/api/configuration/management/system_backup', fn: mg.updateSystemBackup },
  { method: 'GET', path: '/api/configuration/management/exported_configuration_encryption', fn: mg.getExportedConfigurationEncryption },
  { method: 'PUT', path: '/api/configuration/management/exported_configuration_encryption', fn: mg.updateExportedConfigurationEncryption },
  { method: 'GET', path: '/api/configuration/policies', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/policies/backup_policies', fn: pol.listBackupPolicies },
  {
    method: 'GET',
    path: '/api/configuration/policies/backup_policies/{policyId}',
    fn: pol.getBackupPolicy,
    keys: (s) => Object.keys(s.configuration.policies.backup_policies),
  },
  { method: 'GET', path: '/api/configuration/network', fn: listDirectory },
  { method: 'GET', path: '/api/configuration/network/nics', fn: net.listNics },
  {
    method: 'GET',
    path: '/api/configuration/network/nics/{nicId}',
    fn: net.getNic,
    keys: (s) => Object.keys(s.configuration.network.nics),
  },

  { method: 'GET', path: '/api/cluster', fn: listClusterEndpoints },
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

  // Beyond the contract: what real nodes serve and the spec does not document (GET only).
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

/** The routes a node serves: the contract's, and with `beyondContract` the rest. */
export function servedRoutes(opts: { beyondContract?: boolean } = {}): RouteSpec[] {
  return ROUTES.filter((r) => opts.beyondContract === true || r.beyond !== true);
}

export function buildRouteTree(opts: { beyondContract?: boolean } = {}): RouteTree {
  return new RouteTree(servedRoutes(opts));
}
