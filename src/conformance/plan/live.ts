/**
 * The live plan, per node: one login, the transaction state first, the reads (ids for
 * parameterised paths taken from the listing one level up), the probes of the selected checks,
 * a row for every operation that is not sent, then the checks' own request sequences (`live`,
 * the write cycle). Read-only unless writes are allowed.
 */
import { isObject } from '../../shared/index.js';
import { fillPath, type OperationModel } from '../../model/operations.js';
import { coerceVersion, notDocumentedReason, satisfiesRange } from '../../model/versions.js';
import { probeOwner } from '../checks/index.js';
import { describeAnswer, errorTypeOf, isSuccess, transactionState } from '../checks/util.js';
import { isBuiltInKey } from '../collection-writes.js';
import { CannotRunError } from '../cannot-run.js';
import { runLimited } from '../limit.js';
import { AbortedError, type NodeSession } from '../node-session.js';
import type { TargetInfo } from '../report/report.js';
import type { RunResources } from '../run-resources.js';
import type { AccountSession, Exchange, LiveNode, OperationRole as Role, SendExtra } from '../check-api.js';
import type { AuthMode, ProbeKind } from '../check-api.js';
import { notSentReason, operationRole, type OperationRole } from '../write-safety.js';
import { madeUpId, type RunContext } from './context.js';
import { NORMAL, WRITE } from '../check-api.js';

/** Like Promise.all, but waits for every promise to settle before rethrowing the first error. */
async function settleAll<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function loginOperation(run: RunContext): OperationModel | undefined {
  return run.model.operations.find((o) => o.operationId === 'logIn') ?? run.model.operations.find((o) => o.security === 'basicAuth');
}

/**
 * Each node on its own, in parallel: the login, then its plan. A node that cannot be logged in
 * to is reported (`unusable`, its checks "not checked") and the others are still checked; only
 * when no node can be used is the run impossible (exit 2 with the first reason). Every node
 * finishes (and rolls back) before this returns.
 */
export async function runLiveTargets(run: RunContext, resources: RunResources): Promise<void> {
  const { options } = run;
  const clients: NodeSession[] = [];
  for (const url of options.urls) {
    const host = new URL(url).host;
    const label = options.urls.filter((u) => new URL(u).host === host).length > 1 ? url : host;
    const target: TargetInfo = {
      node: label,
      url,
      kind: 'live',
      loggedIn: false,
      transactionAtStart: 'unknown',
      version: 'unknown',
      writes: options.allowWrites ? 'pending' : 'not requested (read-only run)',
      requests: 0,
      notes: [],
    };
    clients.push(resources.openSession({ label, baseUrl: url, target: 'live', sessionCookieName: run.check.sessionCookieName }, { target }));
    run.report.targets.push(target);
  }
  const problems = await settleAll(
    clients.map(async (c, i) => {
      const problem = await login(run, c, i);
      const target = run.report.targets[i]!;
      if (problem) {
        target.unusable = problem;
        if (options.allowWrites) target.writes = 'not done: the node could not be used';
        if (clients.length > 1) run.progress(c, 'login', `${problem}: its checks are not run; the other nodes go on`);
        return problem;
      }
      await runLiveNode(run, resources, c, i);
      return undefined;
    }),
  );
  if (problems.every((p) => p !== undefined)) throw new CannotRunError(problems[0]!);
}

