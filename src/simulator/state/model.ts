/** The state types of one simulated appliance: its configuration tree and cluster membership. */

export const ROLES = ['central-management', 'managed-host', 'search-master', 'search-minion', 'search-local'] as const;
export type Role = (typeof ROLES)[number];
export const SEARCH_ROLES: readonly Role[] = ['search-master', 'search-minion', 'search-local'];

export interface NtpServer {
  selection: 'ip' | 'fqdn';
  value: string;
}

export interface NicAddress {
  id: string;
  /** 'IP/prefix' */
  cidr: string;
}

export interface NicInterface {
  id: string;
  name: string;
  vlantag: number;
  addresses: NicAddress[];
}

export interface Nic {
  interfaces: NicInterface[];
}

export interface GpgPublicKey {
  fingerprint: string;
  public_key: string;
  uids: string[];
}

export interface ConfigurationState {
  local_services: { cluster: { enabled: boolean; listen_address: string } };
  datetime: { ntp_servers: NtpServer[]; timezone: string };
  management: {
    system_backup: { backup_policy: string };
    exported_configuration_encryption: { encryption: { enabled: boolean; gpg_public_key: GpgPublicKey | null } };
  };
  policies: { backup_policies: Record<string, Record<string, unknown>> };
  network: { nics: Record<string, Nic> };
}

export interface ClusterNodeEntry {
  address: string;
  roles: Role[];
}

export interface ClusterState {
  /** Set by promote: this node is the Central Management node. */
  central_management: boolean;
  /** Members known to the Central Management node (including itself); empty elsewhere. */
  nodes: Record<string, ClusterNodeEntry>;
  /** Set by join_request on a joining node. The psk is NOT stored here (see registry.ts). */
  join_request: { central_management_address: string; node_id: string; address: string } | null;
}

export interface SimState {
  configuration: ConfigurationState;
  cluster: ClusterState;
}

export interface Change {
  type: 'create' | 'replace' | 'delete';
  path: string;
  old_value?: unknown;
  new_value?: unknown;
}

export interface Transaction {
  sessionId: string;
  username: string;
  openedAtMs: number;
  staged: SimState;
  changes: Change[];
  /** Run when the transaction is rolled back or cancelled (not on commit). */
  rollbackHooks: Array<() => void>;
  implicit: boolean;
}

