/**
 * `collection_roundtrip`, live with `--allow-writes` only: proves that creating an object in a
 * collection takes effect, and leaves nothing behind. Per collection, in a transaction of its
 * own that is always rolled back and never committed: read the list, POST a new valid object
 * (collection-writes.ts builds it from the documented example, with references an existing
 * object holds), read it back, find its `create` in the change log, DELETE it (where the spec
 * documents the DELETE) and see the list as it was, roll back, and see the list as it was again.
 * Only the object this run created is ever deleted; a key the list showed before is never
 * touched. A collection the node's version makes read-only, a write-only list and a collection
 * whose new object cannot be built without guessing are skipped with the reason. Changing an
 * existing object is `write_roundtrip`'s PUT cycle (never on a built-in object).
 */
import { isObject } from '../../shared/index.js';
import { notDocumentedReason } from '../../model/versions.js';
import type { OperationModel } from '../../model/operations.js';
import { collectionTargets, documentedExample, NO_EXAMPLE, newObjectBody, type CollectionTarget } from '../collection-writes.js';
import { resultFor, WRITE, type CheckDefinition, type Exchange, type LiveNode, type LivePlan, type Outcome } from '../check-api.js';
import { sameValue } from '../write-safety.js';
import { describeAnswer, errorTypeOf, isSuccess, show } from './util.js';
import { rollback } from './write-roundtrip.js';

const check = 'collection_roundtrip';

export const collectionRoundtrip: CheckDefinition = {
  name: check,
  passes:
    'with `--allow-writes`: in each collection, a new object built from the documented example was created, read back, listed in the change log, deleted (or rolled back), and the list is as it was, also after the rollback; built-in and existing objects are never touched',
  mock: 'not applicable',
  probes: [WRITE],
  run: () => [],
  live: collectionCycles,
  livePlanned: plannedRequests,
};

/** Requests per collection: open, list, POST, read, change log, DELETE, read, list, rollback, list. */
const PER_COLLECTION = 10;

function writable({ model, ops, roles }: LivePlan): CollectionTarget[] {
  return collectionTargets(ops, model.operations).filter(
    (t): t is CollectionTarget =>
      'list' in t && documentedExample(t.post) !== undefined && roles.get(t.post) !== 'not-in-version' && roles.get(t.list) !== 'not-in-version',
  );
}

function plannedRequests(plan: LivePlan): number {
  return plan.allowWrites ? writable(plan).length * PER_COLLECTION : 0;
}

async function collectionCycles(env: LiveNode): Promise<void> {
  const { node } = env;
  if (!env.allowWrites) return;
  const all = collectionTargets(env.ops, env.model.operations);
  const skip = (post: OperationModel, path: string, message: string): void => env.skip(post, 'write', check, path, `${path}: not created: ${message}`);
  const todo: CollectionTarget[] = [];
  for (const t of all) {
    if (!('list' in t)) skip(t.post, t.path, t.reason);
    else if (env.roles.get(t.post) === 'not-in-version') {
      skip(t.post, t.path, `read-only on SPS ${env.version}: ${t.post.operationId} is ${notDocumentedReason(t.post.versions ?? '', env.version ?? '')}`);
    } else if (!documentedExample(t.post)) skip(t.post, t.path, NO_EXAMPLE);
    else if (env.roles.get(t.list) !== 'not-in-version') todo.push(t);
  }
  const openOp = env.findOp('POST', '/api/transaction');
  const rollbackOp = env.findOp('DELETE', '/api/transaction');
  const why = env.lockedAtStart
    ? `a transaction was already open on node ${node} (someone holds the configuration lock); it was left alone`
    : /locked by another session/.test(env.writes) // write_roundtrip ran first and met the lock
      ? `the configuration is locked by another session on node ${node}; its transaction is left alone`
      : env.transactionAtStart !== 'closed'
        ? `the transaction status of node ${node} could not be read first`
        : !openOp || !rollbackOp
          ? 'the spec documents no POST/DELETE /api/transaction'
          : undefined;
  if (why || env.givenUp()) {
    for (const t of todo) skip(t.post, t.path, why ?? `node ${node} was given up`);
    env.unplan(todo.length * PER_COLLECTION);
    return;
  }
  env.progress('collection writes');
  let created = 0;
  for (const [i, t] of todo.entries()) {
    if (env.givenUp() || env.stopped()) {
      for (const rest of todo.slice(i)) skip(rest.post, rest.path, `node ${node} was given up or the run was stopped`);
      env.unplan((todo.length - i) * PER_COLLECTION);
      break;
    }
    const outcome = await cycle(env, t, openOp!, rollbackOp!);
    if (outcome === 'locked') {
      for (const rest of todo.slice(i + 1)) skip(rest.post, rest.path, `the configuration is locked by another session on node ${node}`);
      env.unplan((todo.length - i - 1) * PER_COLLECTION);
      env.note('collection writes: the configuration was locked by another session; its transaction was not touched');
      break;
    }
    if (outcome === 'passed') created++;
  }
  env.note(`collection writes: ${created} of ${todo.length} collections created, read back, removed and rolled back`);
}