async function login(run: RunContext, client: NodeSession, nodeIndex: number): Promise<string | undefined> {
  const op = loginOperation(run);
  if (!op) return 'the spec documents no login operation (an operation secured by HTTP Basic)';
  const ex = await client.send({ op, probe: 'normal', path: op.path, auth: 'basic' });
  if (run.selection.includesOperation(op)) run.record(nodeIndex, ex);
  else run.observe(ex);
  const node = client.label;
  if (!ex.response) {
    const kind = ex.error?.kind;
    const what = kind === 'tls' ? 'TLS failure' : kind === 'timeout' ? 'no answer in time' : kind === 'dns' ? 'unknown host' : 'unreachable';
    return `node ${node}: ${what}: ${ex.error?.message ?? 'no answer'}${kind === 'tls' ? ' (use --ca FILE, or --insecure)' : ''}`;
  }
  const status = ex.response.status;
  if (status === 401 && errorTypeOf(ex.response.json) === 'Unauthenticated') {
    // A login that reached the API answers AuthenticationFailure to wrong credentials.
    return `node ${node}: ${op.method} ${client.baseUrl}${op.path} answered ${describeAnswer(ex)}, not AuthenticationFailure: the URL probably does not point at the API root (give the appliance's address, e.g. https://sps.example.com, without a path)`;
  }
  if (status === 401) return `node ${node}: wrong credentials: ${op.method} ${op.path} answered ${describeAnswer(ex)}`;
  if (status === 403) return `node ${node}: the user may not use the REST API: ${op.method} ${op.path} answered ${describeAnswer(ex)}`;
  if (!isSuccess(status) || !client.adoptSession(ex.response.setCookies)) {
    return `node ${node}: not an SPS REST API? ${op.method} ${op.path} answered ${describeAnswer(ex)}${isSuccess(status) ? ` without a ${run.check.sessionCookieName} cookie` : ''}`;
  }
  run.report.targets[nodeIndex]!.loggedIn = true;
  await readVersion(run, client, nodeIndex);
  return undefined;
}

/** `GET /api/info` with the session, right after the login: the node's version ('unknown' when the spec lacks it or it fails). */
export const infoOperation = (run: RunContext): OperationModel | undefined => run.model.operations.find((o) => o.method === 'GET' && o.path === '/api/info');

async function readVersion(run: RunContext, client: NodeSession, nodeIndex: number): Promise<void> {
  const op = infoOperation(run);
  if (!op) return;
  const ex = await client.send({ op, probe: 'normal', path: op.path, auth: 'session' });
  if (run.selection.includesOperation(op)) run.record(nodeIndex, ex);
  else run.observe(ex);
  const body = isObject(ex.response?.json) ? ex.response.json.body : undefined;
  if (ex.response?.status === 200 && isObject(body) && typeof body.firmware_version === 'string')
    run.report.targets[nodeIndex]!.version = body.firmware_version;
}

