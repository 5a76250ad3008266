import type { BodyDigest } from '../http/transport.js';
import type { OperationModel, SpecModel } from '../spec/model.js';
import type { SchemaValidator } from '../spec/validate.js';
import { strengthOf, type Source, type SourceKind, type SpecJudge, type Strength, describeSource } from '../spec/verdict.js';
import type { AuthMode } from './node-client.js';
import type { LiveNodeEnv, RunContext } from './plan/context.js';
import type { OperationRole } from './writes.js';

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
 * What a request was sent to find out. The built-in kinds are defined in `plan/probes.ts`; a
 * check that needs another kind defines its {@link ProbeDefinition} in its own file.
 */
export type ProbeKind =
  | 'normal' // the operation as a client would call it (with a session where it needs one)
  | 'no_session' // a secured operation without a session cookie
  | 'made_up_session' // a secured operation with a session cookie nobody issued
  | 'wrong_password' // the login with a wrong password
  | 'not_found' // a made-up object id
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
  /** A JSON body longer than the runner reads (node-client.ts MAX_JSON_READ): abandoned unread. */
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
  /** Full spec, then the vendor-only view: readings-only problems are told apart (spec/verdict.ts). */
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
export function readingResult(ctx: Pick<CheckContext, 'strict'>, ex: Exchange, check: CheckName, readings: readonly string[], message: string, basis: Basis = 'reading'): CheckResult {
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
  /** Short snake_case name, equal to the file name (`checks/<name>.ts`). */
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
  live?(env: LiveNodeEnv): Promise<void>;
  /** How many requests `live` plans to send on one node (the progress line's "of planned"). */
  livePlanned?(run: RunContext, roles: ReadonlyMap<OperationModel, OperationRole>): number;
}