type CycleOutcome = Outcome | 'locked';

async function cycle(env: LiveNode, t: CollectionTarget, openOp: OperationModel, rollbackOp: OperationModel): Promise<CycleOutcome> {
  let sent = 0;
  const send: LiveNode['send'] = (...args) => {
    sent++;
    return env.send(...args);
  };
  const state: { mayBeOpen: boolean; before?: string[] } = { mayBeOpen: false };
  let outcome: CycleOutcome = 'failed';
  try {
    outcome = await createAndRemove(env, t, openOp, send, state);
  } finally {
    if (state.mayBeOpen) {
      sent++;
      const rolledBack = await rollback(env, rollbackOp, `${t.path} (collection)`);
      if (rolledBack && state.before && !env.stopped()) {
        const after = await listKeys(env, t, send);
        if (after.ex) {
          const same = after.keys !== undefined && sameKeys(after.keys, state.before);
          const message = same
            ? `${t.path}: after the rollback the list is as it was (${state.before.length} objects)`
            : `${t.path}: after the rollback the list is ${after.keys ? show(after.keys) : describeAnswer(after.ex)}, not as it was before (${show(state.before)})`;
          env.row(after.ex, resultFor(after.ex, check, same ? 'passed' : 'failed', message));
          if (!same) outcome = 'failed';
        }
      }
    }
    env.unplan(Math.max(0, PER_COLLECTION - sent));
  }
  return outcome;
}

async function createAndRemove(
  env: LiveNode,
  t: CollectionTarget,
  openOp: OperationModel,
  send: LiveNode['send'],
  state: { mayBeOpen: boolean; before?: string[] },
): Promise<CycleOutcome> {
  const row = (ex: Exchange | undefined, outcome: Outcome, message: string): Outcome => {
    if (ex) env.row(ex, resultFor(ex, check, outcome, `${t.path}: ${message}`));
    else env.skip(t.post, 'write', check, t.path, `${t.path}: ${message}`, outcome);
    return outcome;
  };
  let open: Exchange | undefined;
  try {
    open = await send(openOp, 'write', openOp.path, 'session', { emptyBody: true });
  } finally {
    state.mayBeOpen = true; // an answer or not, a transaction may be open: roll back to be sure
  }
  if (open?.response && (open.response.status === 409 || errorTypeOf(open.response.json) === 'ConfigurationLocked')) {
    state.mayBeOpen = false;
    row(
      open,
      'skipped',
      `not created: POST /api/transaction answered ${describeAnswer(open)}: the configuration is locked by another session, whose transaction is left alone`,
    );
    return 'locked';
  }
  if (!open?.response || !isSuccess(open.response.status))
    return row(open, 'failed', `could not open a transaction: ${open ? describeAnswer(open) : 'node given up'}`);

  const before = await listKeys(env, t, send);
  if (!before.keys) return row(before.ex, 'failed', `could not read the list first: ${before.ex ? describeAnswer(before.ex) : 'node given up'}`);
  state.before = before.keys;
  const built = newObjectBody(env.model, env.validator, t.post, before.bodies);
  if (!built.ok) return row(undefined, 'skipped', `not created: ${built.reason}`);

  const posted = await send(t.post, 'write', t.path, 'session', { body: built.body });
  const key = isObject(posted?.response?.json) && typeof posted.response.json.key === 'string' ? posted.response.json.key : undefined;
  if (!posted?.response || !isSuccess(posted.response.status))
    return row(posted, 'failed', `POST of a new object ${show(built.body)} got ${posted ? describeAnswer(posted) : 'nothing (node given up)'}`);
  if (key === undefined) return row(posted, 'failed', `POST answered ${posted.response.status} without the new object's key`);
  if (before.keys.includes(key))
    return row(posted, 'failed', `POST answered with key ${key}, the key of an object that existed before the run: it is left alone`);
  const objectPath = `${t.path}/${encodeURIComponent(key)}`;

  const problems: string[] = [];
  if (t.getOne) {
    const read = await send(t.getOne, 'write', objectPath, 'session');
    const body = isObject(read?.response?.json) ? read.response.json.body : undefined;
    if (!read?.response || !isSuccess(read.response.status)) {
      problems.push(
        `POST answered ${posted.response.status} with key ${key}, but reading ${objectPath} back got ${read ? describeAnswer(read) : 'nothing'}: the object was not stored`,
      );
    } else {
      const differs = differences(built.body, body);
      if (differs.length > 0) problems.push(`the object read back differs from the one created: ${differs.join(', ')}`);
    }
  } else {
    const listed = await listKeys(env, t, send);
    if (!listed.keys?.includes(key))
      problems.push(`POST answered ${posted.response.status} with key ${key}, but the list does not show it: the object was not stored`);
  }
  const changesOp = env.findOp('GET', '/api/transaction/changes');
  if (changesOp) problems.push(...(await changeLogProblems(env, changesOp, t.path, key, send)));
  if (problems.length > 0) return row(posted, 'failed', problems.join('; '));

  let removed = 'left to the rollback (the spec documents no DELETE of its objects)';
  if (t.remove && env.roles.get(t.remove) !== 'not-in-version') {
    const deleted = await send(t.remove, 'write', objectPath, 'session');
    if (!deleted?.response || !isSuccess(deleted.response.status))
      return row(deleted, 'failed', `DELETE of the object this run created (${key}) got ${deleted ? describeAnswer(deleted) : 'nothing'}`);
    if (t.getOne) {
      const gone = await send(t.getOne, 'write', objectPath, 'session');
      if (gone?.response?.status !== 404)
        return row(gone ?? deleted, 'failed', `after the DELETE, ${objectPath} answers ${gone ? describeAnswer(gone) : 'nothing'}, not 404`);
    }
    const after = await listKeys(env, t, send);
    if (!after.keys || !sameKeys(after.keys, before.keys)) {
      return row(
        after.ex ?? deleted,
        'failed',
        `after the DELETE the list is ${after.keys ? show(after.keys) : 'unreadable'}, not as it was before (${show(before.keys)})`,
      );
    }
    removed = 'deleted it and the list is as it was';
  }
  const notes = built.notes.length > 0 ? ` (${built.notes.join('; ')})` : '';
  return row(posted, 'passed', `created ${key} (${posted.response.status})${notes}, read it back, found its create in the change log, ${removed}`);
}

