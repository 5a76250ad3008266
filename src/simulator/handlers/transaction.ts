/** /api/transaction: open, status, commit, rollback, and the change log. */
import { redactJson } from '../../redact.js';
import { isObject, jsonEqual } from '../../shared/json.js';
import { jsonBody, type Ctx, type Reply } from '../appliance/context.js';
import { ApiError, semantic } from '../appliance/api-error.js';
import type { Change, SimState } from '../state/state.js';

/**
 * The 7.x transaction status shape. How another session sees a lock it does not hold is not
 * documented (the vendor pages say only that the configuration becomes read-only for others):
 * under the default `lockVisibility: 'own-session'` (our reading) the status is the session's
 * own transaction, so others read `closed`; under `'shared'` every session reads `open` with
 * the seconds left while anyone holds the lock.
 */
function statusBody(ctx: Ctx): unknown {
  const { store, behaviour } = ctx.appliance;
  const open = store.holds(ctx.session.id) || (behaviour.lockVisibility === 'shared' && store.tx !== null);
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

/**
 * POST /api/transaction: needs a body length (411 otherwise); the body is empty or `{}` (the
 * SDKs send either); opens the lock for this session.
 */
export function openTransaction(ctx: Ctx): Reply {
  if (!ctx.hasBodyLength) {
    throw new ApiError(411, 'LengthRequired', 'The request must declare its body length (send Content-Length: 0).', {
      path: ctx.path,
    });
  }
  if (ctx.rawBody.trim().length > 0 && !isObject(jsonBody(ctx))) {
    throw semantic('The body must be empty or an empty object {}.', { path: ctx.path });
  }
  ctx.appliance.store.open(ctx.session.id, ctx.session.username, ctx.path, false);
  return { status: 200, body: statusBody(ctx) };
}

/** Whether a commit from `before` to `after` ends the node's sessions, as SPS does. */
function dropsSessions(before: SimState, after: SimState): boolean {
  const ifaceChanged = !jsonEqual(before.configuration.local_services.cluster, after.configuration.local_services.cluster);
  const promoted = !before.cluster.central_management && after.cluster.central_management;
  return ifaceChanged || promoted;
}

/**
 * PUT /api/transaction `{status: "commit", message?}`. After a commit that changes the cluster
 * interface or promotes the node, every session of the node is dropped (the next request is 401).
 */
export function commitTransaction(ctx: Ctx): Reply {
  const body = jsonBody(ctx);
  if (!isObject(body) || body.status !== 'commit') {
    throw semantic('The body must be {"status": "commit"} with an optional "message".', { path: ctx.path });
  }
  if (body.message !== undefined && typeof body.message !== 'string') {
    throw semantic('"message" must be a string.', { path: ctx.path });
  }
  const { appliance } = ctx;
  const { store } = appliance;
  store.assertNotLockedByOther(ctx.session.id, ctx.path);
  const before = store.committed;
  store.commit(ctx.session.id, body.message);
  const reply: Reply = { status: 200, body: statusBody(ctx) };
  if (appliance.behaviour.dropSessionsOnClusterCommit !== false && dropsSessions(before, store.committed)) {
    appliance.sessions.dropAll();
  }
  return reply;
}

/**
 * DELETE /api/transaction: discards the staged changes and releases the lock. Safe to call
 * without an open transaction (the spec's reading): a session of another user gets `closed` and
 * the holder's transaction is untouched (no 409 here: the spec documents none). A new session of
 * the user who holds the lock releases it (our reading, switch `sameUserMayRollback`, default
 * on): the way an administrator clears a lock left by a run that could not roll back.
 */
export function rollbackTransaction(ctx: Ctx): Reply {
  const { store, behaviour } = ctx.appliance;
  store.rollback(ctx.session.id, behaviour.sameUserMayRollback !== false ? ctx.session.username : undefined);
  return { status: 200, body: statusBody(ctx) };
}

/** A change-log entry as served: secrets never leave through the change log. */
function redactChange(change: Change): Change {
  const out: Change = { type: change.type, path: change.path };
  if ('old_value' in change) out.old_value = redactJson(change.old_value);
  if ('new_value' in change) out.new_value = redactJson(change.new_value);
  return out;
}

/** GET /api/transaction/changes; empty under the `emptyChangeLog` switch. */
export function listTransactionChanges(ctx: Ctx): Reply {
  const { store, behaviour } = ctx.appliance;
  const tx = store.holds(ctx.session.id) ? store.tx : null;
  const changes = tx && !behaviour.emptyChangeLog ? tx.changes.map(redactChange) : [];
  return {
    status: 200,
    body: {
      changes,
      meta: { href: '/api/transaction/changes', parent: '/api/transaction', transaction: '/api/transaction' },
    },
  };
}
