/**
 * `access_control`, live with `--roles FILE` only: for each roles-file account and node, one
 * login (the main session when the account is `--username`), the GETs it may use (recorded, so
 * every response check runs on them, rows attributed to the account), and a probe for each
 * operation it may not use: a GET for reads; with `--allow-writes`, for every write it may or
 * may not use, the open of a transaction (rolled back at once if accepted) and the same-value
 * PUT inside a transaction of that account (always rolled back): permissions proven both ways. What the main run never sends (commit, cluster membership, other
 * writes) is never sent for an account either. The user x operation matrix is `report.access`.
 */
import { isObject } from '../../shared/index.js';
import type { OperationModel } from '../../model/operations.js';
import {
  resultFor,
  type AccessCell,
  type AccessRow,
  type AccountSession,
  type CheckDefinition,
  type Exchange,
  type LiveNode,
  type Outcome,
  type ProbeDefinition,
  type RoleAccount,
  type SendExtra,
} from '../check-api.js';
import { shellQuote } from '../curl.js';
import { accessFor } from '../roles.js';
import { notSentReason, sameValueRequestBody } from '../write-safety.js';
import { describeAnswer, errorTypeOf, isSuccess, transactionState } from './util.js';

const check = 'access_control';

/** A few words for a matrix cell from a not-sent row's reason. */
export function shortWhy(message: string): string {
  const m = message.replace(/^not (sent|checked)(, for an account either)?: /, '').replace(/^never sent(, for an account either)?: /, 'never sent: ');
  if (/read-only run/.test(m)) return 'read-only run (needs --allow-writes)';
  if (/needs no session/.test(m)) return 'needs no session';
  if (/could not log in/.test(m)) return 'login failed';
  if (/was given up/.test(m)) return 'node given up';
  if (/locked by another session|was not "closed"/.test(m)) return 'configuration locked';
  if (/never commits/.test(m)) return 'never sent: commit';
  if (/cluster membership/.test(m)) return 'never sent: cluster membership';
  if (/only writes settings back/.test(m)) return 'never sent: not a setting';
  if (/rollback is only sent/.test(m)) return 'only as cleanup';
  if (/no object|found no object|could not be read/.test(m)) return 'no object to read';
  return m.length > 40 ? `${m.slice(0, 37)}...` : m;
}

/** A request sent as a roles-file account (driven by this check's `live`). */
export const ACCESS: ProbeDefinition = { kind: 'access', order: 6, label: 'as a roles-file account' };

export const accessControl: CheckDefinition = {
  name: check,
  passes:
    'with `--roles FILE`, per account and node (one login each), every permission is proven both ways: every GET it may use answers without 401/403; every operation it may not use answers the documented 403 `Unauthorized` (401 where documented); with `--allow-writes` each write it may or may not use (the open of a transaction, the same-value PUT of a setting; only what the write check itself sends) is tried as the account inside its own transaction, always rolled back: a permitted write answered 401/403 fails naming the user, the operation and the node. The matrix says per cell: proven allowed, proven denied, or not tried (and why)',
  mock: 'not applicable: Prism has no accounts',
  probes: [ACCESS],
  // The rows come from `live`; the response checks run on its exchanges through `record`.
  run: () => [],
  live: accessControlLive,
};

interface Planned {
  op: OperationModel;
  row: AccessRow;
}

/** The plan of one run: per account, the operations the roles file speaks about; the matrix rows, created once in order. */
function planOf(env: LiveNode): Planned[][] {
  return env.perRun('access_control plan', () =>
    env.accounts.map((account) =>
      env.ops.flatMap((op) => {
        if (op.security === 'basicAuth') return []; // the login is the account's one login
        const d = accessFor(account, op);
        if (!d) return [];
        const row: AccessRow = {
          user: account.name,
          operationId: op.operationId,
          method: op.method,
          path: op.path,
          expected: d.expected,
          rule: `${d.expected === 'denied' ? 'may_not' : 'may'}: ${d.rule}`,
          nodes: {},
        };
        env.addAccessRow(row);
        return [{ op, row }];
      }),
    ),
  );
}

