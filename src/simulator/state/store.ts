/**
 * The committed and staged copies of a node's state and its configuration lock.
 */
import { ApiError } from '../appliance/api-error.js';
import type { SimClock, SimCommitRecord } from '../types.js';
import type { Change, SimState, Transaction } from './state.js';

/** A `replace` entry of the change log, with copies of both values (the draft changes later). */
export function replaced(path: string, oldValue: unknown, newValue: unknown): Change {
  return { type: 'replace', path, old_value: structuredClone(oldValue), new_value: structuredClone(newValue) };
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

  /**
   * Cancels the transaction when its time is up (the transaction timeout, default 600 s): the
   * staged changes are dropped and the lock is released, as SPS does for a holder that went
   * away. Called before every request is handled. Returns true when it did.
   */
  expireIfDue(): boolean {
    if (this.tx && this.clock.now() >= this.tx.openedAtMs + this.transactionMs) {
      this.cancel();
      return true;
    }
    return false;
  }

  assertNotLockedByOther(sessionId: string, path: string): void {
    if (this.tx && this.tx.sessionId !== sessionId) {
      throw new ApiError(409, 'ConfigurationLocked', 'The configuration is locked by another session with an open transaction.', {
        path,
        remaining_seconds: this.remainingSeconds() ?? 0,
      });
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
   * implicitly if needed (7.x behaviour: the first change opens it). With `discard`, the change
   * is logged but the staged state is kept as it was.
   */
  write<T>(sessionId: string, username: string, path: string, fn: (draft: SimState, changes: Change[]) => T, opts: { discard?: boolean } = {}): T {
    this.assertNotLockedByOther(sessionId, path);
    const draft = clone(this.view(sessionId));
    const changes: Change[] = [];
    const result = fn(draft, changes);
    const tx = this.open(sessionId, username, path, true);
    // `discard` (the ignorePuts switch): validated and logged, but the stored value stays.
    if (!opts.discard) tx.staged = draft;
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

  /** Rolls back the session's transaction; with `sameUser`, also one held by another session of that user. */
  rollback(sessionId: string, sameUser?: string): void {
    if (this.tx && (this.tx.sessionId === sessionId || (sameUser !== undefined && this.tx.username === sameUser))) this.cancel();
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