async function runLiveNode(run: RunContext, resources: RunResources, client: NodeSession, nodeIndex: number): Promise<void> {
  const { model, options, selection } = run;
  const target = run.report.targets[nodeIndex]!;
  const node = client.label;
  const findOp = (method: string, path: string): OperationModel | undefined => model.operations.find((o) => o.method === method && o.path === path);
  const roles = new Map<OperationModel, OperationRole>(model.operations.map((o) => [o, operationRole(o, model.operations)]));
  // The node's version (read from /api/info at the login) decides which operations it has.
  const version = coerceVersion(target.version) !== undefined ? target.version : undefined;
  if (version === undefined) {
    target.notes.push('SPS version unknown: every operation is checked, whatever its x-sps-versions');
  } else {
    for (const o of model.operations) if (!satisfiesRange(o.versions, version)) roles.set(o, 'not-in-version');
    run.setNodeVersion(nodeIndex, version);
  }
  /** 200 answers of GETs by concrete path: where ids for parameterised paths come from. */
  const answers = new Map<string, unknown>();
  const send: LiveNode['send'] = async (op, probe, path, auth, extra = {}) => {
    if (client.deadReason) {
      run.skipRow(nodeIndex, node, op, probe, probeOwner(probe), path, `not sent: node ${node} was given up: ${client.deadReason}`);
      return undefined;
    }
    const ex: Exchange = await client.send({ op, probe, path, auth, ...extra });
    run.tick(client);
    if (selection.includesOperation(op) || probe === WRITE.kind) run.record(nodeIndex, ex);
    else run.observe(ex);
    if (ex.response?.status === 200 && op.method === 'GET') answers.set(path, ex.response.json);
    if (client.deadReason && !target.notes.some((n) => n.startsWith('given up'))) {
      target.notes.push(`given up: ${client.deadReason}`);
      run.progress(client, 'given up', `node ${node} given up: ${client.deadReason}`);
    }
    return ex;
  };

  // 1. The transaction state comes first: an open transaction means someone holds the lock.
  const getTx = findOp('GET', '/api/transaction');
  client.planned = plannedRequests(run, client, roles, getTx);
  let lockedAtStart = false;
  if (getTx) {
    run.progress(client, 'transaction status');
    const ex = await send(getTx, 'normal', getTx.path, 'session');
    const state = transactionState(ex?.response?.json);
    target.transactionAtStart = state ?? 'unknown';
    if (state === 'open') {
      lockedAtStart = true;
      target.notes.push('a transaction was already open (configuration lock held): no writes, the transaction was not touched');
      run.progress(
        client,
        'transaction status',
        `node ${node}: a transaction is already open (someone holds the configuration lock); writes are skipped and it is left alone`,
      );
    }
  }

  // 2. Reads without parameters, then the parameterised ones with ids found in the listings.
  const reads = run.ops.filter((o) => roles.get(o) === 'read' && o !== getTx);
  const plain = reads.filter((o) => o.pathParams.length === 0 && o !== infoOperation(run)); // /api/info was read at the login
  const withParams = reads.filter((o) => o.pathParams.length > 0).sort((a, b) => a.pathParams.length - b.pathParams.length);
  run.progress(client, 'reads');
  await runLimited(
    options.concurrency,
    plain.map((op) => async () => {
      await send(op, 'normal', op.path, 'session');
      run.progress(client, 'reads');
    }),
  );
  const concrete = new Map<OperationModel, string | undefined>();
  for (const op of withParams) {
    const values: Record<string, string> = {};
    let missing: string | undefined;
    for (const p of op.pathParams) {
      const listingPath = fillPath(op.path.slice(0, op.path.indexOf(`{${p.name}}`)).replace(/\/$/, ''), values);
      const listing = answers.get(listingPath);
      const items = isObject(listing) && Array.isArray(listing.items) ? listing.items : undefined;
      // An object that is not built-in (negative key) where there is one: the write cycle may change it.
      const keys = items?.map((it) => (isObject(it) ? it.key : undefined)).filter((k): k is string => typeof k === 'string');
      const key = keys?.find((k) => !isBuiltInKey(k)) ?? keys?.[0];
      if (key === undefined) {
        missing = items ? `${listingPath} lists no objects` : `no listing of ${listingPath} to take a ${p.name} from`;
        break;
      }
      values[p.name] = key;
    }
    concrete.set(op, missing ? undefined : fillPath(op.path, values));
    if (missing) {
      client.planned--;
      run.skipRow(nodeIndex, node, op, 'normal', probeOwner(NORMAL.kind), op.path, `not read: ${missing}`);
    }
  }
  await runLimited(
    options.concurrency,
    withParams
      .filter((op) => concrete.get(op))
      .map((op) => async () => {
        await send(op, 'normal', concrete.get(op)!, 'session');
        run.progress(client, 'reads');
      }),
  );

  // 3. The probes of the selected checks, for the reads and the login they apply to.
  const loginOp = loginOperation(run);
  const probeOps = [...reads, ...(loginOp && selection.includesOperation(loginOp) ? [loginOp] : [])];
  const probes: Array<() => Promise<void>> = [];
  for (const op of probeOps) {
    const known = concrete.get(op);
    let madeUpPath: string | undefined;
    if (op.pathParams.length > 0) {
      const values: Record<string, string> = {};
      const knownValues = known ? known.split('/') : [];
      const templateParts = op.path.split('/');
      for (const p of op.pathParams) {
        const idx = templateParts.indexOf(`{${p.name}}`);
        values[p.name] = madeUpId(run, p, idx >= 0 ? knownValues[idx] : undefined);
      }
      madeUpPath = fillPath(op.path, values);
    }
    for (const probe of run.probes) {
      if (!probe.appliesTo?.(op)) continue;
      const path = probe.path === 'made-up' ? madeUpPath : (known ?? madeUpPath ?? op.path);
      if (path !== undefined) probes.push(async () => void (await send(op, probe.kind, path, probe.auth ?? 'session')));
    }
  }
  run.progress(client, 'probes');
  await runLimited(
    options.concurrency,
    probes.map((p) => async () => {
      await p();
      run.progress(client, 'probes');
    }),
  );

  // 4. Operations that are not sent, with the reason.
  for (const op of run.ops) {
    const role = roles.get(op)!;
    const reason =
      role === 'not-in-version' && version !== undefined ? notDocumentedReason(op.versions ?? '', version) : notSentReason(role, options.allowWrites, op);
    if (reason) run.skipRow(nodeIndex, node, op, 'normal', probeOwner(NORMAL.kind), op.path, reason);
  }

  // 5. The checks' own request sequences (the write cycle), one after the other.
  const live = liveNode(run, resources, client, nodeIndex, { send, concrete, roles, getTx, lockedAtStart, findOp });
  try {
    for (const c of run.checks) if (c.live) await c.live(live);
  } catch (err) {
    if (err instanceof AbortedError && target.writes === 'pending') target.writes = 'stopped before the writes were done';
    throw err;
  } finally {
    if (client.txState === 'rollback failed')
      target.writes = `${target.writes.replace(/, all rolled back$/, '')}; the rollback FAILED: a transaction of this run may be left open`;
    if (/locked by another session/.test(target.writes) && target.transactionAtStart === 'closed') {
      // SPS may tell a session only about its own transaction: the lock showed on the open.
      target.transactionAtStart = 'locked by another session';
    }
  }
  if (target.writes === 'pending')
    target.writes = run.selection.includesCheck('write_roundtrip') ? 'not done: the node was given up' : 'skipped (write_roundtrip not selected)';
}

