/**
 * The check floor (issue 19): the whole vocabulary a check needs, and nothing of the machinery.
 * A check (`checks/<file>.ts`, the check name with `-` for `_`) imports only this module, its helpers (`checks/util.ts`, the
 * write helpers, the roles file's matcher) and the operation model (`src/model/`); the rule
 * `checks-stand-on-the-floor` of `.dependency-cruiser.cjs` enforces it in `npm test`.
 *
 * - an {@link Exchange}: a request that was sent and what came back;
 * - a {@link CheckResult}: one row of the report, and the helpers that make one;
 * - a {@link CheckDefinition} and the {@link ProbeDefinition}s it lists (the probes several
 *   checks look at are here: {@link NORMAL}, {@link WRITE}; a probe only one check looks at is
 *   defined in that check's file, e.g. `NOT_FOUND` in `checks/not-found.ts`);
 * - a {@link LiveNode}: the narrow handle a live request sequence gets from the planner (send,
 *   log in as an account, record a row, add a matrix cell, a note).
 *
 * This module imports only the operation model and type-only vocabulary below it.
 */
import type { BodyDigest } from '../http/transport.js';
import type { OperationModel, SpecModel } from '../model/operations.js';
import type { SchemaValidator } from '../model/validate.js';
import { strengthOf, type Source, type SourceKind, type SpecJudge, type Strength, describeSource } from '../model/verdict.js';

/** `accepted`: a failure a `--baseline` entry accepts (it does not fail the run). */
export type Outcome = 'passed' | 'failed' | 'warning' | 'skipped' | 'accepted';

/** What a failed or warned rule rests on (docs/verdicts.md, evidence strength). */
export type Basis = SourceKind;

/** A soft basis (`inference`, `reading`, `observed`): a warning by default, a failure with `--strict`. */
export const isSoftBasis = (b: Basis | undefined): boolean => b !== undefined && strengthOf(b) === 'soft';

/** The `--baseline` entry a row matched (or, `stale`, the entry that matched nothing). */
export interface BaselineMark {
  /** 1-based position of the entry in the baseline file. */
  entry: number;
  reason: string;
  expires: string;
  status: 'accepted' | 'expired' | 'stale';
  /** The entry's ticket reference, when it has one. */
  ticket?: string;
  /** When the deviation was first seen (the entry's `firstSeen`, else this run's day). */
  firstSeen?: string;
  /** When it was last seen (this run's day for a matched entry). */
  lastSeen?: string;
}

/**
 * A check name: short snake_case, equal to the file name under `checks/`. The list, in report
 * order, is `CHECK_NAMES` of `checks/index.ts` (the registry).
 */
export type CheckName = string;

/** One row of `report.json`'s `results`. */
export interface CheckResult {
  check: CheckName;
  operationId: string;
  method: string;
  /** The concrete request path (no origin), e.g. `/api/cluster/nodes/46f9...`. */
  path: string;
  node: string;
  /** The account the request was sent as, when it is not the run's `--username` (a roles-file user, the `auth_failure` probe's made-up user). */
  user?: string;
  outcome: Outcome;
  message: string;
  /** A curl command that reproduces the request, secrets replaced by placeholders. */
  curl: string;
  /**
   * On a failure or warning: the kind of source the broken rule rests on. `vendor` and
   * `client-code` are facts; `inference`, `reading` and `observed` are soft (a warning, a
   * failure with `--strict`): see {@link isSoftBasis}.
   */
  basis?: Basis;
  /** On a failure or warning: the strength of the evidence (`fact` or `soft`), from `basis`. */
  strength?: Strength;
  /** On a failure or warning: the source, described (page links, SDK and what its code shows, the inference or reading and its reason). */
  source?: string;
  /** For a soft basis: the described soft sources that were broken (same as `source`; kept for readers of older reports). */
  reading?: string;
  /** Set by `--baseline`: the entry that accepted this failure, or that expired. */
  baseline?: BaselineMark;
}

export type TargetKind = 'mock' | 'live';

/**
 * What a request was sent to find out. `normal` and `write` are defined here (several checks look
 * at them); every other kind is defined by the one check that looks at it, in its own file
 * (docs/conformance.md, "Probes", has the table of kinds and checks).
 */
export type ProbeKind =
  | 'normal' // the operation as a client would call it (with a session where it needs one)
  | 'no_session' // auth_required: a secured operation without a session cookie
  | 'made_up_session' // auth_required: a secured operation with a session cookie nobody issued
  | 'wrong_password' // auth_failure: the login with a wrong password
  | 'not_found' // not_found: a made-up object id
  | 'write' // a step of the read / PUT same value / read back / rollback cycle
  | (string & {});

