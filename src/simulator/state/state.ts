/** The state types of one simulated appliance: its configuration tree and cluster membership. */

export const ROLES = ['central-management', 'managed-host', 'search-master', 'search-minion', 'search-local'] as const;
export type Role = (typeof ROLES)[number];
export const SEARCH_ROLES: readonly Role[] = ['search-master', 'search-minion', 'search-local'];

/**
 * The configuration tree the engine keeps (engine/layout.ts): one key per path segment below
 * `/api/configuration`, `@items` maps for `{param}` children, `@value` for a path with paths
 * below it. `local_services` is always there (the cluster interface lives in it).
 */
export interface ConfigurationState {
  local_services: { cluster?: unknown; [key: string]: unknown };
  [key: string]: unknown;
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