/**
 * What the plan means to send to one node, known before the first read: the login, the
 * transaction state, the reads, each probe for the operations it applies to, and what the
 * selected checks' own sequences plan (`livePlanned`). Lowered while running when a read has
 * no id to use or a write cycle ends early, so that "done of planned" stays honest.
 */
function plannedRequests(run: RunContext, client: NodeSession, roles: ReadonlyMap<OperationModel, OperationRole>, getTx: OperationModel | undefined): number {
  const reads = run.ops.filter((o) => roles.get(o) === 'read' && o !== getTx);
  const loginOp = loginOperation(run);
  const probeOps = [...reads, ...(loginOp && run.selection.includesOperation(loginOp) ? [loginOp] : [])];
  let probes = 0;
  for (const op of probeOps) {
    for (const probe of run.probes) if (probe.appliesTo?.(op) && !(probe.path === 'made-up' && op.pathParams.length === 0)) probes++;
  }
  const plan = { model: run.model, allowWrites: run.options.allowWrites, ops: run.ops, roles };
  const own = run.checks.reduce((sum, c) => sum + (c.livePlanned?.(plan) ?? 0), 0);
  return client.requests + (getTx ? 1 : 0) + reads.length + probes + own;
}

/** What the planner found on a node before the sequences run. */
interface NodeFindings {
  send: LiveNode['send'];
  concrete: ReadonlyMap<OperationModel, string | undefined>;
  roles: ReadonlyMap<OperationModel, Role>;
  getTx: OperationModel | undefined;
  lockedAtStart: boolean;
  findOp(method: string, path: string): OperationModel | undefined;
}

