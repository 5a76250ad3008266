/**
 * Public types of the SPS simulator (`startSimulator`).
 *
 * The simulator is a local stand-in for one or more SPS appliances: it keeps per-node state
 * (sessions, one configuration lock, committed and staged configuration, cluster membership)
 * and answers the operations listed in docs/architecture.md with the documented envelopes.
 */

import type { SimState } from './state.js';

export type { ClusterState, ConfigurationState, Role, SimState } from './state.js';

/** A source of "now" in milliseconds since the epoch. Tests inject a manual clock. */
export interface SimClock {
  now(): number;
}

export interface SimUser {
  username: string;
  password: string;
}

export interface SimUsers {
  /** All privileges, including cluster management. */
  admin: SimUser;
  /** Read-only: no cluster-management privilege and no configuration writes. */
  operator?: SimUser;
}

export interface SimulatorOptions {
  /** Number of appliances to start (default 1). */
  nodes?: number;
  /** Serve HTTPS with a generated CA (default true). */
  https?: boolean;
  /** Listen address; the simulator only ever binds to loopback (default 127.0.0.1). */
  host?: '127.0.0.1';
  /** First port; node i listens on portBase + i. 0 or undefined: ephemeral ports. */
  portBase?: number;
  /** Users; default: `admin` and `operator`, each with a random password (see the handle's `users`). */
  users?: SimUsers;
  /** Idle timeout of a login session, sliding (default 1200 = 20 minutes). */
  sessionIdleSeconds?: number;
  /** Lifetime of an open transaction before it is cancelled automatically (default 600). */
  transactionSeconds?: number;
  /** Injectable clock for session/transaction timeouts (default: Date.now). */
  clock?: SimClock;
  /** Called once per handled request with a redacted one-line summary (no bodies, no cookies). */
  onRequestLog?: (line: string) => void;
}

/**
 * Fault injected in front of the API handlers. `times` limits how many requests the fault hits
 * (default: until cleared); `method` limits it to one HTTP method.
 */
export type SimFault = (
  | { kind: 'reset' } // destroy the socket with a TCP RST, no HTTP answer
  | { kind: 'hang' } // never answer (the socket stays open until the client gives up or close())
  | { kind: 'html502' } // an HTML 502 page, as a reverse proxy in front of SPS would send
  | { kind: 'latency'; ms: number } // delay, then answer normally
) & { times?: number; method?: string };

export interface SimStats {
  /** Successful logins (GET /api/authentication answered 200). */
  logins: number;
  /** Failed login attempts (401 AuthenticationFailure). */
  loginFailures: number;
  /** Every request received, including fault-injected ones. */
  requests: number;
  /** Requests with a write method (POST, PUT, DELETE, PATCH), whatever their outcome. */
  writes: number;
  /** Requests per HTTP method. */
  byMethod: Record<string, number>;
  /** Answered requests per HTTP status code. */
  byStatus: Record<string, number>;
}

export interface SimTransactionInfo {
  /** The session holding the configuration lock (not the cookie value itself). */
  holder: string;
  /** Username of the lock holder. */
  username: string;
  openedAt: string;
  remainingSeconds: number;
  /** Number of recorded changes. */
  changes: number;
  /** Opened by the first write rather than POST /api/transaction. */
  implicit: boolean;
}

export interface SimCommitRecord {
  at: string;
  username: string;
  message?: string;
  changes: number;
}

export interface SimNodeState {
  /** Deep copy of the committed state (configuration + cluster), keys sorted: stable JSON. */
  committedConfig(): SimState;
  /** The open transaction of this node, or null. */
  openTransaction(): SimTransactionInfo | null;
  /** Commits made on this node, oldest first. */
  commits(): SimCommitRecord[];
  /** Number of live login sessions. */
  sessionCount(): number;
}

export interface SimNode {
  /** Origin, e.g. https://127.0.0.1:43121 (the API lives under `${url}/api`). */
  url: string;
  /** UUID of the node (cluster node id). */
  nodeId: string;
  /** Cluster address of the node: '127.0.0.1:<port>'. */
  address: string;
  /** 1-based position of the node in the simulator. */
  index: number;
  fqdn: string;
  stats: SimStats;
  state: SimNodeState;
  /** Inject a fault for one exact path (no query string) or for every path ('*'). */
  injectFault(path: string, fault: SimFault): void;
  clearFaults(): void;
  resetStats(): void;
}

export interface SimulatorHandle {
  nodes: SimNode[];
  /** Path of the CA certificate PEM (HTTPS only). */
  caFile?: string;
  caPem?: string;
  /** The users the simulator accepts (passwords included: it is a local sandbox). */
  users: SimUsers;
  close(): Promise<void>;
}
