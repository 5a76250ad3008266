import type { Handler, PublicHandler, RouteDef } from './context.js';
import { logIn } from './handlers/auth.js';
import * as cl from './handlers/cluster.js';
import * as cfg from './handlers/configuration.js';
import { listClusterEndpoints, listDirectory } from './handlers/navigation.js';
import * as tx from './handlers/transaction.js';
import { Router } from './router.js';

/** The operations of docs/architecture.md, one route each. */
export function buildRouter(): Router<RouteDef> {
  const r = new Router<RouteDef>();
  const pub = (m: string, p: string, fn: PublicHandler) => r.add(m, p, { public: true, fn });
  const add = (m: string, p: string, fn: Handler) => r.add(m, p, { public: false, fn });

  add('GET', '/api', listDirectory);
  pub('GET', '/api/authentication', logIn);

  add('GET', '/api/transaction', tx.getTransaction);
  add('POST', '/api/transaction', tx.openTransaction);
  add('PUT', '/api/transaction', tx.commitTransaction);
  add('DELETE', '/api/transaction', tx.rollbackTransaction);
  add('GET', '/api/transaction/changes', tx.listTransactionChanges);

  add('GET', '/api/configuration', listDirectory);
  add('GET', '/api/configuration/local_services', listDirectory);
  add('GET', '/api/configuration/local_services/cluster', cfg.getClusterInterface);
  add('PUT', '/api/configuration/local_services/cluster', cfg.updateClusterInterface);
  add('GET', '/api/configuration/datetime', listDirectory);
  add('GET', '/api/configuration/datetime/ntp_servers', cfg.getNtpServers);
  add('POST', '/api/configuration/datetime/ntp_servers', cfg.createNtpServer);
  add('PUT', '/api/configuration/datetime/ntp_servers', cfg.updateNtpServers);
  add('GET', '/api/configuration/datetime/timezone', cfg.getTimezone);
  add('PUT', '/api/configuration/datetime/timezone', cfg.updateTimezone);
  add('GET', '/api/configuration/management', listDirectory);
  add('GET', '/api/configuration/management/system_backup', cfg.getSystemBackup);
  add('PUT', '/api/configuration/management/system_backup', cfg.updateSystemBackup);
  add('GET', '/api/configuration/management/exported_configuration_encryption', cfg.getExportedConfigurationEncryption);
  add('PUT', '/api/configuration/management/exported_configuration_encryption', cfg.updateExportedConfigurationEncryption);
  add('GET', '/api/configuration/policies', listDirectory);
  add('GET', '/api/configuration/policies/backup_policies', cfg.listBackupPolicies);
  add('GET', '/api/configuration/policies/backup_policies/{policyId}', cfg.getBackupPolicy);
  add('GET', '/api/configuration/network', listDirectory);
  add('GET', '/api/configuration/network/nics', cfg.listNics);
  add('GET', '/api/configuration/network/nics/{nicId}', cfg.getNic);

  add('GET', '/api/cluster', listClusterEndpoints);
  add('POST', '/api/cluster/promote', cl.promoteClusterNode);
  add('GET', '/api/cluster/join_request', cl.getJoinStatus);
  add('POST', '/api/cluster/join_request', cl.createJoinRequest);
  add('GET', '/api/cluster/nodes', cl.listClusterNodes);
  add('POST', '/api/cluster/nodes', cl.createClusterNode);
  add('GET', '/api/cluster/nodes/{nodeId}', cl.getClusterNode);
  add('PUT', '/api/cluster/nodes/{nodeId}', cl.updateClusterNode);
  add('GET', '/api/cluster/status', cl.listClusterStatus);
  add('GET', '/api/cluster/status/{nodeId}', cl.getClusterNodeStatus);
  add('GET', '/api/cluster/configuration_sync', cl.getConfigurationSync);
  return r;
}
