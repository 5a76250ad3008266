/**
 * `write_roundtrip`, live with `--allow-writes` only: each writable setting, in its own
 * transaction, is read, PUT back unchanged, read back and compared, the change log is checked,
 * and the transaction is always rolled back (after a failure, a timeout and an abort too).
 * Nothing is written when a transaction was open before the run or another session holds the
 * configuration lock. The run ends by reading the transaction state once more.
 */
import { isObject } from '../../shared/index.js';
import type { OperationModel } from '../../spec/model.js';
import type { LiveNodeEnv } from '../plan/context.js';
import { WRITE } from '../plan/probes.js';
import { resultFor, type CheckDefinition, type Exchange, type Outcome } from '../types.js';
import { sameValue, sameValueRequestBody } from '../writes.js';
import { describeAnswer, errorTypeOf, isSuccess, transactionState } from './util.js';

const check = 'write_roundtrip';

export const writeRoundtrip: CheckDefinition = {
  name: check,
  passes:
    'with `--allow-writes`: the unchanged value was accepted, read back equal, the change log lists only equal-value replaces of that path, the transaction was rolled back and none is left open',
  mock: 'not applicable',
  probes: [WRITE],
  // The rows come from `live`, which records its own exchanges.
  run: () => [],
  live: writeCycles,
};

async function writeCycles(env: LiveNodeEnv): Promise<void> {
  const { run, client, nodeIndex, target } = env;
  const node = client.label;
  if (!run.options.allowWrites) return;
  const settings = run.ops.filter((o) => env.roles.get(o) === 'setting-put');
  const skipAll = (why: string, message: string): void => {
    target.writes = `skipped: ${why}`;
    for (const op of settings) run.skipRow(nodeIndex, node, op, 'write', check, op.path, message);
  };
  if (env.lockedAtStart) {
    return skipAll('a transaction was already open on the node', `not written: a transaction was already open on node ${node} (someone holds the configuration lock); it was left alone`);
  }
  if (target.transactionAtStart !== 'closed') {
    return skipAll('the transaction status could not be read first', `not written: the transaction status of node ${node} could not be read first, so it is unknown whether someone holds the configuration lock`);
  }
  if (client.deadReason) {
    target.writes = 'skipped: node given up';
    return;
  }
  const openOp = env.findOp('POST', '/api/transaction');
  const rollbackOp = env.findOp('DELETE', '/api/transaction');
  if (!openOp || !rollbackOp) {
    target.writes = 'skipped: the spec documents no POST/DELETE /api/transaction';
    return;
  }
  run.progress(client, 'writes');
  let written = 0;
  let lockedByOther = false;
  for (const put of settings) {
    if (lockedByOther || client.deadReason) {
      run.skipRow(nodeIndex, node, put, 'write', check, put.path, lockedByOther ? `not written: the configuration is locked by another session on node ${node}` : `not written: node ${node} was given up`);
      continue;
    }
    const outcome = await writeCycle(env, put, openOp, rollbackOp);
    if (outcome === 'locked') {
      lockedByOther = true;
      target.notes.push('the configuration was locked by another session: no writes, its transaction was not touched');
      run.progress(client, 'writes', `node ${node}: the configuration is locked by another session; writes are skipped`);
    } else if (outcome === 'done') written++;
  }
  // The run must not leave a transaction behind: read the state once more.
  if (env.getTx && !lockedByOther) {
    const ex = await env.send(env.getTx, 'write', env.getTx.path, 'session');
    const state = transactionState(ex?.response?.json);
    if (ex) {
      const closed = state === 'closed';
      const message = closed ? 'after the write cycle: no transaction left open' : `after the write cycle the transaction is ${state ?? 'in an unknown state'}: it may be left open on node ${node}`;
      run.push(resultFor(ex, check, closed ? 'passed' : 'failed', message), run.rank(nodeIndex, ex));
    }
  }
  target.writes = lockedByOther ? 'skipped: configuration locked by another session' : `${written} of ${settings.length} settings written back unchanged and rolled back`;
}

