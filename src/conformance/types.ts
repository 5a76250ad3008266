import type { OperationModel, SpecModel } from '../spec/model.js';
import type { SchemaValidator } from '../spec/validate.js';

export type Outcome = 'passed' | 'failed' | 'warning' | 'skipped';

/** The named checks, in report order. */
export const CHECK_NAMES = [
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
  'meta_conformance',
  'error_body_conformance',
  'auth_required',
  'auth_failure',
  'not_found',
  'drift',
  'write_roundtrip',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** One row of `report.json`'s `results`. */
export interface CheckResult {
  check: CheckName;
  operationId: string;
  method: string;
  /** The concrete request path (no origin), e.g. `/api/cluster/nodes/46f9...`. */
  path: string;
  node: string;
  outcome: Outcome;
  message: string;
  /** A curl command that reproduces the request, secrets replaced by placeholders. */
  curl: string;
}

export type TargetKind = 'mock' | 'live';

/** What a request was sent to find out. */
export type ProbeKind =
  | 'normal' // the operation as a client would call it (with a session where it needs one)
  | 'no_session' // a secured operation without a session cookie
  | 'made_up_session' // a secured operation with a session cookie nobody issued
  | 'wrong_password' // the login with a wrong password
  | 'not_found' // a made-up object id
  | 'write'; // a step of the read / PUT same value / read back / rollback cycle

export interface RecordedResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  setCookies: string[];
  bodyText: string;
  /** The parsed body when it is JSON, else undefined. */
  json: unknown;
  durationMs: number;
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
  /** Transport failure (timeout, reset, TLS, ...), already redacted. */
  error?: { kind: string; message: string };
  curl: string;
}

export interface CheckContext {
  model: SpecModel;
  validator: SchemaValidator;
  target: TargetKind;
  /** Drift warnings become failures. */
  strict: boolean;
  /** Name of the session cookie (`session_id`). */
  sessionCookieName: string;
}

/** A check: a pure function from one recorded exchange to result rows (none when it does not apply). */
export type ExchangeCheck = (ctx: CheckContext, ex: Exchange) => CheckResult[];

export function resultFor(ex: Exchange, check: CheckName, outcome: Outcome, message: string): CheckResult {
  return {
    check,
    operationId: ex.op.operationId,
    method: ex.method,
    path: ex.path,
    node: ex.node,
    outcome,
    message,
    curl: ex.curl,
  };
}
