/**
 * Public types of the SPS simulator (`startSimulator`).
 *
 * The simulator is a local stand-in for one or more SPS appliances: it keeps per-node state
 * (sessions, one configuration lock, committed and staged configuration, cluster membership)
 * and answers the operations listed in docs/architecture.md with the documented envelopes.
 */

import type { SimState } from './state/state.js';

export type { ClusterState, ConfigurationState, Role, SimState } from './state/state.js';

/** A source of "now" in milliseconds since the epoch. Tests inject a manual clock. */
export interface SimClock {
  now(): number;
}

/**
 * One privilege rule, as an SPS usergroup grants it by area: `path` is a pattern over API paths
 * (`*` one segment, `**` any number of segments, zero included: `/api/cluster/**` covers
 * `/api/cluster` too). `read` allows GET, `write` allows PUT, POST, DELETE and PATCH. When
 * several rules match a path, the most specific pattern (most literal segments) wins.
 */
export interface SimPrivilege {
  path: string;
  read: boolean;
  write: boolean;
}

export interface SimUser {
  username: string;
  password: string;
  /** Overrides the privileges of the role this user is listed under (see {@link SimUsers}). */
  privileges?: SimPrivilege[];
}

/**
 * Users by role. The role names `admin`, `auditor` and `operator` carry default privileges;
 * any other role name needs `privileges`.
 */
export interface SimUsers {
  /** Everything, cluster management included. */
  admin: SimUser;
  /** Reads everything, writes nothing (403 on every PUT, POST and DELETE, transactions included). */
  auditor?: SimUser;
  /** No "Cluster management" (403 on /api/cluster/**); reads and writes the configuration. */
  operator?: SimUser;
  [role: string]: SimUser | undefined;
}

/**
 * Wrong-privilege switches: the node grants more than the user's privileges say, so that a
 * role check can be tested against a server that really does it.
 */
export interface SimPrivilegeBugs {
  /** Users of role `auditor` may write everything. */
  auditorCanWrite?: boolean;
  /** Users of role `operator` may read /api/cluster/** (writes there stay denied). */
  operatorCanReadCluster?: boolean;
  /** Users of role `operator` get 403 on every write (POST, PUT, DELETE), although their privileges allow it. */
  operatorCannotWrite?: boolean;
  /** Extra rules per username, checked before the user's own: a matching rule grants what it says. */
  grants?: Record<string, SimPrivilege[]>;
}

/**
 * Behaviour switches of one node: each makes the node deviate from the contract in one way, so
 * that the conformance runner's checks are tested against a server that really does it. Set
 * them in `startSimulator({behaviour, nodeBehaviours})` or on a running node with
 * `node.setBehaviour()`.
 */
export interface SimBehaviour {
  /** PUT answers 200 and is logged in the change log, but the stored value does not change. */
  ignorePuts?: boolean;
  /** POST answers 201 (a new key for a collection) but nothing is stored or logged. */
  ignorePosts?: boolean;
  /**
   * A PUT/POST body that breaks its request schema is stored instead of being refused with 400
   * `InvalidRequestBody` (malformed JSON is still a `SyntacticError`).
   */
  acceptInvalidBodies?: boolean;
  /** Changes are applied, but `GET /api/transaction/changes` answers an empty list. */
  emptyChangeLog?: boolean;
  /**
   * Answer one of our readings differently. `'parent-slash'`: `GET /api` (with or without a
   * session) carries `meta.parent: "/"`, an element no vendor page documents.
   */
  readingVariant?: 'parent-slash';
  /** Delay every request (all paths) by this many milliseconds before answering it. */
  latencyMs?: number;
  privilegeBugs?: SimPrivilegeBugs;
  /**
   * Every login with Basic credentials succeeds, whatever the password: a configured user name
   * as that user, any other name as a read-only account. A login without credentials still fails.
   */
  acceptAnyPassword?: boolean;
  /**
   * Drop every session of the node after a commit that changes its cluster interface or
   * promotes it, as SPS does (default true).
   */
  dropSessionsOnClusterCommit?: boolean;
  /**
   * How another session sees a configuration lock it does not hold (the vendor pages are silent;
   * see handlers/transaction.ts). `'own-session'` (default, our reading): `GET /api/transaction`
   * tells each session about its own transaction only, so it says `closed` to everyone but the
   * holder, and only a write or `POST /api/transaction` shows the 409 `ConfigurationLocked`.
   * `'shared'`: it says `open` (with `meta.remaining_seconds`) to every session while the lock
   * is held.
   */
  lockVisibility?: 'own-session' | 'shared';
  /**
   * Whether `DELETE /api/transaction` from another session of the user who holds the lock
   * discards that transaction (default true, our reading: the lock is the user's, as the web
   * interface shows it by user name). With false only the holding session can roll it back, and
   * a leftover lock is released by the transaction timeout only.
   */
  sameUserMayRollback?: boolean;
  /**
   * A failed login answers 401 `AuthenticationFailure` without the `WWW-Authenticate: Basic`
   * challenge: what a faithful appliance may do, since only an inference (not a vendor page)
   * says the challenge is sent.
   */
  noLoginChallenge?: boolean;
  /** A failed login's 401 still sets a `session_id` cookie (of no session). */
  cookieOnFailedLogin?: boolean;
  /** Any unknown, non-empty `session_id` cookie is taken as a session of the first user (admin). */
  acceptMadeUpSession?: boolean;
  /** A configuration object id that does not exist answers the first object of its collection, not 404 `NotFound`. */
  findMadeUpIds?: boolean;
  /**
   * Break one documented cross-node fact on this node (with `cluster: true`): `version-differs`
   * (`GET /api/info` says 7.4.0 although all nodes of a cluster run one version),
   * `second-central` (its member list gives it the central-management role too: a cluster has
   * exactly one), `members-differ` (its member list leaves one other member out),
   * `wrong-central-address` (its join status names another Central Management address).
   */
  clusterBreak?: 'version-differs' | 'second-central' | 'members-differ' | 'wrong-central-address';
  /**
   * The session search (`GET /api/audit/sessions`) pages wrongly: `ignore-limit` answers every
   * match from `offset` on whatever the `limit`; `wrong-match-count` answers a `match_count` that
   * changes from page to page. The `pagination` check of sps-conformance catches each.
   */
  brokenPagination?: 'ignore-limit' | 'wrong-match-count';
}