export interface RecordedResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  setCookies: string[];
  /** The body of a JSON answer; `''` for any other body (never kept: see `digest`). */
  bodyText: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  durationMs: number;
  /** A body that is not JSON (a download, an HTML page): its type, the bytes read and their sha256, never the bytes. */
  digest?: BodyDigest;
  /** A JSON body longer than the runner reads (node-session.ts MAX_JSON_READ): abandoned unread. */
  bodySkipped?: 'not-json' | 'too-large';
}

/** A request that was sent and what came back (or why nothing came back). */
export interface Exchange {
  node: string;
  target: TargetKind;
  op: OperationModel;
  probe: ProbeKind;
  method: string;
  /** Concrete path, with the query string if one was sent. */
  path: string;
  /** Against the mock: the status asked for with `Prefer: code=...`. */
  requestedStatus?: number;
  /** Against the mock: the example asked for with `Prefer: example=...`. */
  exampleName?: string;
  response?: RecordedResponse;
  /** The account it was sent as, when it is not the run's `--username` (see {@link CheckResult.user}). */
  user?: string;
  /** Transport failure (timeout, reset, TLS, ...), already redacted. */
  error?: { kind: string; message: string };
  curl: string;
}

export interface CheckContext {
  model: SpecModel;
  validator: SchemaValidator;
  /** Full spec, then the vendor-only view: readings-only problems are told apart (model/verdict.ts). */
  judge: SpecJudge;
  target: TargetKind;
  /** Drift warnings and readings-only warnings become failures (see {@link softOutcome}). */
  strict: boolean;
  /** Name of the session cookie (`session_id`). */
  sessionCookieName: string;
}

/** A check: a pure function from one recorded exchange to result rows (none when it does not apply). */
export type ExchangeCheck = (ctx: CheckContext, ex: Exchange) => CheckResult[];

/** The one strict mechanism: what is a warning by default and a failure with `--strict`. */
export function softOutcome(ctx: Pick<CheckContext, 'strict'>): Outcome {
  return ctx.strict ? 'failed' : 'warning';
}

/**
 * A row for a problem that breaks only soft rules (readings, inferences): a warning (a failure
 * with `--strict`). `readings` are described sources (`describeSource`) or bare reading reasons.
 */
export function readingResult(
  ctx: Pick<CheckContext, 'strict'>,
  ex: Exchange,
  check: CheckName,
  readings: readonly string[],
  message: string,
  basis: Basis = 'reading',
): CheckResult {
  const named = readings.map((r) => (/^(our reading|inference from|observed on)\b/.test(r) ? r : `our reading: ${r}`)).join(' / ');
  return { ...resultFor(ex, check, softOutcome(ctx), message), basis, strength: 'soft', source: named, reading: named };
}

/** A row for a problem whose rule rests on `source`: a failure for a fact, a soft row otherwise. */
export function sourcedResult(ctx: Pick<CheckContext, 'strict'>, ex: Exchange, check: CheckName, source: Source | undefined, message: string): CheckResult {
  const kind = source?.kind ?? 'vendor';
  if (strengthOf(kind) === 'soft') return readingResult(ctx, ex, check, [describeSource(source)], message, kind);
  return { ...resultFor(ex, check, 'failed', message), basis: kind, strength: 'fact', source: describeSource(source) };
}

export function resultFor(ex: Exchange, check: CheckName, outcome: Outcome, message: string): CheckResult {
  return {
    check,
    operationId: ex.op.operationId,
    method: ex.method,
    path: ex.path,
    node: ex.node,
    ...(ex.user !== undefined ? { user: ex.user } : {}),
    outcome,
    message,
    curl: ex.curl,
  };
}

/**
 * A kind of request the plans send for an operation, besides the ordinary one. The live plan
 * sends it for the reads (and the login) it applies to; the mock plan sends it for every
 * operation it applies to, or reports it skipped with `mockSkip`.
 */
export interface ProbeDefinition {
  kind: ProbeKind;
  /** Report order among the rows of one operation (lower first). */
  order: number;
  /** Starts the messages about it: `without a session cookie`, `made-up id`. */
  label: string;
  /** The operations it is sent for; undefined: none (the probe is driven by its check's `live`). */
  appliesTo?(op: OperationModel): boolean;
  /** `known`: the path read with a real id; `made-up`: the path with a made-up id. */
  path?: 'known' | 'made-up';
  auth?: AuthMode;
  /** Against the mock: not sent, reported as skipped with this reason. */
  mockSkip?: string;
}

