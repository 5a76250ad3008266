import { isObject, jsonBody, type Ctx, type Reply } from '../context.js';
import { ApiError, semantic } from '../errors.js';
import { redactChange } from './redaction.js';

/** The 7.x transaction status shape. */
function statusBody(ctx: Ctx): unknown {
  const { store } = ctx.node;
  const open = store.holds(ctx.session.id);
  const meta: Record<string, unknown> = { href: '/api/transaction', parent: '/api' };
  if (open) {
    meta.remaining_seconds = store.remainingSeconds() ?? 0;
    meta.changes = '/api/transaction/changes';
  }
  return { body: { status: open ? 'open' : 'closed', commit_message: 'optional' }, key: 'transaction', meta };
}

export function getTransaction(ctx: Ctx): Reply {
  return { status: 200, body: statusBody(ctx) };
}

/** POST /api/transaction: needs a body length (411 otherwise); opens the lock for this session. */
export function openTransaction(ctx: Ctx): Reply {
  if (!ctx.hasBodyLength) {
    throw new ApiError(411, 'LengthRequired', 'The request must declare its body length (send Content-Length: 0).', {
      path: ctx.path,
    });
  }
  ctx.node.store.open(ctx.session.id, ctx.session.username, ctx.path, false);
  return { status: 200, body: statusBody(ctx) };
}

/** PUT /api/transaction `{status: "commit", message?}`. */
export function commitTransaction(ctx: Ctx): Reply {
  const body = jsonBody(ctx);
  if (!isObject(body) || body.status !== 'commit') {
    throw semantic('The body must be {"status": "commit"} with an optional "message".', { path: ctx.path });
  }
  if (body.message !== undefined && typeof body.message !== 'string') {
    throw semantic('"message" must be a string.', { path: ctx.path });
  }
  const { store } = ctx.node;
  store.assertNotLockedByOther(ctx.session.id, ctx.path);
  store.commit(ctx.session.id, body.message);
  return { status: 200, body: statusBody(ctx) };
}

/**
 * DELETE /api/transaction: discards the staged changes and releases the lock. Safe to call
 * without an open transaction (the spec's reading): a session that does not hold the lock gets
 * `closed` and the holder's transaction is untouched (no 409 here: the spec documents none).
 */
export function rollbackTransaction(ctx: Ctx): Reply {
  const { store } = ctx.node;
  store.rollback(ctx.session.id);
  return { status: 200, body: statusBody(ctx) };
}

export function listTransactionChanges(ctx: Ctx): Reply {
  const { store } = ctx.node;
  const changes = store.holds(ctx.session.id) && store.tx ? store.tx.changes.map(redactChange) : [];
  return {
    status: 200,
    body: {
      changes,
      meta: { href: '/api/transaction/changes', parent: '/api/transaction', transaction: '/api/transaction' },
    },
  };
}
