/**
 * The transactions of one run: every live node session registers here (the roles-file
 * accounts' too), so that one place can roll back every node with an open transaction of this
 * run, whatever stopped it, and say per node what is left. It knows a session only by
 * {@link LedgerSession}, so options, the CLI and the runner hold it without the session code.
 */
import type { OperationModel } from '../model/operations.js';

/** The configuration lock as a session left it: `open` until rolled back; `rollback failed` is final. */
export type TxState = 'none' | 'open' | 'rolled back' | 'rollback failed';

/** What the ledger reads of a node session (`node-session.ts`). */
export interface LedgerSession {
  readonly label: string;
  readonly txState: TxState;
  /** Transactions this session opened and did not roll back. */
  readonly txOpened: number;
  /** When the lock of an open transaction expires (ms since the epoch), when known. */
  readonly lockUntilMs?: number | undefined;
  /** Commands that release the lock by hand (curl lines, secrets replaced). */
  releaseCommands(): string[];
  /** Sends the rollback at once, bounded by `boundMs`; never throws. */
  rollbackNow(rollbackOp: OperationModel, boundMs: number): Promise<unknown>;
}

export class TransactionLedger {
  readonly clients: LedgerSession[] = [];

  register(client: LedgerSession): void {
    if (!this.clients.includes(client)) this.clients.push(client);
  }

  /** Sessions whose transaction may be open (a rollback is due). */
  open(): LedgerSession[] {
    return this.clients.filter((c) => c.txState === 'open');
  }

  /**
   * Sends `DELETE /api/transaction` on every session with a transaction of this run that may be
   * open, in parallel, each bounded by `boundMs`; a session whose rollback already failed gets
   * no new request. Never throws.
   */
  async rollbackAll(rollbackOp: OperationModel | undefined, boundMs: number): Promise<void> {
    if (!rollbackOp) return;
    await Promise.allSettled(this.open().map((c) => c.rollbackNow(rollbackOp, boundMs)));
  }
}