/** One check: everything the runner, `--help` and the README need to know about it. */
export interface CheckDefinition {
  /** Short snake_case name; the file is the name with `-` for `_` (`write_roundtrip`: `checks/write-roundtrip.ts`). */
  name: CheckName;
  /** One line: when the check passes (the README table and `--help`). */
  passes: string;
  /** Against the mock (the README's "mock" column): `checked`, or why it is skipped there. */
  mock: string;
  /** The requests it looks at; a probe listed here is planned only when the check is selected. */
  probes: readonly ProbeDefinition[];
  /** Former names, still accepted by --only/--skip with a deprecation line. */
  formerNames?: readonly string[];
  /** Result rows for one recorded exchange (none when it does not apply). */
  run: ExchangeCheck;
  /** A live-only request sequence of its own (the write cycle), run after reads and probes. */
  live?(node: LiveNode): Promise<void>;
  /** How many requests `live` plans to send on one node (the progress line's "of planned"). */
  livePlanned?(plan: LivePlan): number;
}

/** How a request authenticates. */
export type AuthMode =
  | 'session' // the node's real session (live) or a dummy cookie (mock)
  | 'none'
  | 'made_up_session'
  | 'basic' // the real credentials (live) or dummy ones (mock)
  | 'wrong_password';

/** The user name of the `wrong_password` probe starts with this (a made-up user: no lockout of a real one). */
export const PROBE_USER_PREFIX = 'sps-conformance-probe-';

/** What the runner may do with an operation (`write-safety.ts` decides it from the spec). */
export type OperationRole =
  | 'never-send'
  | 'login'
  | 'read'
  | 'transaction-open'
  | 'transaction-rollback'
  | 'transaction-commit'
  | 'cluster-membership'
  | 'setting-put'
  /** POST of a new object into a collection, and DELETE of one object: the collection cycle, with --allow-writes. */
  | 'collection-create'
  | 'object-delete'
  | 'other-write'
  /** Not documented for the node's SPS version (`x-sps-versions`): never sent, skipped with the range. */
  | 'not-in-version';

/** A `METHOD /path/**` pattern of the roles file. */
export interface AccessPattern {
  /** Upper case, or `*` for any method. */
  method: string;
  /** `*` one segment, `**` any number (zero included). */
  path: string;
  /** As written in the file: `PUT /api/configuration/**`. */
  text: string;
}

/** One account of the roles file, its password resolved. */
export interface RoleAccount {
  name: string;
  password: string;
  /** Where the password came from, for messages: `SPS_PASSWORD_AUDITOR` or `file auditor.pw`. */
  passwordSource: string;
  may: AccessPattern[];
  mayNot: AccessPattern[];
}

/** One cell of the user x operation matrix: what one node did for one account and operation. */
export interface AccessCell {
  /** `allowed` (2xx), `denied` (401/403), `other` (another status), `not sent` (with the reason in its row), `no answer`. */
  seen: 'allowed' | 'denied' | 'other' | 'not sent' | 'no answer';
  status?: number;
  outcome: Outcome;
  /** What the cell proves: `proven allowed` (2xx), `proven denied` (401/403), `not tried` (see `why`). */
  proof?: 'proven allowed' | 'proven denied' | 'not tried';
  /** For a cell that was not tried or not judged: why, in a few words. */
  why?: string;
}

/** One row of the user x operation matrix (`--roles`): what the roles file expects, what each node did. */
export interface AccessRow {
  user: string;
  operationId: string;
  method: string;
  /** The path template. */
  path: string;
  expected: 'allowed' | 'denied';
  /** The roles-file pattern that decided (`may_not: PUT /api/configuration/**`). */
  rule: string;
  /** node -> what it did. */
  nodes: Record<string, AccessCell>;
}

/** Nodes that answer one cluster fact alike (`cluster_facts`). */
export interface ClusterGroup {
  nodes: string[];
  reason: string;
}

/** What a live sequence plans before it runs (for the progress line's "of planned"). */
export interface LivePlan {
  model: SpecModel;
  allowWrites: boolean;
  /** The selected operations, in spec order. */
  ops: readonly OperationModel[];
  roles: ReadonlyMap<OperationModel, OperationRole>;
}

/** Extra parts of a request a sequence sends. */
export interface SendExtra {
  body?: unknown;
  emptyBody?: boolean;
}