async function writeCycle(env: LiveNodeEnv, put: OperationModel, openOp: OperationModel, rollbackOp: OperationModel): Promise<'done' | 'locked' | 'failed' | 'skipped'> {
  const { run, client, nodeIndex, send } = env;
  const node = client.label;
  const getOp = env.findOp('GET', put.path);
  const changesOp = env.findOp('GET', '/api/transaction/changes');
  const path = put.pathParams.length > 0 ? (getOp ? env.concrete.get(getOp) : undefined) : put.path;
  const row = (ex: Exchange | undefined, outcome: Outcome, message: string): void => {
    if (ex) run.push(resultFor(ex, check, outcome, message), run.rank(nodeIndex, ex));
    else run.skipRow(nodeIndex, node, put, 'write', check, path ?? put.path, message, outcome);
  };
  if (!getOp || !path) {
    row(undefined, 'skipped', 'not written: no object to read first');
    return 'skipped';
  }
  let mayBeOpen = false;
  try {
    const open = await send(openOp, 'write', openOp.path, 'session', { emptyBody: true });
    if (!open?.response) {
      mayBeOpen = open !== undefined; // no answer: it may have opened, so roll back to be sure
      row(open, 'failed', `${put.operationId}: could not open a transaction: ${open ? describeAnswer(open) : `node ${node} was given up`}`);
      return 'failed';
    }
    if (open.response.status === 409 || errorTypeOf(open.response.json) === 'ConfigurationLocked') {
      row(open, 'skipped', `not written: POST /api/transaction answered ${describeAnswer(open)}: the configuration is locked by another session, whose transaction is left alone`);
      return 'locked';
    }
    if (!isSuccess(open.response.status)) {
      row(open, 'failed', `${put.operationId}: could not open a transaction: POST /api/transaction answered ${describeAnswer(open)}`);
      return 'failed';
    }
    mayBeOpen = true;
    const before = await send(getOp, 'write', path, 'session');
    const current = isObject(before?.response?.json) ? before.response.json.body : undefined;
    if (!before?.response || !isSuccess(before.response.status) || current === undefined) {
      row(before, 'failed', `${put.operationId}: could not read the setting first: ${before ? describeAnswer(before) : 'node given up'}`);
      return 'failed';
    }
    const prepared = sameValueRequestBody(run.model, run.validator, put, current);
    if (!prepared.ok) {
      row(before, 'skipped', `not written: ${prepared.reason}`);
      return 'skipped';
    }
    const written = await send(put, 'write', path, 'session', { body: prepared.body });
    if (!written?.response || !isSuccess(written.response.status)) {
      row(written, 'failed', `${put.operationId}: PUT of the unchanged value got ${written ? describeAnswer(written) : 'nothing (node given up)'}`);
      return 'failed';
    }
    const after = await send(getOp, 'write', path, 'session');
    const readBack = isObject(after?.response?.json) ? after.response.json.body : undefined;
    const problems: string[] = [];
    if (!after?.response || !isSuccess(after.response.status)) problems.push(`reading it back got ${after ? describeAnswer(after) : 'nothing'}`);
    else if (!sameValue(current, readBack)) problems.push('the value read back differs from the value written');
    if (changesOp) problems.push(...(await changeLogProblems(env, changesOp, path)));
    if (problems.length > 0) {
      row(written, 'failed', `${put.operationId}: ${problems.join('; ')}`);
      return 'failed';
    }
    row(written, 'passed', `${put.operationId}: read, PUT the same value back (${written.response.status}), read back unchanged, change log consistent`);
    return 'done';
  } finally {
    if (mayBeOpen) await rollback(env, rollbackOp);
  }
}

/** The change log may list only equal-value replaces of the path that was written. */
async function changeLogProblems(env: LiveNodeEnv, changesOp: OperationModel, path: string): Promise<string[]> {
  const changes = await env.send(changesOp, 'write', changesOp.path, 'session');
  const list = isObject(changes?.response?.json) ? changes.response.json.changes : undefined;
  if (!changes?.response || !isSuccess(changes.response.status) || !Array.isArray(list)) {
    return [`GET ${changesOp.path} got ${changes ? describeAnswer(changes) : 'nothing'}`];
  }
  const problems: string[] = [];
  for (const c of list) {
    if (!isObject(c)) continue;
    const cPath = typeof c.path === 'string' ? c.path : '';
    if (cPath !== path && !cPath.startsWith(`${path}/`) && !cPath.startsWith(`${path}#`)) {
      problems.push(`the change log lists a change of ${JSON.stringify(cPath)}, which was not written`);
    } else if (c.type !== 'replace' || !sameValue(c.old_value, c.new_value)) {
      problems.push(`the change log lists a ${String(c.type)} of ${cPath} with different old and new values`);
    }
  }
  return problems;
}

async function rollback(env: LiveNodeEnv, rollbackOp: OperationModel): Promise<void> {
  const { run, client, nodeIndex } = env;
  const node = client.label;
  // Sent even after an abort: this is the cleanup the abort is waiting for.
  const ex = await client.send({ op: rollbackOp, probe: 'write', path: rollbackOp.path, auth: 'session' }, { ignoreAbort: true });
  run.record(nodeIndex, ex);
  const ok = isSuccess(ex.response?.status);
  const message = ok ? 'transaction rolled back' : `ROLLBACK FAILED on node ${node}: DELETE /api/transaction got ${describeAnswer(ex)}; a transaction may be left open`;
  run.push(resultFor(ex, check, ok ? 'passed' : 'failed', message), run.rank(nodeIndex, ex));
  run.progress(client, 'writes', ok ? undefined : `node ${node}: rollback failed, a transaction may be left open`);
}