/**
 * A switch of the catalogue of broken appliances (catalogue.ts), spelt as on the command line
 * (`--switch NAME`): the one way tests and sandboxes make a node misbehave.
 */
export type SimSwitch =
  | 'ignore-puts'
  | 'empty-change-log'
  | 'ignore-posts'
  | 'pagination-ignores-limit'
  | 'pagination-wrong-match-count'
  | 'accept-invalid-bodies'
  | 'parent-slash'
  | 'accept-any-password'
  | 'accept-made-up-session'
  | 'cookie-on-failed-login'
  | 'find-made-up-ids'
  | 'auditor-can-write'
  | 'operator-cannot-write'
  | 'operator-can-read-cluster'
  | 'no-login-challenge'
  | 'keep-sessions-on-cluster-commit'
  | 'lock-visibility-shared'
  | 'owner-session-only-rollback'
  | 'cluster-version-differs'
  | 'cluster-second-central'
  | 'cluster-members-differ'
  | 'cluster-wrong-central-address'
  | 'reset'
  | 'hang'
  | 'html-502'
  | 'not-sps'
  | `latency-ms=${number}`
  | `hang-after=${number}`;

export interface SimulatorOptions {
  /** Number of appliances to start (default 1). */
  nodes?: number;
  /** Serve HTTPS with a generated CA (default true). */
  https?: boolean;
  /** Listen address; the simulator only ever binds to loopback (default 127.0.0.1). */
  host?: '127.0.0.1';
  /** First port; node i listens on portBase + i. 0 or undefined: ephemeral ports. */
  portBase?: number;
  /** Users; default: `admin`, `auditor` and `operator`, each with a random password (see the handle's `users`). */
  users?: SimUsers;
  /**
   * Also serve what a real node serves beyond the contract (default false): /api/setup,
   * /api/firmware/slots, support bundles (a zip download), /api/cluster/spp, the e-mail, starling,
   * naming and admin_web settings, audit sessions (a large list by id), a 403 and a 500
   * endpoint, a large directory. GET only; listed in their parents' items. For
   * `sps-conformance discover`; the contract's answers stay the same.
   */
  beyondContract?: boolean;
  /**
   * Start the nodes as one cluster (default false: standalone nodes): node 1 is the Central
   * Management node, every other node is joined to it and managed by it (roles `managed-host`
   * and `search-local`), all committed, as the vendor's cluster pages describe the end state.
   */
  cluster?: boolean;
  /**
   * The SPS version every node is (`6.9`, `7.4`, `7.5.1`; default `DEFAULT_SPS_VERSION`, 7.5.1):
   * a node serves only the operations, properties and shapes whose `x-sps-versions` hold for it.
   */
  spsVersion?: string;
  /** `body.firmware_version` of `GET /api/info` (default: `spsVersion`). */
  firmwareVersion?: string;
  /** The bundled spec the nodes serve (default `generated/sps-api.json`), e.g. a test's copy. */
  specFile?: string;
  /** A bundled spec document to serve (wins over `specFile`); not changed. */
  specDocument?: Record<string, unknown>;
  /** Behaviour switches of every node (default: none; the node follows the contract). */
  behaviour?: SimBehaviour;
  /** Behaviour switches per node (index 0 is node 1), applied over `behaviour`. */
  nodeBehaviours?: SimBehaviour[];
  /** Switches of the catalogue (catalogue.ts) for every node, applied over `behaviour`. */
  switches?: SimSwitch[];
  /** Switches per node (index 0 is node 1), applied over `switches` and `nodeBehaviours`. */
  nodeSwitches?: SimSwitch[][];
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
  | { kind: 'html200' } // a 200 HTML page, as a web server that is not SPS would send
  | { kind: 'latency'; ms: number } // delay, then answer normally
) & {
  times?: number;
  method?: string;
  /**
   * Let this many matching requests through untouched first; the fault applies from the next
   * one on. `{kind: 'hang', after: N}` on `'*'` is a node that stalls after N requests.
   */
  after?: number;
};

export interface SimStats {
  /** Successful logins (GET /api/authentication answered 200). */
  logins: number;
  /** Failed login attempts (401 AuthenticationFailure). */
  loginFailures: number;
  /**
   * Failed logins per user name sent in the Basic credentials, unknown names included. A
   * request without parseable Basic credentials counts in `loginFailures` only.
   */
  failedLogins: Record<string, number>;
  /** Every request received, including fault-injected ones. */
  requests: number;
  /** Requests with a write method (POST, PUT, DELETE, PATCH), whatever their outcome. */
  writes: number;
  /** Requests per HTTP method. */
  byMethod: Record<string, number>;
  /** Answered requests per HTTP status code. */
  byStatus: Record<string, number>;
  /** Requests to `x-sps-never-send` operations, per operationId (a conformance run must leave this empty). */
  neverSend: Record<string, number>;
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
  /** Merges switches into the node's behaviour (a key set to undefined turns it off). */
  setBehaviour(patch: SimBehaviour): void;
  /** A copy of the node's current behaviour switches. */
  behaviour(): SimBehaviour;
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