/** A session of a roles-file account on one node (`LiveNode.logInAs`); closed by whoever opened it. */
export interface AccountSession {
  /** Sends one request as the account (recorded when its operation is selected); undefined once the session or the node was given up. */
  send(op: OperationModel, probe: ProbeKind, path: string, auth: AuthMode, extra?: SendExtra, opts?: { ignoreAbort?: boolean }): Promise<Exchange | undefined>;
  /** Why the session was given up, or undefined while it is in use. */
  givenUp(): string | undefined;
  /** Keeps the session cookie of a login answer; false when it set none. */
  adoptSession(setCookies: readonly string[]): boolean;
  /** Requests sent with this session so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * One live node during its run, as a check's `live` request sequence sees it: what it may
 * read of the run, and the only ways it may act (send, log in as an account, record a row, add a
 * matrix cell, a note). The planner (`plan/live.ts`) makes one per node.
 */
export interface LiveNode {
  /** The node's label in the report (its host, or its URL when two nodes share a host). */
  readonly node: string;
  /** The SPS version the node reported (`unknown` when it could not be read). */
  readonly version: string;
  readonly model: SpecModel;
  readonly validator: SchemaValidator;
  /** `--allow-writes`. */
  readonly allowWrites: boolean;
  /** `--username`: the account of the main session. */
  readonly username: string | undefined;
  /** The roles-file accounts (`--roles`), in file order. */
  readonly accounts: readonly RoleAccount[];
  /** The selected operations, in spec order. */
  readonly ops: readonly OperationModel[];
  isSelected(op: OperationModel): boolean;
  /** What the runner may do with each operation on this node. */
  readonly roles: ReadonlyMap<OperationModel, OperationRole>;
  /** The concrete path found for each parameterised read (undefined: no id found). */
  readonly concrete: ReadonlyMap<OperationModel, string | undefined>;
  /** `GET /api/transaction`, when the spec has it. */
  readonly getTx: OperationModel | undefined;
  /** A transaction was open before the run touched the node. */
  readonly lockedAtStart: boolean;
  /** The transaction state read first (`closed`, `open`, `unknown`, ...). */
  readonly transactionAtStart: string;
  findOp(method: string, path: string): OperationModel | undefined;
  /** Why the node was given up, or undefined while it is in use. */
  givenUp(): string | undefined;
  /** The run was stopped (a signal or the deadline). */
  stopped(): boolean;
  /** Sends and records one request with the main session; undefined when the node was given up (a row says so). */
  send(op: OperationModel, probe: ProbeKind, path: string, auth: AuthMode, extra?: SendExtra): Promise<Exchange | undefined>;
  /** A cleanup request (a rollback): sent even after the run was stopped, always recorded. */
  sendCleanup(op: OperationModel, probe: ProbeKind, path: string): Promise<Exchange>;
  /** A session of its own for a roles-file account (not yet logged in); `passwordPlaceholder` stands for the password in curl lines. */
  openSession(account: RoleAccount, passwordPlaceholder: string): AccountSession;
  /** The main session, its exchanges attributed to `user` when given (closing it does nothing). */
  mainSession(user?: string): AccountSession;
  /** Records a row about `ex`, in the report order of the exchange (`first`: before every other row). */
  row(ex: Exchange, result: CheckResult, first?: boolean): void;
  /** A row for a request that was not sent. */
  skip(op: OperationModel, probe: ProbeKind, check: CheckName, path: string, message: string, outcome?: Outcome): void;
  /** The progress line of the node: a phase and, maybe, a notice. */
  progress(phase: string, notice?: string): void;
  /** One request fewer than planned (a sequence ended early). */
  unplan(count?: number): void;
  /** A note on the node's target in the report. */
  note(text: string): void;
  /** Notes on the node so far. */
  readonly notes: readonly string[];
  /** What the write cycle did on the node (the report's `writes`). */
  writes: string;
  /** Adds a row to the user x operation matrix (once per run: see {@link perRun}). */
  addAccessRow(row: AccessRow): void;
  /** State a sequence keeps for the whole run (across nodes), made once per key. */
  perRun<T>(key: string, make: () => T): T;
}

/** What a check sees of a whole live run once every node is done (the cross-node rows of `cluster_facts`). */
export interface FinishedRun {
  readonly model: SpecModel;
  /** The nodes in the order given, with the SPS version each reported. */
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly version?: string }>;
  /** Records a row at `key` of the report order (node index first). */
  push(result: CheckResult, key: number[]): void;
}

/** The operation as a client calls it: every documented status against the mock, the reads live. */
export const NORMAL: ProbeDefinition = { kind: 'normal', order: 0, label: 'request' };

/** A step of the write cycle (driven by `write_roundtrip`'s `live`). */
export const WRITE: ProbeDefinition = { kind: 'write', order: 5, label: 'write cycle' };
