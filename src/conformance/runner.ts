/**
 * The conformance runner: plans the requests for each target from the operation model, sends
 * them (a small number at a time per node), runs the checks on every recorded exchange and
 * collects one report.
 *
 * - Mock (no URL): starts Prism on the spec and asks it for every documented (operation,
 *   status, example) with `Prefer:`; checks that cannot mean anything against Prism are
 *   reported as skipped for the mock, with the reason.
 * - Live (one or more URLs): logs in once per node and reuses the session; read-only unless
 *   writes are allowed, and then only "PUT the same value back" inside a transaction that is
 *   always rolled back. Cluster-membership operations and commits are never sent.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SecretRegistry } from '../redact.js';
import {
  DEFAULT_SPEC_FILE,
  fillPath,
  loadSpec,
  SpecLoadError,
  type OperationModel,
  type ParameterModel,
  type SpecModel,
} from '../spec/model.js';
import { createValidator } from '../spec/validate.js';
import { EXCHANGE_CHECKS } from './checks/index.js';
import { errorTypeOf, isObject } from './checks/util.js';
import { CannotRunError, UsageError } from './errors.js';
import { availableParallelism } from 'node:os';
import { runLimited } from './limit.js';
import { AbortedError, NodeClient, type AuthMode } from './node-client.js';
import { PrismStartError, startPrism, type PrismHandle } from './prism.js';
import { buildSelection } from './selection.js';
import {
  CHECK_NAMES,
  resultFor,
  type CheckContext,
  type CheckName,
  type CheckResult,
  type Exchange,
  type Outcome,
  type ProbeKind,
  type TargetKind,
} from './types.js';
import { notSentReason, operationRole, sameValue, sameValueRequestBody, type OperationRole } from './writes.js';

export interface ConformanceOptions {
  /** OpenAPI document (JSON or YAML). Default: the bundled `generated/sps-api.json`. */
  specFile?: string;
  /** One URL per node; none: run against a Prism mock of the spec. */
  urls?: string[];
  /** Against the mock: use this already running `prism mock` of the same spec instead of starting one. */
  mockUrl?: string;
  /** Prism instances to start when no mockUrl is given (default 1, at most one per CPU). */
  mockInstances?: number;
  username?: string;
  password?: string;
  /** PEM file with the CA certificate(s) to trust. */
  caFile?: string;
  /** Skip TLS certificate verification (explicit opt-in). */
  insecure?: boolean;
  /** Per-request timeout (default 10 000 ms). */
  timeoutMs?: number;
  /** Requests in flight per node (default 2). */
  concurrency?: number;
  only?: string[];
  skip?: string[];
  /** Drift warnings become failures. */
  strict?: boolean;
  allowWrites?: boolean;
  /** Aborting (SIGINT/SIGTERM) stops sending, rolls back an open transaction and stops Prism. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Registry of secrets to redact; the runner adds the password and session ids to it. */
  secrets?: SecretRegistry;
  userAgent?: string;
}

export interface ProgressEvent {
  node: string;
  phase: string;
  /** Requests sent to this node so far. */
  requests: number;
  /** Failed checks so far (all nodes). */
  failed: number;
  /** A notice worth a line of its own (a lock found, a rollback, a node given up). */
  notice?: string;
}

export interface TargetInfo {
  node: string;
  url: string;
  kind: TargetKind;
  loggedIn: boolean;
  /** Transaction state read first thing after the login. */
  transactionAtStart: 'open' | 'closed' | 'unknown' | 'n/a';
  writes: string;
  requests: number;
  notes: string[];
}

export interface CoverageCell {
  status: string;
  exercised: boolean;
  /** The status is not a concrete code (`default`, `4XX`): not counted. */
  countable: boolean;
}

export interface CoverageRow {
  operationId: string;
  method: string;
  path: string;
  cells: CoverageCell[];
}

export interface Coverage {
  rows: CoverageRow[];
  exercised: number;
  total: number;
  percent: number;
}

export type MatrixCell = Outcome | 'none';

export interface ConformanceReport {
  summary: { passed: number; failed: number; warnings: number; skipped: number };
  targets: TargetInfo[];
  results: CheckResult[];
  coverage: Coverage;
  /** node -> check -> worst outcome. */
  matrix: Record<string, Record<string, MatrixCell>>;
  spec: { file: string; title: string; version: string };
  startedAt: string;
  durationMs: number;
  exitCode: 0 | 1 | 2 | 130 | 143;
  /** Why the run could not be done (exit 2). */
  fatal?: string;
  /** The signal that stopped the run. */
  aborted?: string;
}

