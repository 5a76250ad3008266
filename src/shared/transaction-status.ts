/**
 * The one home of reading the status of `GET /api/transaction` (and of the answers of its POST,
 * PUT and DELETE), which SPS sends in two documented shapes: 7.x `{ body: { status,
 * commit_message }, key, meta }` and 5.7/6.x `{ key, meta, transaction: { status } }`. The
 * client's strict `normalizeTransactionStatus` and the runner's lenient `transactionStateOf`
 * both read it here.
 */
import { isObject, type JsonObject } from './json.js';

export type TransactionState = 'open' | 'closed';

/** The object that holds `status`, and which documented shape it came in; undefined for neither. */
export function transactionStatusPart(raw: unknown): { shape: '7.x' | '6.x'; part: JsonObject } | undefined {
  if (!isObject(raw)) return undefined;
  if (isObject(raw.body) && 'status' in raw.body) return { shape: '7.x', part: raw.body };
  if (isObject(raw.transaction) && 'status' in raw.transaction) return { shape: '6.x', part: raw.transaction };
  return undefined;
}

export function isTransactionState(value: unknown): value is TransactionState {
  return value === 'open' || value === 'closed';
}

/** `open` / `closed` from either shape; undefined when the body has neither or another status. */
export function transactionStateOf(raw: unknown): TransactionState | undefined {
  const status = transactionStatusPart(raw)?.part.status;
  return isTransactionState(status) ? status : undefined;
}
