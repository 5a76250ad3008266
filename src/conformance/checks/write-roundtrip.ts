/**
 * `write_roundtrip`, live with `--allow-writes` only: proves that a write takes effect, and
 * leaves nothing behind. Each writable setting, in its own transaction: read it, PUT a
 * different valid value (different-value.ts: a boolean flipped, another enum member or documented
 * example, one list entry added or removed), read it back and see the new value, find the path
 * in the change log with the old and the new value, roll back, read it again and see the
 * original value. Where no different value is safe to make (references, keys, secrets) the
 * value just read is PUT back unchanged, and the result says so. The transaction is always
 * rolled back, never committed (after a failure, a timeout, a signal and the deadline too).
 * Nothing is written when a transaction was open before the run or another session holds the
 * configuration lock. The run ends by reading the transaction state once more.
 *
 * A little over 300 lines on purpose: the whole cycle and every rollback path in one file, so
 * that what is written, and when it is undone, can be read in one place.
 */
import { redactJson } from '../../redact.js';
import { isObject } from '../../shared/index.js';
import type { OperationModel } from '../../model/operations.js';
import { resultFor, WRITE, type CheckDefinition, type Exchange, type LiveNode, type LivePlan, type Outcome } from '../check-api.js';
import { isBuiltInKey, paramValues } from '../collection-writes.js';
import { differentRequestBody } from '../different-value.js';
import { sameValue, sameValueRequestBody } from '../write-safety.js';
import { describeAnswer, errorTypeOf, isSuccess, show, transactionState } from './util.js';

const check = 'write_roundtrip';

export const writeRoundtrip: CheckDefinition = {
  name: check,
  passes:
    'with `--allow-writes`: a different valid value was accepted, read back, listed in the change log with its old and new value, and gone again after the rollback (or, where no different value is safe, the unchanged value round-tripped); no transaction is left open',
  mock: 'not applicable',
  probes: [WRITE],
  // The rows come from `live`, which records its own exchanges.
  run: () => [],
  live: writeCycles,
  livePlanned: plannedRequests,
};

/** Requests per setting: open, read, PUT, read back, change log, rollback, read again. */
const PER_SETTING = 7;

function plannedRequests({ allowWrites, ops, roles }: LivePlan): number {
  if (!allowWrites) return 0;
  return ops.filter((o) => roles.get(o) === 'setting-put').length * PER_SETTING + 1;
}

async function writeCycles(env: LiveNode): Promise<void> {
  const { node } = env;
  if (!env.allowWrites) return;
  const settings = env.ops.filter((o) => env.roles.get(o) === 'setting-put');
  const skipAll = (why: string, message: string): void => {
    env.writes = `skipped: ${why}`;
    for (const op of settings) env.skip(op, 'write', check, op.path, message);
  };
  if (env.lockedAtStart) {
    return skipAll(
      'a transaction was already open on the node',
      `not written: a transaction was already open on node ${node} (someone holds the configuration lock); it was left alone`,
    );
  }
  if (env.transactionAtStart !== 'closed') {
    return skipAll(
      'the transaction status could not be read first',
      `not written: the transaction status of node ${node} could not be read first, so it is unknown whether someone holds the configuration lock`,
    );
  }
  if (env.givenUp()) {
    env.writes = 'skipped: node given up';
    return;
  }
  const openOp = env.findOp('POST', '/api/transaction');
  const rollbackOp = env.findOp('DELETE', '/api/transaction');
  if (!openOp || !rollbackOp) {
    env.writes = 'skipped: the spec documents no POST/DELETE /api/transaction';
    return;
  }
  env.progress('writes');
  let changed = 0;
  let same = 0;
  let lockedByOther = false;
  for (const put of settings) {
    if (lockedByOther || env.givenUp()) {
      env.skip(
        put,
        'write',
        check,
        put.path,
        lockedByOther ? `not written: the configuration is locked by another session on node ${node}` : `not written: node ${node} was given up`,
      );
      continue;
    }
    const outcome = await writeCycle(env, put, openOp, rollbackOp);
    if (outcome === 'locked') {
      lockedByOther = true;
      env.note('the configuration was locked by another session: no writes, its transaction was not touched');
      env.progress('writes', `node ${node}: the configuration is locked by another session; writes are skipped`);
    } else if (outcome === 'changed') changed++;
    else if (outcome === 'same') same++;
  }
  // The run must not leave a transaction behind: read the state once more.
  if (env.getTx && !lockedByOther) {
    const ex = await env.send(env.getTx, 'write', env.getTx.path, 'session');
    const state = transactionState(ex?.response?.json);
    if (ex) {
      const closed = state === 'closed';
      const message = closed
        ? 'after the write cycle: no transaction left open'
        : `after the write cycle the transaction is ${state ?? 'in an unknown state'}: it may be left open on node ${node}`;
      env.row(ex, resultFor(ex, check, closed ? 'passed' : 'failed', message));
    }
  }
  env.writes = lockedByOther
    ? 'skipped: configuration locked by another session'
    : `${changed} of ${settings.length} settings written with a different value and ${same} with the same value, all rolled back`;
}

