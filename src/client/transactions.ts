/**
 * Transaction status normalisation. SPS has two shapes for `GET /api/transaction`:
 * 7.x `{ body: { status, commit_message }, key, meta }` and 5.7/6.x
 * `{ key, meta, transaction: { status } }`.
 */
import { isObject } from '../shared/index.js';
import { isTransactionState, type TransactionState, transactionStatusPart } from '../shared/transaction-status.js';

export type { TransactionState };

export type CommitMessagePolicy = 'required' | 'optional';

export interface TransactionStatus {
  status: TransactionState;
  /** 7.x only: whether a commit needs a `message`. */
  commitMessage?: CommitMessagePolicy;
  /** `meta.remaining_seconds`: time before the open transaction is cancelled. */
  remainingSeconds?: number;
  /** `meta.changes`: link to the change log, present when there are changes. */
  changesHref?: string;
  /** Which documented shape the body had. */
  shape: '7.x' | '6.x';
  raw: unknown;
}

/** One entry of `GET /api/transaction/changes`. */
export interface TransactionChange {
  type: 'create' | 'delete' | 'reorder' | 'replace' | (string & {});
  path: string;
  new_value?: unknown;
  old_value?: unknown;
  new_order?: unknown[];
  old_order?: unknown[];
  [key: string]: unknown;
}

/**
 * Normalises either status shape. Throws an `Error` naming what is wrong when the body has
 * neither shape or a status other than `open`/`closed`.
 */
export function normalizeTransactionStatus(raw: unknown): TransactionStatus {
  if (!isObject(raw)) throw new Error('transaction status is not a JSON object');
  const found = transactionStatusPart(raw);
  if (!found) throw new Error('transaction status has neither body.status (7.x) nor transaction.status (6.x)');
  const { shape, part } = found;
  const state = part.status;
  let commitMessage: CommitMessagePolicy | undefined;
  if (shape === '7.x') {
    const cm = part.commit_message;
    if (cm === 'required' || cm === 'optional') commitMessage = cm;
    else if (cm !== undefined) throw new Error(`unknown body.commit_message ${JSON.stringify(cm)}`);
  }
  if (!isTransactionState(state)) throw new Error(`unknown transaction status ${JSON.stringify(state)}`);
  const result: TransactionStatus = { status: state, shape, raw };
  if (commitMessage) result.commitMessage = commitMessage;
  if (isObject(raw.meta)) {
    const rs = raw.meta.remaining_seconds;
    if (typeof rs === 'number' && Number.isFinite(rs)) result.remainingSeconds = rs;
    if (typeof raw.meta.changes === 'string') result.changesHref = raw.meta.changes;
  }
  return result;
}

/** Returns the `changes` array of a change-log body, or throws when there is none. */
export function readChanges(raw: unknown): TransactionChange[] {
  if (!isObject(raw) || !Array.isArray(raw.changes)) {
    throw new Error('transaction change log has no changes array');
  }
  return raw.changes as TransactionChange[];
}
