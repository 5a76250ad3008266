/**
 * Per-node state: the configuration tree and cluster membership, each kept as a committed copy
 * and (while a transaction is open) a staged copy owned by the session holding the lock.
 */
import { randomBytes } from 'node:crypto';
import { ApiError } from './errors.js';
import type { SimClock, SimCommitRecord } from './types.js';

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

/** A `replace` entry of the change log, with copies of both values (the draft changes later). */
export function replaced(path: string, oldValue: unknown, newValue: unknown): Change {
  return { type: 'replace', path, old_value: structuredClone(oldValue), new_value: structuredClone(newValue) };
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

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** An SPS-looking object id (22 hex characters, as in the doc samples). */
export const objectId = (): string => hex(11);

export function initialState(opts: { index: number }): SimState {
  const ifaceId = hex(12).slice(0, 23);
  const addrId = objectId();
  const mgmtAddrId = objectId();
  const policyA = objectId();
  const policyB = objectId();
  return {
    configuration: {
      local_services: {
        cluster: { enabled: false, listen_address: `nic1.interfaces.${ifaceId}.addresses.${addrId}` },
      },
      datetime: {
        ntp_servers: [{ selection: 'fqdn', value: 'pool.ntp.org' }],
        timezone: 'Europe/Budapest',
      },
      management: {
        system_backup: { backup_policy: policyA },
        exported_configuration_encryption: { encryption: { enabled: false, gpg_public_key: null } },
      },
      policies: {
        backup_policies: {
          [policyA]: {
            name: 'config-backup-nfs',
            include_node_id_in_path: true,
            notification_event: { type: 'all', send_filelist: true, file_count_limit: 1000 },
            target: { type: 'nfs', server: { selection: 'ip', value: '10.0.0.5' }, path: '/backup/sps' },
            start_times: ['02:30'],
          },
          [policyB]: {
            name: 'config-backup-weekly',
            include_node_id_in_path: false,
            notification_event: { type: 'errors', send_filelist: false, file_count_limit: 1000 },
            target: { type: 'nfs', server: { selection: 'fqdn', value: 'backup.example.com' }, path: '/weekly' },
            start_times: ['04:00'],
          },
        },
      },
      network: {
        nics: {
          nic1: {
            interfaces: [
              {
                id: ifaceId,
                name: 'default',
                vlantag: 0,
                addresses: [
                  { id: addrId, cidr: `127.0.0.1/8` },
                  { id: mgmtAddrId, cidr: `10.0.${opts.index}.10/24` },
                ],
              },
            ],
          },
          nic2: { interfaces: [] },
          nic3: { interfaces: [] },
        },
      },
    },
    cluster: { central_management: false, nodes: {}, join_request: null },
  };
}

/** Deep copy with object keys sorted, so JSON.stringify of it is stable. */
export function sortedCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortedCopy(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortedCopy((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

export const clone = <T>(value: T): T => structuredClone(value);

/**
 * The configuration lock of one node. Our reading of the lock: while session A holds an open
 * transaction, every write and every transaction operation of another session is refused with
 * 409 and error type `ConfigurationLocked` (the vendor pages say the configuration becomes
 * read-only for others, but name neither the status code nor the error type).
 */
export class ConfigStore {
  committed: SimState;
  tx: Transaction | null = null;
  lastCommitAtMs: number;
  private readonly commitLog: SimCommitRecord[] = [];

  constructor(
    initial: SimState,
    private readonly clock: SimClock,
    private readonly transactionMs: number,
  ) {
    this.committed = initial;
    this.lastCommitAtMs = clock.now();
  }

  /** The state a session reads: its own staged copy while it holds the lock, else committed. */
  view(sessionId: string | undefined): SimState {
    if (this.tx && sessionId !== undefined && this.tx.sessionId === sessionId) return this.tx.staged;
    return this.committed;
  }

  holds(sessionId: string): boolean {
    return this.tx !== null && this.tx.sessionId === sessionId;
  }

  remainingSeconds(): number | undefined {
    if (!this.tx) return undefined;
    const left = this.tx.openedAtMs + this.transactionMs - this.clock.now();
    return Math.max(0, Math.ceil(left / 1000));
  }

  /** Cancels the transaction when its time is up. Returns true when it did. */
  expireIfDue(): boolean {
    if (this.tx && this.clock.now() >= this.tx.openedAtMs + this.transactionMs) {
      this.cancel();
      return true;
    }
    return false;
  }

  assertNotLockedByOther(sessionId: string, path: string): void {
    if (this.tx && this.tx.sessionId !== sessionId) {
      throw new ApiError(
        409,
        'ConfigurationLocked',
        'The configuration is locked by another session with an open transaction.',
        { path, remaining_seconds: this.remainingSeconds() ?? 0 },
      );
    }
  }

  open(sessionId: string, username: string, path: string, implicit: boolean): Transaction {
    this.assertNotLockedByOther(sessionId, path);
    if (this.tx) return this.tx;
    this.tx = {
      sessionId,
      username,
      openedAtMs: this.clock.now(),
      staged: clone(this.committed),
      changes: [],
      rollbackHooks: [],
      implicit,
    };
    return this.tx;
  }

  /**
   * Applies `fn` to a copy of the session's view. When `fn` throws, nothing changes (and no
   * transaction is opened); otherwise the copy becomes the staged state, opening a transaction
   * implicitly if needed (7.x behaviour: the first change opens it).
   */
  write<T>(sessionId: string, username: string, path: string, fn: (draft: SimState, changes: Change[]) => T): T {
    this.assertNotLockedByOther(sessionId, path);
    const draft = clone(this.view(sessionId));
    const changes: Change[] = [];
    const result = fn(draft, changes);
    const tx = this.open(sessionId, username, path, true);
    tx.staged = draft;
    tx.changes.push(...changes);
    return result;
  }

  commit(sessionId: string, message: string | undefined): void {
    const tx = this.tx;
    if (!tx || tx.sessionId !== sessionId) return;
    this.committed = tx.staged;
    this.tx = null;
    this.lastCommitAtMs = this.clock.now();
    const record: SimCommitRecord = {
      at: new Date(this.lastCommitAtMs).toISOString(),
      username: tx.username,
      changes: tx.changes.length,
    };
    if (message !== undefined) record.message = message;
    this.commitLog.push(record);
  }

  rollback(sessionId: string): void {
    if (this.tx && this.tx.sessionId === sessionId) this.cancel();
  }

  /** Drops the staged state and releases the lock (rollback, expiry, session end). */
  cancel(): void {
    const tx = this.tx;
    if (!tx) return;
    this.tx = null;
    for (const hook of tx.rollbackHooks) hook();
  }

  commits(): SimCommitRecord[] {
    return this.commitLog.map((c) => ({ ...c }));
  }
}