type CycleOutcome = 'changed' | 'same' | 'locked' | 'failed' | 'skipped';

interface CycleState {
  sent: number;
  /** A transaction may be open: roll back. */
  mayBeOpen: boolean;
  /** The request body of the value read first, once a different value was PUT. */
  changedFrom?: unknown;
  /** The PUT is in flight (when the run is stopped, it may still reach the node after the rollback). */
  putInFlight?: boolean;
}

async function writeCycle(env: LiveNode, put: OperationModel, openOp: OperationModel, rollbackOp: OperationModel): Promise<CycleOutcome> {
  const state: CycleState = { sent: 0, mayBeOpen: false };
  const getOp = env.findOp('GET', put.path);
  const path = put.pathParams.length > 0 ? (getOp ? env.concrete.get(getOp) : undefined) : put.path;
  const setting = `${put.operationId} (PUT ${path ?? put.path})`;
  let outcome: CycleOutcome;
  let rolledBack = false;
  try {
    outcome = await writeAndCheck(env, put, openOp, state);
  } finally {
    // Sent at once, also when the run is stopped (a signal or the deadline) while a request was in flight.
    if (state.mayBeOpen) {
      state.sent++;
      rolledBack = await rollback(env, rollbackOp, setting);
      // Stopped with the PUT in flight: the node may still apply it after the rollback, and on
      // 6.9+ a change opens a transaction by itself. Look once more, and roll that back too.
      if (state.putInFlight && env.stopped() && env.getTx) {
        const ex = await env.sendCleanup(env.getTx, 'write', env.getTx.path);
        if (transactionState(ex.response?.json) === 'open') await rollback(env, rollbackOp, setting);
      }
    }
  }
  if (rolledBack && state.changedFrom !== undefined && path) {
    state.sent++;
    await readAfterRollback(env, put, path, state.changedFrom);
  }
  // The requests of this cycle that were not sent leave the plan.
  env.unplan(Math.max(0, PER_SETTING - state.sent));
  return outcome;
}