async function accessControlLive(env: LiveNode): Promise<void> {
  const plan = planOf(env);
  let own = 0;
  try {
    for (const [i, account] of env.accounts.entries()) own += await checkAccount(env, account, plan[i]!);
  } finally {
    // The target's request count is the main session's; say what the accounts' sessions added.
    const accounts = env.accounts.filter((a) => a.name !== env.username).length;
    if (accounts > 0)
      env.note(
        `access_control: ${accounts} roles-file account${accounts === 1 ? '' : 's'} with a session of its own sent ${own} more requests (one login each)`,
      );
  }
}

/** One account on one node; returns the requests sent with a session of its own (0 when it is `--username`'s). */
async function checkAccount(env: LiveNode, account: RoleAccount, planned: Planned[]): Promise<number> {
  const { node } = env;
  const reuse = account.name === env.username;
  // Curl lines show where the account's password comes from, never the password.
  const passwordPlaceholder = account.passwordSource.startsWith('file ')
    ? `$(head -n1 ${shellQuote(account.passwordSource.slice(5))})`
    : `$${account.passwordSource}`;
  const client = reuse ? env.mainSession(account.name) : env.openSession(account, passwordPlaceholder);
  /** The main session (the account's own when it is `--username`). */
  const main = reuse ? client : env.mainSession();
  const who = `user ${account.name}`;
  const pseudo = (op: OperationModel, path: string): Exchange => ({
    node,
    target: 'live',
    op,
    probe: ACCESS.kind,
    method: op.method,
    path,
    curl: '',
    user: account.name,
  });
  const row = (ex: Exchange, outcome: Outcome, message: string, first = false): void => {
    // A denied operation that was allowed comes before everything else in the report.
    env.row(ex, resultFor(ex, check, outcome, message), first);
  };
  const cell = (p: Planned, c: AccessCell): void => {
    // What the cell proves: a 2xx proves the account may, a 401/403 that it may not; anything else proves nothing.
    const proof = c.seen === 'allowed' ? 'proven allowed' : c.seen === 'denied' ? 'proven denied' : 'not tried';
    p.row.nodes[node] = { ...c, proof };
  };
  /** `why`: a few words for the matrix cell; `message`: the row's full reason. */
  const notSent = (p: Planned, message: string, path = p.op.path, why = shortWhy(message)): void => {
    cell(p, { seen: 'not sent', outcome: 'skipped', why });
    row(pseudo(p.op, path), 'skipped', `${who}: ${message}`);
  };
  const send = (
    op: OperationModel,
    path: string,
    extra: SendExtra & { auth?: 'basic' } = {},
    via: AccountSession = client,
    ignoreAbort = false,
  ): Promise<Exchange | undefined> => {
    const { auth = 'session', ...body } = extra;
    return via.send(op, ACCESS.kind, path, auth, body, { ignoreAbort });
  };
  try {
    if (!reuse) {
      const loginOp = env.model.operations.find((o) => o.operationId === 'logIn') ?? env.model.operations.find((o) => o.security === 'basicAuth');
      const login = loginOp ? await send(loginOp, loginOp.path, { auth: 'basic' }) : undefined;
      if (!loginOp || !login?.response || !isSuccess(login.response.status) || !client.adoptSession(login.response.setCookies)) {
        const why = !loginOp
          ? 'the spec documents no login operation'
          : login
            ? `${loginOp.method} ${loginOp.path} answered ${describeAnswer(login)}`
            : `node ${node} was given up`;
        if (login) row(login, 'failed', `${who} (password from ${account.passwordSource}) could not log in on node ${node}: ${why}`);
        for (const p of planned) notSent(p, `not checked: the account could not log in on node ${node}`);
        return client.requests;
      }
    }
    let wrote = false;
    for (const p of planned) {
      if (client.givenUp() || env.givenUp()) {
        notSent(p, `not sent: node ${node} was given up`);
        continue;
      }
      if (p.row.expected === 'denied' && p.op.security === 'none') {
        notSent(p, `not checked: ${p.op.operationId} needs no session (security: [] first), so no account can be denied it`);
        continue;
      }
      const role = env.roles.get(p.op);
      if (role === 'read') {
        const path = p.op.pathParams.length > 0 ? env.concrete.get(p.op) : p.op.path;
        if (!path) notSent(p, 'not sent: the main run found no object for its path parameters');
        else judge(p, await send(p.op, path), path);
        continue;
      }
      const never = role === undefined ? 'not a known operation' : notSentReason(role, true);
      if (never) {
        notSent(p, never.replace(/^never sent to a target/, 'never sent, for an account either'));
        continue;
      }
      if (!env.allowWrites) {
        notSent(p, `not sent: read-only run: the probe of ${p.row.expected === 'allowed' ? 'an allowed' : 'a denied'} write needs --allow-writes`);
        continue;
      }
      if (env.lockedAtStart || env.transactionAtStart !== 'closed') {
        notSent(p, `not sent: the transaction status of node ${node} was not "closed" at the start, so another session may hold the configuration lock`);
        continue;
      }
      wrote = true;
      // Allowed or denied, the write is tried the same way: as the account, inside its own
      // transaction, with the value just read, and always rolled back.
      await tryWrite(p);
    }
    // The account must not leave a transaction behind.
    if (wrote && env.getTx) {
      const mine = await send(env.getTx, env.getTx.path);
      const state = transactionState(mine?.response?.json) ?? transactionState((await send(env.getTx, env.getTx.path, {}, main))?.response?.json);
      const ex = mine ?? pseudo(env.getTx, env.getTx.path);
      if (state === 'closed') row(ex, 'passed', `${who}: after its write probes no transaction is left open on node ${node}`);
      else row(ex, 'failed', `${who}: after its write probes the transaction is ${state ?? 'in an unknown state'} on node ${node}: it may be left open`);
    }
  } finally {
    if (!reuse) await client.close();
  }
  return reuse ? 0 : client.requests;

  /** Compares what came back with what the roles file expects. */
  function judge(p: Planned, ex: Exchange | undefined, path: string, whatSent?: string): void {
    const op = p.op;
    const what = whatSent ?? `${op.method} ${op.path} (${op.operationId}, ${p.row.rule})`;
    if (!ex?.response) {
      cell(p, { seen: 'no answer', outcome: 'skipped', why: 'no answer' });
      row(ex ?? pseudo(op, path), 'skipped', `${who}: ${what}: no answer from node ${node}${ex ? ` (${describeAnswer(ex)})` : ''}`);
      return;
    }
    const status = ex.response.status;
    const type = errorTypeOf(ex.response.json);
    const seen: AccessCell['seen'] = isSuccess(status) ? 'allowed' : status === 401 || status === 403 ? 'denied' : 'other';
    const set = (outcome: Outcome): void => cell(p, { seen, status, outcome });
    if (p.row.expected === 'allowed') {
      if (seen === 'denied') {
        set('failed');
        row(ex, 'failed', `${who} may use ${what}, but node ${node} refused it: ${describeAnswer(ex)}`);
      } else {
        set('passed');
        row(ex, 'passed', `${who}: ${what}: allowed as expected (${status})`);
      }
      return;
    }
    if (seen === 'allowed') {
      set('failed');
      row(ex, 'failed', `DENIED OPERATION ALLOWED: ${who} may not use ${what}, but node ${node} answered ${describeAnswer(ex)}`, true);
      return;
    }
    const documented401 = status === 401 && op.responses.some((r) => r.status === '401') && type !== 'Unauthenticated';
    if ((status === 403 && type === 'Unauthorized') || documented401) {
      set('passed');
      row(ex, 'passed', `${who}: ${what}: denied as expected (${status} ${String(type)})`);
    } else if (status === 409 || type === 'ConfigurationLocked') {
      cell(p, { seen: 'other', status, outcome: 'skipped', why: 'configuration locked' });
      row(ex, 'skipped', `${who}: ${what}: not judged: node ${node} answered ${describeAnswer(ex)} (the configuration is locked by another session)`);
    } else {
      set('failed');
      row(ex, 'failed', `${who} may not use ${what}: node ${node} answered ${describeAnswer(ex)}, expected the documented 403 Unauthorized`);
    }
  }

  /**
   * A write as the account (allowed: proves it may; denied: proves it may not), sent so that
   * nothing can change even if it is accepted: the same cycle as `write_roundtrip`.
   */
  async function tryWrite(p: Planned): Promise<void> {
    const openOp = env.findOp('POST', '/api/transaction');
    const rollbackOp = env.findOp('DELETE', '/api/transaction');
    if (!openOp || !rollbackOp) return notSent(p, 'not sent: the spec documents no POST/DELETE /api/transaction to roll back with');
    const role = env.roles.get(p.op);
    if (role === 'transaction-rollback')
      return notSent(p, 'not sent on its own: a rollback is only sent to end a transaction the account itself may have opened');
    let mayBeOpen = false;
    try {
      if (role === 'transaction-open') {
        // The open itself; accepted, it is rolled back at once.
        const open = await send(openOp, openOp.path, { emptyBody: true });
        mayBeOpen = !open?.response || isSuccess(open.response.status);
        return judge(p, open, openOp.path);
      }
      const getOp = env.findOp('GET', p.op.path);
      const path = p.op.pathParams.length > 0 ? (getOp ? env.concrete.get(getOp) : undefined) : p.op.path;
      if (!getOp || !path) return notSent(p, 'not sent: no object to read first');
      // In a transaction of the account: a PUT it wrongly accepts stays staged and is rolled back.
      const open = await send(openOp, openOp.path, { emptyBody: true });
      if (open?.response?.status === 409 || errorTypeOf(open?.response?.json) === 'ConfigurationLocked') {
        return notSent(
          p,
          `not sent: POST /api/transaction answered ${open ? describeAnswer(open) : 'nothing'}: the configuration is locked by another session, whose transaction is left alone`,
          path,
        );
      }
      if (p.row.expected === 'allowed' && (open?.response?.status === 401 || open?.response?.status === 403)) {
        // The account may write here but may not even open its transaction: that refusal is the proof.
        return judge(p, open, path, `${p.op.method} ${p.op.path} (${p.op.operationId}, ${p.row.rule}): its own transaction (POST /api/transaction)`);
      }
      mayBeOpen = !open?.response || isSuccess(open.response.status);
      // The current value: as the account, else with the main session.
      let before = await send(getOp, path);
      if (!isSuccess(before?.response?.status)) before = await send(getOp, path, {}, main);
      const current = isObject(before?.response?.json) ? before.response.json.body : undefined;
      if (current === undefined) return notSent(p, 'not sent: the current value could not be read', path);
      const prepared = sameValueRequestBody(env.model, env.validator, p.op, current);
      if (!prepared.ok) return notSent(p, `not sent: ${prepared.reason}`, path);
      const put = await send(p.op, path, { body: prepared.body });
      if (!put?.response || isSuccess(put.response.status)) mayBeOpen = true; // an implicit transaction
      judge(p, put, path);
    } finally {
      if (mayBeOpen) {
        // Sent even after an abort: this is the cleanup the abort waits for.
        const ex = await send(rollbackOp, rollbackOp.path, {}, client, true);
        if (ex) {
          const ok = isSuccess(ex.response?.status);
          row(
            ex,
            ok ? 'passed' : 'failed',
            ok
              ? `${who}: transaction rolled back`
              : `ROLLBACK FAILED on node ${node}: DELETE /api/transaction as ${who} got ${describeAnswer(ex)}; a transaction may be left open`,
          );
        }
      }
    }
  }
}