export const DEFAULTS = { timeoutMs: 10_000, concurrency: 2 } as const;

const MOCK_REASON = {
  made_up_session: 'skipped for the mock: Prism only checks that a session cookie is present, not its value',
  auth_failure: 'skipped for the mock: Prism does not check credentials, so a wrong password cannot fail',
  not_found: 'skipped for the mock: Prism keeps no state and answers any id that fits the parameter schema',
} as const;

const PROBE_ORDER: Record<ProbeKind, number> = {
  normal: 0,
  no_session: 1,
  made_up_session: 2,
  wrong_password: 3,
  not_found: 4,
  write: 5,
};

interface Ranked {
  result: CheckResult;
  key: number[];
}

/** Normalises a target URL to an origin plus base path, without the trailing `/api`. */
export function normaliseBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(raw)} is not a URL (expected https://host[:port])`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`--url ${raw}: only http and https are supported`);
  if (u.username || u.password) throw new UsageError('--url must not carry credentials; use --username and SPS_PASSWORD or --password-file');
  const path = u.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

function isSuccess(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 300;
}

function describeAnswer(ex: Exchange): string {
  if (!ex.response) return ex.error ? `no answer (${ex.error.message})` : 'no answer';
  const ct = (ex.response.headers['content-type'] ?? 'no content type').split(';')[0];
  const type = errorTypeOf(ex.response.json);
  return `${ex.response.status} ${ct}${typeof type === 'string' ? ` ${type}` : ''}`;
}

/** Made-up object ids to try, first one that fits the parameter schema wins. */
function madeUpIdCandidates(param: ParameterModel, known: string | undefined): string[] {
  const out: string[] = [];
  const schema = isObject(param.schema) ? param.schema : {};
  if (schema.format === 'uuid') out.push(randomUUID());
  const base = known ?? (typeof param.example === 'string' ? param.example : undefined);
  if (base !== undefined) {
    const m = /^(.*?)(\d+)$/.exec(base);
    if (m) out.push(`${m[1]}${'9'.repeat(Math.max(4, m[2]!.length))}`);
  }
  out.push('sps-conformance-no-such-object', '999999999', randomUUID());
  if (base !== undefined && base.length > 0) out.push(`${base.slice(0, -1)}${base.endsWith('f') ? 'e' : 'f'}`);
  return out;
}

export async function runConformance(options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  const secrets = options.secrets ?? new SecretRegistry();
  if (options.password !== undefined && options.username !== undefined) secrets.addBasicCredentials(options.username, options.password, 'password');
  else secrets.add(options.password, 'password');
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError('--timeout-ms must be a positive integer');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new UsageError('--concurrency must be an integer from 1 to 16');
  const urls = options.urls ?? [];
  const live = urls.length > 0;
  const baseUrls = urls.map(normaliseBaseUrl);
  if (live && !options.username) throw new UsageError('a live run needs --username (or SPS_USERNAME)');
  if (live && (options.password === undefined || options.password === '')) {
    throw new UsageError('a live run needs a password: set SPS_PASSWORD or pass --password-file FILE');
  }
  if (!live && options.allowWrites) throw new UsageError('--allow-writes needs --url: the mock keeps no state to write to');
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile);
    } catch (err) {
      throw new UsageError(`--ca ${options.caFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  const specFile = options.specFile ?? DEFAULT_SPEC_FILE;

  const report: ConformanceReport = {
    summary: { passed: 0, failed: 0, warnings: 0, skipped: 0 },
    targets: [],
    results: [],
    coverage: { rows: [], exercised: 0, total: 0, percent: 0 },
    matrix: {},
    spec: { file: specFile, title: '', version: '' },
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    exitCode: 0,
  };

  let model: SpecModel;
  try {
    model = loadSpec(specFile);
  } catch (err) {
    if (err instanceof SpecLoadError) {
      const hint = specFile === DEFAULT_SPEC_FILE ? ' (run `npm run generate` to build it)' : '';
      return finish(report, [], [], started, `${err.message}${hint}`);
    }
    throw err;
  }
  report.spec = { file: specFile, title: model.title, version: model.version };
  const selection = buildSelection(model, options.only, options.skip);
  const validator = createValidator(model);
  const sessionCookieName = model.operations.find((o) => o.sessionCookieName)?.sessionCookieName ?? 'session_id';
  const ctx: CheckContext = { model, validator, target: live ? 'live' : 'mock', strict: options.strict === true, sessionCookieName };
  const opIndex = new Map(model.operations.map((o, i) => [o, i]));
  const ops = model.operations.filter((o) => selection.includesOperation(o));

  const ranked: Ranked[] = [];
  const exchanges: Exchange[] = [];
  let failedSoFar = 0;
  let writeSeq = 0;

  const rank = (nodeIndex: number, ex: { op: OperationModel; probe: ProbeKind; requestedStatus?: number; exampleName?: string }): number[] => [
    nodeIndex,
    ex.probe === 'write' ? 1 : 0,
    ex.probe === 'write' ? writeSeq++ : (opIndex.get(ex.op) ?? 0),
    PROBE_ORDER[ex.probe],
    ex.requestedStatus ?? 0,
  ];
  const push = (result: CheckResult, key: number[]): void => {
    if (!selection.includesCheck(result.check)) return;
    const safe: CheckResult = {
      ...result,
      message: secrets.redact(result.message),
      curl: secrets.redact(result.curl),
      path: secrets.redact(result.path),
    };
    if (safe.outcome === 'failed') failedSoFar++;
    ranked.push({ result: safe, key: [...key, CHECK_NAMES.indexOf(result.check)] });
  };
  const record = (nodeIndex: number, ex: Exchange): Exchange => {
    exchanges.push(ex);
    const key = rank(nodeIndex, ex);
    for (const check of EXCHANGE_CHECKS) for (const r of check(ctx, ex)) push(r, key);
    return ex;
  };
  const skipRow = (
    nodeIndex: number,
    node: string,
    op: OperationModel,
    probe: ProbeKind,
    check: CheckName,
    path: string,
    message: string,
    outcome: Outcome = 'skipped',
  ): void => {
    const pseudo = { node, target: ctx.target, op, probe, method: op.method, path, curl: '' } as Exchange;
    push(resultFor(pseudo, check, outcome, message), rank(nodeIndex, pseudo));
  };

  const progress = (node: NodeClient, phase: string, notice?: string): void => {
    options.onProgress?.({ node: node.label, phase, requests: node.requests, failed: failedSoFar, ...(notice ? { notice: secrets.redact(notice) } : {}) });
  };

  const clientOptions = {
    secrets,
    timeoutMs,
    userAgent: options.userAgent ?? 'sps-conformance/0.1.0',
    sessionCookieName,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(ca ? { ca } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(options.insecure ? { insecure: true } : {}),
  };

  const prisms: PrismHandle[] = [];
  const clients: NodeClient[] = [];
  let fatal: string | undefined;
  let aborted: string | undefined;
  try {
    if (!live) {
      const mockUrls: string[] = [];
      const given = options.mockUrl?.replace(/\/+$/, '');
      if (given) mockUrls.push(given);
      else {
        // Prism answers on one core and spends most of a mock run's time. Several Prisms on the
        // same spec can share the requests on a machine with spare cores; on 2 cores, where the
        // runner needs one, two instances measured slower than one (README, Measurements).
        const instances = Math.max(1, Math.min(options.mockInstances ?? 1, availableParallelism()));
        const started = await Promise.allSettled(Array.from({ length: instances }, () => startPrism(specFile)));
        for (const s of started) if (s.status === 'fulfilled') prisms.push(s.value);
        const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
        if (failed) {
          const err = failed.reason as unknown;
          if (err instanceof PrismStartError) throw new CannotRunError(`cannot start the Prism mock: ${err.message}`);
          throw err;
        }
        mockUrls.push(...prisms.map((p) => p.url));
      }
      if (options.signal?.aborted) throw new AbortedError('aborted');
      // A mock that stops answering (Prism crashed or was killed) is given up like a live node.
      const mockClients = mockUrls.map((baseUrl) => new NodeClient({ ...clientOptions, label: 'mock', baseUrl, target: 'mock', maxConsecutiveFailures: 3 }));
      clients.push(...mockClients);
      report.targets.push({ node: 'mock', url: mockUrls[0]!, kind: 'mock', loggedIn: false, transactionAtStart: 'n/a', writes: 'not applicable (mock)', requests: 0, notes: [`Prism mock of the spec${mockUrls.length > 1 ? ` (${mockUrls.length} instances sharing the requests)` : ''}`] });
      await runMock(mockClients);
      const dead = prisms.find((p) => p.exited);
      if (dead) {
        const last = dead.lastLines();
        throw new CannotRunError(`the Prism mock stopped during the run${last ? `: ${last}` : ''}`);
      }
    } else {
      for (const url of baseUrls) {
        const host = new URL(url).host;
        const label = baseUrls.filter((u) => new URL(u).host === host).length > 1 ? url : host;
        clients.push(new NodeClient({ ...clientOptions, label, baseUrl: url, target: 'live', username: options.username!, password: options.password!, maxConsecutiveFailures: 3 }));
        report.targets.push({ node: label, url, kind: 'live', loggedIn: false, transactionAtStart: 'unknown', writes: options.allowWrites ? 'pending' : 'not requested (read-only run)', requests: 0, notes: [] });
      }
      // Log in on every node first: a node that cannot be used makes the run impossible (exit 2).
      const logins = await settleAll(clients.map((c, i) => login(c, i)));
      const problem = logins.find((l) => l !== undefined);
      if (problem) throw new CannotRunError(problem);
      // Every node finishes (and rolls back) before the transports are closed, even after an abort.
      await settleAll(clients.map((c, i) => runLiveNode(c, i)));
    }
  } catch (err) {
    if (err instanceof CannotRunError) fatal = err.message;
    else if (err instanceof AbortedError || options.signal?.aborted) aborted = String(options.signal?.reason ?? 'aborted');
    else throw err;
  } finally {
    if (live) {
      clients.forEach((c, i) => {
        const t = report.targets[i];
        if (t) t.requests = c.requests;
      });
    } else if (report.targets[0]) {
      report.targets[0].requests = clients.reduce((sum, c) => sum + c.requests, 0);
    }
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(prisms.map((p) => p.close()));
  }
  if (!fatal && !aborted && options.signal?.aborted) aborted = String(options.signal.reason ?? 'aborted');
  const out = finish(report, ranked, exchanges, started, fatal, ops);
  if (aborted) {
    out.aborted = aborted;
    out.exitCode = aborted.includes('SIGTERM') ? 143 : 130;
  }
  return out;

  // ---- mock -------------------------------------------------------------------------------

  function mockPath(op: OperationModel): string {
    const values: Record<string, string> = {};
    for (const p of op.pathParams) {
      const fromExample = p.example !== undefined ? String(p.example) : undefined;
      const candidate = fromExample ?? madeUpIdCandidates(p, undefined).find((c) => !p.schemaPointer || validator.validate(p.schemaPointer, c).valid);
      values[p.name] = candidate ?? 'example';
    }
    return fillPath(op.path, values);
  }

  function authFor(op: OperationModel): AuthMode {
    if (op.security === 'basicAuth') return 'basic';
    if (op.security === 'sessionCookie') return 'session';
    return 'none';
  }

  function bodyFor(op: OperationModel): { body?: unknown; emptyBody?: boolean } {
    const rb = op.requestBody;
    if (rb) {
      const first = Object.keys(rb.examples)[0];
      if (first !== undefined) return { body: rb.examples[first] };
      return rb.required ? { body: {} } : { emptyBody: true };
    }
    return ['POST', 'PUT', 'PATCH'].includes(op.method) ? { emptyBody: true } : {};
  }

  async function runMock(mockClients: NodeClient[]): Promise<void> {
    const client = mockClients[0]!;
    const tasks: Array<() => Promise<void>> = [];
    const probes: Array<() => Promise<void>> = [];
    // Requests are spread round-robin over the Prism instances.
    let turn = 0;
    const next = (): NodeClient => mockClients[turn++ % mockClients.length]!;
    for (const op of ops) {
      const path = mockPath(op);
      for (const resp of op.responses) {
        if (!/^\d{3}$/.test(resp.status)) continue;
        const code = Number(resp.status);
        const names = resp.json ? Object.keys(resp.json.examples) : [];
        for (const name of names.length > 0 ? names : ['']) {
          const via = next();
          tasks.push(async () => {
            const prefer = name ? { code, example: name } : { code };
            record(0, await via.send({ op, probe: 'normal', path, auth: authFor(op), prefer, ...bodyFor(op) }));
            progress(client, 'documented statuses');
          });
        }
      }
      if (op.security === 'sessionCookie') {
        if (selection.includesCheck('auth_required')) {
          const via = next();
          probes.push(async () => {
            record(0, await via.send({ op, probe: 'no_session', path, auth: 'none', ...bodyFor(op) }));
            progress(client, 'requests without a session');
          });
        }
        skipRow(0, client.label, op, 'made_up_session', 'auth_required', path, `with a made-up session cookie: ${MOCK_REASON.made_up_session}`);
      }
      if (op.security === 'basicAuth') skipRow(0, client.label, op, 'wrong_password', 'auth_failure', path, `wrong password: ${MOCK_REASON.auth_failure}`);
      if (op.pathParams.length > 0) skipRow(0, client.label, op, 'not_found', 'not_found', path, `made-up id: ${MOCK_REASON.not_found}`);
    }
    // Prism is a local process: a few more requests in flight than against an appliance.
    const width = Math.max(concurrency, 4) * mockClients.length;
    progress(client, 'documented statuses');
    await runLimited(width, tasks);
    progress(client, 'requests without a session');
    await runLimited(width, probes);
  }

  // ---- live -------------------------------------------------------------------------------

  async function login(client: NodeClient, nodeIndex: number): Promise<string | undefined> {
    const op = model.operations.find((o) => o.operationId === 'logIn') ?? model.operations.find((o) => o.security === 'basicAuth');
    if (!op) return 'the spec documents no login operation (an operation secured by HTTP Basic)';
    // No progress output before every login succeeded: if one fails, its reason is the first line.
    const ex = await client.send({ op, probe: 'normal', path: op.path, auth: 'basic' });
    const target = report.targets[nodeIndex]!;
    if (selection.includesOperation(op)) record(nodeIndex, ex);
    else exchanges.push(ex);
    const node = client.label;
    if (!ex.response) {
      const kind = ex.error?.kind;
      const what = kind === 'tls' ? 'TLS failure' : kind === 'timeout' ? 'no answer in time' : kind === 'dns' ? 'unknown host' : 'unreachable';
      return `node ${node}: ${what}: ${ex.error?.message ?? 'no answer'}${kind === 'tls' ? ' (use --ca FILE, or --insecure)' : ''}`;
    }
    const status = ex.response.status;
    if (status === 401) return `node ${node}: wrong credentials: ${op.method} ${op.path} answered ${describeAnswer(ex)}`;
    if (status === 403) return `node ${node}: the user may not use the REST API: ${op.method} ${op.path} answered ${describeAnswer(ex)}`;
    if (!isSuccess(status) || !client.adoptSession(ex.response.setCookies)) {
      return `node ${node}: not an SPS REST API? ${op.method} ${op.path} answered ${describeAnswer(ex)}${isSuccess(status) ? ` without a ${sessionCookieName} cookie` : ''}`;
    }
    target.loggedIn = true;
    return undefined;
  }

  function findOp(method: string, path: string): OperationModel | undefined {
    return model.operations.find((o) => o.method === method && o.path === path);
  }

  async function runLiveNode(client: NodeClient, nodeIndex: number): Promise<void> {
    const target = report.targets[nodeIndex]!;
    const node = client.label;
    const roles = new Map<OperationModel, OperationRole>(model.operations.map((o) => [o, operationRole(o, model.operations)]));
    /** 200 answers of GETs by concrete path: where ids for parameterised paths come from. */
    const answers = new Map<string, unknown>();
    const send = async (nodeOp: OperationModel, probe: ProbeKind, path: string, auth: AuthMode, extra: { body?: unknown; emptyBody?: boolean } = {}): Promise<Exchange | undefined> => {
      if (client.deadReason) {
        const check: CheckName = probe === 'no_session' || probe === 'made_up_session' ? 'auth_required' : probe === 'not_found' ? 'not_found' : probe === 'wrong_password' ? 'auth_failure' : 'status_code_conformance';
        skipRow(nodeIndex, node, nodeOp, probe, check, path, `not sent: node ${node} was given up: ${client.deadReason}`);
        return undefined;
      }
      const ex = await client.send({ op: nodeOp, probe, path, auth, ...extra });
      if (selection.includesOperation(nodeOp) || probe === 'write') record(nodeIndex, ex);
      else exchanges.push(ex);
      if (ex.response?.status === 200 && nodeOp.method === 'GET') answers.set(path, ex.response.json);
      if (client.deadReason && !target.notes.some((n) => n.startsWith('given up'))) {
        target.notes.push(`given up: ${client.deadReason}`);
        progress(client, 'given up', `node ${node} given up: ${client.deadReason}`);
      }
      return ex;
    };

    // 1. The transaction state comes first: an open transaction means someone holds the lock.
    const getTx = findOp('GET', '/api/transaction');
    let lockedAtStart = false;
    if (getTx) {
      progress(client, 'transaction status');
      const ex = await send(getTx, 'normal', getTx.path, 'session');
      const state = transactionState(ex?.response?.json);
      target.transactionAtStart = state ?? 'unknown';
      if (state === 'open') {
        lockedAtStart = true;
        target.notes.push('a transaction was already open (configuration lock held): no writes, the transaction was not touched');
        progress(client, 'transaction status', `node ${node}: a transaction is already open (someone holds the configuration lock); writes are skipped and it is left alone`);
      }
    }

    // 2. Reads without parameters, then the parameterised ones with ids found in the listings.
    const reads = ops.filter((o) => roles.get(o) === 'read' && o !== getTx);
    const plain = reads.filter((o) => o.pathParams.length === 0);
    const withParams = reads.filter((o) => o.pathParams.length > 0).sort((a, b) => a.pathParams.length - b.pathParams.length);
    progress(client, 'reads');
    await runLimited(concurrency, plain.map((op) => async () => {
      await send(op, 'normal', op.path, 'session');
      progress(client, 'reads');
    }));
    const concrete = new Map<OperationModel, string | undefined>();
    for (const op of withParams) {
      const values: Record<string, string> = {};
      let missing: string | undefined;
      for (const p of op.pathParams) {
        const prefix = op.path.slice(0, op.path.indexOf(`{${p.name}}`)).replace(/\/$/, '');
        const listingPath = fillPath(prefix, values);
        const listing = answers.get(listingPath);
        const items = isObject(listing) && Array.isArray(listing.items) ? listing.items : undefined;
        const key = items?.map((it) => (isObject(it) ? it.key : undefined)).find((k): k is string => typeof k === 'string');
        if (key === undefined) {
          missing = items ? `${listingPath} lists no objects` : `no listing of ${listingPath} to take a ${p.name} from`;
          break;
        }
        values[p.name] = key;
      }
      concrete.set(op, missing ? undefined : fillPath(op.path, values));
      if (missing) skipRow(nodeIndex, node, op, 'normal', 'status_code_conformance', op.path, `not read: ${missing}`);
    }
    await runLimited(concurrency, withParams.filter((op) => concrete.get(op)).map((op) => async () => {
      await send(op, 'normal', concrete.get(op)!, 'session');
      progress(client, 'reads');
    }));

    // 3. Probes: no session, a made-up session, made-up ids, a wrong password.
    const probes: Array<() => Promise<void>> = [];
    for (const op of reads) {
      const known = concrete.get(op);
      let madeUpPath: string | undefined;
      if (op.pathParams.length > 0) {
        const values: Record<string, string> = {};
        const knownValues = known ? known.split('/') : [];
        const templateParts = op.path.split('/');
        for (const p of op.pathParams) {
          const idx = templateParts.indexOf(`{${p.name}}`);
          const knownValue = idx >= 0 ? knownValues[idx] : undefined;
          values[p.name] = madeUpIdCandidates(p, knownValue).find((c) => c !== knownValue && (!p.schemaPointer || validator.validate(p.schemaPointer, c).valid)) ?? 'sps-conformance-no-such-object';
        }
        madeUpPath = fillPath(op.path, values);
      }
      const path = known ?? madeUpPath ?? op.path;
      if (op.security === 'sessionCookie' && selection.includesCheck('auth_required')) {
        probes.push(async () => void (await send(op, 'no_session', path, 'none')));
        probes.push(async () => void (await send(op, 'made_up_session', path, 'made_up_session')));
      }
      if (madeUpPath && selection.includesCheck('not_found')) probes.push(async () => void (await send(op, 'not_found', madeUpPath, 'session')));
    }
    const loginOp = model.operations.find((o) => o.operationId === 'logIn') ?? model.operations.find((o) => o.security === 'basicAuth');
    if (loginOp && selection.includesOperation(loginOp) && selection.includesCheck('auth_failure')) {
      probes.push(async () => void (await send(loginOp, 'wrong_password', loginOp.path, 'wrong_password')));
    }
    progress(client, 'probes');
    await runLimited(concurrency, probes.map((p) => async () => {
      await p();
      progress(client, 'probes');
    }));

    // 4. Operations that are not sent, with the reason.
    for (const op of ops) {
      const reason = notSentReason(roles.get(op)!, options.allowWrites === true);
      if (reason) skipRow(nodeIndex, node, op, 'normal', 'status_code_conformance', op.path, reason);
    }

    // 5. Writes: each setting in its own transaction, always rolled back.
    if (!options.allowWrites) return;
    const settings = ops.filter((o) => roles.get(o) === 'setting-put');
    if (!selection.includesCheck('write_roundtrip')) {
      target.writes = 'skipped (write_roundtrip not selected)';
      return;
    }
    if (lockedAtStart) {
      target.writes = 'skipped: a transaction was already open on the node';
      for (const op of settings) skipRow(nodeIndex, node, op, 'write', 'write_roundtrip', op.path, `not written: a transaction was already open on node ${node} (someone holds the configuration lock); it was left alone`);
      return;
    }
    if (target.transactionAtStart !== 'closed') {
      target.writes = 'skipped: the transaction status could not be read first';
      for (const op of settings) skipRow(nodeIndex, node, op, 'write', 'write_roundtrip', op.path, `not written: the transaction status of node ${node} could not be read first, so it is unknown whether someone holds the configuration lock`);
      return;
    }
    if (client.deadReason) {
      target.writes = 'skipped: node given up';
      return;
    }
    const openOp = findOp('POST', '/api/transaction');
    const rollbackOp = findOp('DELETE', '/api/transaction');
    const changesOp = findOp('GET', '/api/transaction/changes');
    if (!openOp || !rollbackOp) {
      target.writes = 'skipped: the spec documents no POST/DELETE /api/transaction';
      return;
    }
    progress(client, 'writes');
    let written = 0;
    let lockedByOther = false;
    for (const put of settings) {
      if (lockedByOther || client.deadReason) {
        skipRow(nodeIndex, node, put, 'write', 'write_roundtrip', put.path, lockedByOther ? `not written: the configuration is locked by another session on node ${node}` : `not written: node ${node} was given up`);
        continue;
      }
      const outcome = await writeCycle(client, nodeIndex, put, openOp, rollbackOp, changesOp, send, concrete);
      if (outcome === 'locked') {
        lockedByOther = true;
        target.notes.push('the configuration was locked by another session: no writes, its transaction was not touched');
        progress(client, 'writes', `node ${node}: the configuration is locked by another session; writes are skipped`);
      } else if (outcome === 'done') written++;
    }
    // The run must not leave a transaction behind: read the state once more.
    if (getTx && !lockedByOther) {
      const ex = await send(getTx, 'write', getTx.path, 'session');
      const state = transactionState(ex?.response?.json);
      if (ex) {
        push(resultFor(ex, 'write_roundtrip', state === 'closed' ? 'passed' : 'failed',
          state === 'closed' ? 'after the write cycle: no transaction left open' : `after the write cycle the transaction is ${state ?? 'in an unknown state'}: it may be left open on node ${node}`), rank(nodeIndex, ex));
      }
    }
    target.writes = lockedByOther ? 'skipped: configuration locked by another session' : `${written} of ${settings.length} settings written back unchanged and rolled back`;
  }

  async function writeCycle(
    client: NodeClient,
    nodeIndex: number,
    put: OperationModel,
    openOp: OperationModel,
    rollbackOp: OperationModel,
    changesOp: OperationModel | undefined,
    send: (op: OperationModel, probe: ProbeKind, path: string, auth: AuthMode, extra?: { body?: unknown; emptyBody?: boolean }) => Promise<Exchange | undefined>,
    concrete: Map<OperationModel, string | undefined>,
  ): Promise<'done' | 'locked' | 'failed' | 'skipped'> {
    const node = client.label;
    const getOp = findOp('GET', put.path);
    const path = put.pathParams.length > 0 ? (getOp ? concrete.get(getOp) : undefined) : put.path;
    const row = (ex: Exchange | undefined, outcome: Outcome, message: string): void => {
      if (ex) push(resultFor(ex, 'write_roundtrip', outcome, message), rank(nodeIndex, ex));
      else skipRow(nodeIndex, node, put, 'write', 'write_roundtrip', path ?? put.path, message, outcome);
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
      const prepared = sameValueRequestBody(model, validator, put, current);
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
      if (changesOp) {
        const changes = await send(changesOp, 'write', changesOp.path, 'session');
        const list = isObject(changes?.response?.json) ? changes.response.json.changes : undefined;
        if (!changes?.response || !isSuccess(changes.response.status) || !Array.isArray(list)) {
          problems.push(`GET ${changesOp.path} got ${changes ? describeAnswer(changes) : 'nothing'}`);
        } else {
          for (const c of list) {
            if (!isObject(c)) continue;
            const cPath = typeof c.path === 'string' ? c.path : '';
            if (cPath !== path && !cPath.startsWith(`${path}/`) && !cPath.startsWith(`${path}#`)) {
              problems.push(`the change log lists a change of ${JSON.stringify(cPath)}, which was not written`);
            } else if (c.type !== 'replace' || !sameValue(c.old_value, c.new_value)) {
              problems.push(`the change log lists a ${String(c.type)} of ${cPath} with different old and new values`);
            }
          }
        }
      }
      if (problems.length > 0) {
        row(written, 'failed', `${put.operationId}: ${problems.join('; ')}`);
        return 'failed';
      }
      row(written, 'passed', `${put.operationId}: read, PUT the same value back (${written.response.status}), read back unchanged, change log consistent`);
      return 'done';
    } finally {
      if (mayBeOpen) await rollback(client, nodeIndex, rollbackOp);
    }
  }

  async function rollback(client: NodeClient, nodeIndex: number, rollbackOp: OperationModel): Promise<void> {
    const node = client.label;
    // Sent even after an abort: this is the cleanup the abort is waiting for.
    const ex = await client.send({ op: rollbackOp, probe: 'write', path: rollbackOp.path, auth: 'session' }, { ignoreAbort: true });
    record(nodeIndex, ex);
    const ok = isSuccess(ex.response?.status);
    push(resultFor(ex, 'write_roundtrip', ok ? 'passed' : 'failed',
      ok ? 'transaction rolled back' : `ROLLBACK FAILED on node ${node}: DELETE /api/transaction got ${describeAnswer(ex)}; a transaction may be left open`), rank(nodeIndex, ex));
    progress(client, 'writes', ok ? undefined : `node ${node}: rollback failed, a transaction may be left open`);
  }
}