async function writeAndCheck(env: LiveNode, put: OperationModel, openOp: OperationModel, state: CycleState): Promise<CycleOutcome> {
  const { node, send } = env;
  const getOp = env.findOp('GET', put.path);
  const changesOp = env.findOp('GET', '/api/transaction/changes');
  const path = put.pathParams.length > 0 ? (getOp ? env.concrete.get(getOp) : undefined) : put.path;
  const setting = `${put.operationId} (PUT ${path ?? put.path})`;
  const row = (ex: Exchange | undefined, outcome: Outcome, message: string): void => {
    if (ex) env.row(ex, resultFor(ex, check, outcome, message));
    else env.skip(put, 'write', check, path ?? put.path, message, outcome);
  };
  const sendCounted: LiveNode['send'] = (...args) => {
    state.sent++;
    return send(...args);
  };
  if (!getOp || !path) {
    row(undefined, 'skipped', `${setting}: not written: no object to read first`);
    return 'skipped';
  }
  if (paramValues(put.path, path).some(isBuiltInKey)) {
    row(undefined, 'skipped', `${setting}: not written: only built-in objects (negative keys) were found, and they are never changed`);
    return 'skipped';
  }
  let open: Exchange | undefined;
  try {
    open = await sendCounted(openOp, 'write', openOp.path, 'session', { emptyBody: true });
  } catch (err) {
    state.mayBeOpen = true; // stopped while the open was in flight: it may have opened
    throw err;
  }
  if (!open?.response) {
    state.mayBeOpen = open !== undefined; // no answer: it may have opened, so roll back to be sure
    row(open, 'failed', `${setting}: could not open a transaction: ${open ? describeAnswer(open) : `node ${node} was given up`}`);
    return 'failed';
  }
  if (open.response.status === 409 || errorTypeOf(open.response.json) === 'ConfigurationLocked') {
    row(
      open,
      'skipped',
      `${setting}: not written: POST /api/transaction answered ${describeAnswer(open)}: the configuration is locked by another session, whose transaction is left alone`,
    );
    return 'locked';
  }
  if (!isSuccess(open.response.status)) {
    row(open, 'failed', `${setting}: could not open a transaction: POST /api/transaction answered ${describeAnswer(open)}`);
    return 'failed';
  }
  state.mayBeOpen = true;
  const before = await sendCounted(getOp, 'write', path, 'session');
  const current = isObject(before?.response?.json) ? before.response.json.body : undefined;
  if (!before?.response || !isSuccess(before.response.status) || current === undefined) {
    row(before, 'failed', `${setting}: could not read the setting first: ${before ? describeAnswer(before) : 'node given up'}`);
    return 'failed';
  }
  const prepared = sameValueRequestBody(env.model, env.validator, put, current);
  if (!prepared.ok) {
    row(before, 'skipped', `${setting}: not written: ${prepared.reason}`);
    return 'skipped';
  }
  const different = differentRequestBody(env.model, env.validator, put, prepared.body);
  const body = different.ok ? different.value.body : prepared.body;
  state.putInFlight = true;
  const written = await sendCounted(put, 'write', path, 'session', { body });
  state.putInFlight = false;
  if (different.ok) state.changedFrom = prepared.body;
  if (!written?.response || !isSuccess(written.response.status)) {
    const what = different.ok ? `the different value ${show(body)} (${different.value.change})` : 'the unchanged value';
    row(written, 'failed', `${setting}: PUT of ${what} got ${written ? describeAnswer(written) : 'nothing (node given up)'}`);
    return 'failed';
  }
  const after = await sendCounted(getOp, 'write', path, 'session');
  const readBack = isObject(after?.response?.json) ? after.response.json.body : undefined;
  const problems: string[] = [];
  if (!after?.response || !isSuccess(after.response.status)) problems.push(`reading it back got ${after ? describeAnswer(after) : 'nothing'}`);
  else if (different.ok && sameSetting(env, put, readBack, prepared.body)) {
    problems.push(`the appliance accepted the PUT (${written.response.status}) but kept the old value ${show(prepared.body)} (${different.value.change})`);
  } else if (!sameSetting(env, put, readBack, body)) {
    problems.push(`the value read back differs from the value written: read ${show(readBack)}, wrote ${show(body)}`);
  }
  if (changesOp) problems.push(...(await changeLogProblems(env, changesOp, path, different.ok ? { old: prepared.body, new: body } : undefined, sendCounted)));
  if (problems.length > 0) {
    row(written, 'failed', `${setting}: ${problems.join('; ')}`);
    return 'failed';
  }
  row(
    written,
    'passed',
    different.ok
      ? `${setting}: PUT a different value (${different.value.change}; ${written.response.status}), read it back, found it in the change log with the old and the new value`
      : `${setting}: PUT the same value back (${written.response.status}; ${different.reason}, so this does not prove that a write takes effect), read back unchanged, change log consistent`,
  );
  return different.ok ? 'changed' : 'same';
}

/** After the rollback (outside any transaction) the setting must read as it was. Returns whether it did. */
async function readAfterRollback(env: LiveNode, put: OperationModel, path: string, original: unknown): Promise<boolean> {
  const getOp = env.findOp('GET', put.path)!;
  const setting = `${put.operationId} (PUT ${path})`;
  const ex = await env.send(getOp, 'write', path, 'session');
  if (!ex) return false;
  const value = isObject(ex.response?.json) ? ex.response.json.body : undefined;
  const ok = isSuccess(ex.response?.status) && sameSetting(env, put, value, original);
  const message = ok
    ? `${setting}: after the rollback it reads the original value again`
    : !isSuccess(ex.response?.status)
      ? `${setting}: reading it after the rollback got ${describeAnswer(ex)}`
      : `${setting}: after the rollback it reads ${show(value)}, not the original value ${show(original)}: the rollback did not undo the write`;
  env.row(ex, resultFor(ex, check, ok ? 'passed' : 'failed', message));
  return ok;
}

