/**
 * The transaction calls of a client: `open`/`status`/`changes`/`commit`/`rollback` on the typed
 * openapi-fetch client, and `withTransaction`, which rolls back unless the callback committed.
 * The status and change-log bodies are read by transactions.ts.
 */
import type { SecretRegistry } from '../redact.js';
import { pathOf, withShapeCheck } from './errors.js';
import { normalizeTransactionStatus, readChanges } from './transactions.js';
import type { SpsClient, SpsFetchClient, TransactionHelpers, TransactionScope } from './types.js';

export function createTransactionHelpers(api: SpsFetchClient, secrets: SecretRegistry): TransactionHelpers {
  return {
    async open() {
      await api.POST('/api/transaction');
    },
    async status() {
      const { data, response } = await api.GET('/api/transaction');
      return withShapeCheck('GET', pathOf(response.url || '/api/transaction'), response.status, secrets, () => normalizeTransactionStatus(data));
    },
    async changes() {
      const { data, response } = await api.GET('/api/transaction/changes');
      return withShapeCheck('GET', pathOf(response.url || '/api/transaction/changes'), response.status, secrets, () => readChanges(data));
    },
    async commit(message?: string) {
      const body = message === undefined ? { status: 'commit' as const } : { status: 'commit' as const, message };
      await api.PUT('/api/transaction', { body });
    },
    async rollback() {
      await api.DELETE('/api/transaction');
    },
  };
}

/** `SpsClient.withTransaction` of `client`, whose helpers are `transactions`. */
export async function runInTransaction<T>(client: SpsClient, transactions: TransactionHelpers, fn: (tx: TransactionScope) => Promise<T> | T): Promise<T> {
  await transactions.open();
  let finished = false;
  const tx: TransactionScope = {
    client,
    status: () => transactions.status(),
    changes: () => transactions.changes(),
    async commit(message?: string) {
      await transactions.commit(message);
      finished = true;
    },
    async rollback() {
      await transactions.rollback();
      finished = true;
    },
  };
  let result: T;
  try {
    result = await fn(tx);
  } catch (err) {
    if (!finished) {
      try {
        await transactions.rollback();
      } catch {
        // The callback's error is the one the caller needs; a failed rollback must not hide it.
      }
    }
    throw err;
  }
  if (!finished) await transactions.rollback();
  return result;
}