/** Per-run state of the sequences ({@link LiveNode.perRun}), one map per run. */
const perRunState = new WeakMap<RunContext, Map<string, unknown>>();

/** The narrow handle a check's live sequence gets for one node (check-api.ts {@link LiveNode}). */
function liveNode(run: RunContext, resources: RunResources, client: NodeSession, nodeIndex: number, found: NodeFindings): LiveNode {
  const target = run.report.targets[nodeIndex]!;
  const node = client.label;
  return {
    node,
    get version() {
      return target.version ?? 'unknown';
    },
    model: run.model,
    validator: run.validator,
    allowWrites: run.options.allowWrites,
    username: run.options.username,
    accounts: run.options.roles,
    ops: run.ops,
    isSelected: (op) => run.selection.includesOperation(op),
    roles: found.roles,
    concrete: found.concrete,
    getTx: found.getTx,
    lockedAtStart: found.lockedAtStart,
    get transactionAtStart() {
      return target.transactionAtStart;
    },
    findOp: found.findOp,
    givenUp: () => client.deadReason,
    stopped: () => run.signal?.aborted === true,
    send: found.send,
    async sendCleanup(op, probe, path) {
      const ex = await client.send({ op, probe, path, auth: 'session' }, { ignoreAbort: true });
      run.record(nodeIndex, ex);
      run.tick(client);
      return ex;
    },
    openSession(account, passwordPlaceholder) {
      const session = resources.openSession(
        { label: node, baseUrl: client.baseUrl, target: 'live', sessionCookieName: run.check.sessionCookieName, passwordPlaceholder },
        { account: { username: account.name, password: account.password } },
      );
      return accountSession(run, nodeIndex, session, account.name, true);
    },
    mainSession(user) {
      return accountSession(run, nodeIndex, client, user, false);
    },
    row(ex, result, first = false) {
      // A first row (a denied operation that was allowed) comes before everything else in the report.
      run.push(result, first ? [-1, nodeIndex, run.rank(nodeIndex, ex)[2]!] : run.rank(nodeIndex, ex));
    },
    skip(op, probe, check, path, message, outcome) {
      run.skipRow(nodeIndex, node, op, probe, check, path, message, outcome);
    },
    progress(phase, notice) {
      run.progress(client, phase, notice);
    },
    unplan(count = 1) {
      client.planned -= count;
    },
    note(text) {
      target.notes.push(text);
    },
    get notes() {
      return target.notes;
    },
    get writes() {
      return target.writes;
    },
    set writes(text: string) {
      target.writes = text;
    },
    addAccessRow(row) {
      (run.report.access ??= []).push(row);
    },
    perRun<T>(key: string, make: () => T): T {
      let state = perRunState.get(run);
      if (!state) perRunState.set(run, (state = new Map()));
      if (!state.has(key)) state.set(key, make());
      return state.get(key) as T;
    },
  };
}

/** A session on a node as `access_control` uses it: its requests recorded (as `user`'s, when given). */
function accountSession(run: RunContext, nodeIndex: number, session: NodeSession, user: string | undefined, owned: boolean): AccountSession {
  return {
    async send(op: OperationModel, probe: ProbeKind, path: string, auth: AuthMode, extra: SendExtra = {}, opts: { ignoreAbort?: boolean } = {}) {
      if (session.deadReason) return undefined;
      const ex = await session.send({ op, probe, path, auth, ...extra }, { ignoreAbort: opts.ignoreAbort === true });
      if (user !== undefined) ex.user = user;
      if (run.selection.includesOperation(op)) run.record(nodeIndex, ex);
      else run.observe(ex);
      return ex;
    },
    givenUp: () => session.deadReason,
    adoptSession: (setCookies) => session.adoptSession([...setCookies]),
    get requests() {
      return session.requests;
    },
    close: async () => {
      if (owned) await session.close();
    },
  };
}