/** A GET body and a request body are the same setting value (references as keys, read-only fields ignored). */
function sameSetting(env: LiveNode, put: OperationModel, got: unknown, requestBody: unknown): boolean {
  const asRequest = sameValueRequestBody(env.model, env.validator, put, got);
  return sameValue(asRequest.ok ? asRequest.body : got, requestBody);
}

/**
 * The change log after the PUT. With a different value (`expected`) it must list the path
 * written, with the old and the new value; without one (the same-value PUT) it may list only
 * equal-value replaces of that path. A change of any other path is a failure either way.
 */
async function changeLogProblems(
  _env: LiveNode,
  changesOp: OperationModel,
  path: string,
  expected: { old: unknown; new: unknown } | undefined,
  send: LiveNode['send'],
): Promise<string[]> {
  const changes = await send(changesOp, 'write', changesOp.path, 'session');
  const list = isObject(changes?.response?.json) ? changes.response.json.changes : undefined;
  if (!changes?.response || !isSuccess(changes.response.status) || !Array.isArray(list)) {
    return [`GET ${changesOp.path} got ${changes ? describeAnswer(changes) : 'nothing'}`];
  }
  const problems: string[] = [];
  let listed = false;
  // A change log may hide secret-named fields (`community`, `password`, ...) as the GET does
  // not: compare with secrets redacted on both sides, so the non-secret fields still prove the
  // change and neither an appliance that hides them nor one that shows them is failed for it.
  const logged = (a: unknown, b: unknown): boolean => sameValue(redactJson(a), redactJson(b));
  for (const c of list) {
    if (!isObject(c)) continue;
    const cPath = typeof c.path === 'string' ? c.path : '';
    if (cPath !== path && !cPath.startsWith(`${path}/`) && !cPath.startsWith(`${path}#`)) {
      problems.push(`the change log lists a change of ${JSON.stringify(cPath)}, which was not written`);
      continue;
    }
    if (!expected) {
      if (c.type !== 'replace' || !sameValue(c.old_value, c.new_value))
        problems.push(`the change log lists a ${String(c.type)} of ${cPath} with different old and new values, after a PUT of the unchanged value`);
      continue;
    }
    listed = true;
    if (cPath === path && c.type === 'replace') {
      if (!logged(c.old_value, expected.old))
        problems.push(`the change log's old_value of ${path} is ${show(c.old_value)}, not the value read first ${show(expected.old)}`);
      if (!logged(c.new_value, expected.new))
        problems.push(`the change log's new_value of ${path} is ${show(c.new_value)}, not the value written ${show(expected.new)}`);
    } else if (c.type === 'replace' && sameValue(c.old_value, c.new_value)) {
      problems.push(`the change log lists a replace of ${cPath} with equal old and new values`);
    }
  }
  if (expected && !listed) {
    problems.push(
      list.length === 0 ? `the change log (GET ${changesOp.path}) is empty after the PUT of a different value` : `the change log does not list ${path}`,
    );
  }
  return problems;
}

/** Rolls the transaction back (sent even after an abort) and reports it; whether it worked. Also used by collection_roundtrip. */
export async function rollback(env: LiveNode, rollbackOp: OperationModel, setting: string): Promise<boolean> {
  const { node } = env;
  // Sent even after an abort: this is the cleanup the abort is waiting for.
  const ex = await env.sendCleanup(rollbackOp, 'write', rollbackOp.path);
  const ok = isSuccess(ex.response?.status);
  const message = ok
    ? `${setting}: transaction rolled back`
    : `${setting}: ROLLBACK FAILED on node ${node}: DELETE /api/transaction got ${describeAnswer(ex)}; a transaction may be left open`;
  env.row(ex, resultFor(ex, check, ok ? 'passed' : 'failed', message));
  env.progress('writes', ok ? undefined : `node ${node}: rollback failed, a transaction may be left open`);
  return ok;
}