/** The keys and bodies the collection lists (undefined keys: it could not be read). */
async function listKeys(
  _env: LiveNode,
  t: CollectionTarget,
  send: LiveNode['send'],
): Promise<{ ex: Exchange | undefined; keys?: string[]; bodies: unknown[] }> {
  const ex = await send(t.list, 'write', t.path, 'session');
  const items = isObject(ex?.response?.json) && Array.isArray(ex.response.json.items) ? ex.response.json.items.filter(isObject) : undefined;
  if (!ex?.response || !isSuccess(ex.response.status) || !items) return { ex, bodies: [] };
  return { ex, keys: items.map((i) => String(i.key)), bodies: items.map((i) => i.body) };
}

const sameKeys = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\u0000') === [...b].sort().join('\u0000');

/** Top-level fields of the created body that read back otherwise (references compared as keys). */
function differences(created: Record<string, unknown>, read: unknown): string[] {
  if (!isObject(read)) return [`the answer has no body object (${show(read)})`];
  const out: string[] = [];
  for (const [k, v] of Object.entries(created)) {
    const got = read[k];
    // A nested object may gain the appliance's defaults: only its presence is compared.
    if (isObject(v) ? !isObject(got) : !sameValue(got, v)) out.push(`/${k} is ${show(got)}, was created as ${show(v)}`);
  }
  return out;
}

/** The change log must list the creation of the new object, and nothing outside the collection. */
async function changeLogProblems(_env: LiveNode, changesOp: OperationModel, collection: string, key: string, send: LiveNode['send']): Promise<string[]> {
  const ex = await send(changesOp, 'write', changesOp.path, 'session');
  const list = isObject(ex?.response?.json) ? ex.response.json.changes : undefined;
  if (!ex?.response || !isSuccess(ex.response.status) || !Array.isArray(list)) return [`GET ${changesOp.path} got ${ex ? describeAnswer(ex) : 'nothing'}`];
  const problems: string[] = [];
  let listed = false;
  for (const c of list.filter(isObject)) {
    const path = typeof c.path === 'string' ? c.path : '';
    if (path !== collection && !path.startsWith(`${collection}/`))
      problems.push(`the change log lists a ${String(c.type)} of ${JSON.stringify(path)}, outside ${collection}`);
    else if (c.type === 'create' && (path === `${collection}/${key}` || path === `${collection}/${encodeURIComponent(key)}`)) listed = true;
  }
  if (!listed) problems.push(list.length === 0 ? 'the change log is empty after the POST' : `the change log lists no create of ${collection}/${key}`);
  return problems;
}