/** Like Promise.all, but waits for every promise to settle before rethrowing the first error. */
async function settleAll<T>(promises: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** `open` / `closed` from either transaction status shape (7.x `body.status`, 6.x `transaction.status`). */
export function transactionState(body: unknown): 'open' | 'closed' | undefined {
  if (!isObject(body)) return undefined;
  const s = isObject(body.body) ? body.body.status : isObject(body.transaction) ? body.transaction.status : undefined;
  return s === 'open' || s === 'closed' ? s : undefined;
}

function finish(
  report: ConformanceReport,
  ranked: Ranked[],
  exchanges: Exchange[],
  started: number,
  fatal?: string,
  ops: OperationModel[] = [],
): ConformanceReport {
  ranked.sort((a, b) => {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      const d = (a.key[i] ?? 0) - (b.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  report.results = ranked.map((r) => r.result);
  const s = { passed: 0, failed: 0, warnings: 0, skipped: 0 };
  for (const r of report.results) {
    if (r.outcome === 'passed') s.passed++;
    else if (r.outcome === 'failed') s.failed++;
    else if (r.outcome === 'warning') s.warnings++;
    else s.skipped++;
  }
  report.summary = s;
  report.coverage = coverageOf(ops, exchanges);
  report.matrix = matrixOf(report);
  report.durationMs = Date.now() - started;
  if (fatal) {
    report.fatal = fatal;
    report.exitCode = 2;
  } else report.exitCode = s.failed > 0 ? 1 : 0;
  return report;
}

export function coverageOf(ops: OperationModel[], exchanges: Exchange[]): Coverage {
  const seen = new Map<OperationModel, Set<number>>();
  for (const ex of exchanges) {
    if (!ex.response) continue;
    let set = seen.get(ex.op);
    if (!set) seen.set(ex.op, (set = new Set()));
    set.add(ex.response.status);
  }
  let exercised = 0;
  let total = 0;
  const rows = ops.map((op) => ({
    operationId: op.operationId,
    method: op.method,
    path: op.path,
    cells: op.responses.map((r) => {
      const countable = /^\d{3}$/.test(r.status);
      const hit = countable && (seen.get(op)?.has(Number(r.status)) ?? false);
      if (countable) {
        total++;
        if (hit) exercised++;
      }
      return { status: r.status, exercised: hit, countable };
    }),
  }));
  return { rows, exercised, total, percent: total === 0 ? 0 : Math.floor((exercised / total) * 1000) / 10 };
}

function matrixOf(report: ConformanceReport): Record<string, Record<string, MatrixCell>> {
  const severity: Record<MatrixCell, number> = { none: 0, skipped: 1, passed: 2, warning: 3, failed: 4 };
  const m: Record<string, Record<string, MatrixCell>> = {};
  for (const t of report.targets) m[t.node] = Object.fromEntries(CHECK_NAMES.map((c) => [c, 'none' as MatrixCell]));
  for (const r of report.results) {
    const row = (m[r.node] ??= Object.fromEntries(CHECK_NAMES.map((c) => [c, 'none' as MatrixCell])));
    const cur = row[r.check] ?? 'none';
    if (severity[r.outcome] > severity[cur]) row[r.check] = r.outcome;
  }
  return m;
}
