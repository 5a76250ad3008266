/**
 * What the plans share during one run: the spec, the selection, the selected checks and the
 * probes they need, and the one place where exchanges are checked and rows are collected
 * (filtered by the selection, ranked for the report order). Rows are kept as they are: the
 * runner redacts them once, when the run is over and every secret of it is known; a progress
 * notice leaves the process at once and is redacted here, as it is sent.
 */
import { randomUUID } from 'node:crypto';
import { isObject } from '../../shared/index.js';
import type { OperationModel, ParameterModel, SpecModel } from '../../model/operations.js';
import { createDocumentValidator, type SchemaValidator } from '../../model/validate.js';
import { createJudge, describeSource, strengthOf } from '../../model/verdict.js';
import { versionView } from '../../model/versions.js';
import { CHECK_NAMES, CHECKS, probesOf } from '../checks/index.js';
import type { NodeSession } from '../node-session.js';
import type { RunOptions } from '../options.js';
import type { ConformanceReport, CoverageInput, Ranked } from '../report/report.js';
import type { Selection } from '../selection.js';
import {
  resultFor,
  type CheckContext,
  type CheckDefinition,
  type CheckName,
  type CheckResult,
  type Exchange,
  type Outcome,
  type ProbeDefinition,
  type ProbeKind,
} from '../check-api.js';

export interface RunContext {
  readonly options: RunOptions;
  /** The run's abort signal: the caller's (SIGINT/SIGTERM) joined with `--deadline`. */
  readonly signal: AbortSignal | undefined;
  model: SpecModel;
  validator: SchemaValidator;
  check: CheckContext;
  selection: Selection;
  /** The selected checks, in report order. */
  checks: readonly CheckDefinition[];
  /** The probes the selected checks need, in probe order. */
  probes: readonly ProbeDefinition[];
  /** The selected operations, in spec order. */
  ops: OperationModel[];
  report: ConformanceReport;
  ranked: Ranked[];
  /**
   * Every exchange of the run as coverage counts it: its operation and status only. The bodies
   * are dropped once the checks ran (a large run would otherwise hold every answer to the end).
   */
  exchanges: CoverageInput[];
  /**
   * The node's SPS version (read at the login): from then on its answers are judged by the
   * spec as that version documents it (`versionView`; pointers are those of the full spec).
   */
  setNodeVersion(nodeIndex: number, version: string): void;
  /** Runs the selected checks on an exchange and collects their rows. */
  record(nodeIndex: number, ex: Exchange): Exchange;
  /** Counts an exchange for coverage only (its operation is not selected). */
  observe(ex: Exchange): void;
  rank(nodeIndex: number, ex: Pick<Exchange, 'op' | 'probe' | 'requestedStatus' | 'exampleName'>): number[];
  push(result: CheckResult, key: number[]): void;
  /** A row for a request that was not sent (or a result without an exchange). */
  skipRow(nodeIndex: number, node: string, op: OperationModel, probe: ProbeKind, check: CheckName, path: string, message: string, outcome?: Outcome): void;
  progress(client: NodeSession, phase: string, notice?: string): void;
  /** The progress of a node again, in its current phase (after each answer: done of planned). */
  tick(client: NodeSession): void;
}

export function createRunContext(
  options: RunOptions,
  model: SpecModel,
  validator: SchemaValidator,
  selection: Selection,
  report: ConformanceReport,
  signal: AbortSignal | undefined = options.signal,
): RunContext {
  const sessionCookieName = model.operations.find((o) => o.sessionCookieName)?.sessionCookieName ?? 'session_id';
  const check: CheckContext = {
    model,
    validator,
    judge: createJudge(model, validator),
    target: options.live ? 'live' : 'mock',
    strict: options.strict,
    sessionCookieName,
  };
  const checks = CHECKS.filter((c) => selection.includesCheck(c.name));
  const probeOrder = new Map(CHECKS.flatMap((c) => c.probes.map((p) => [p.kind, p.order] as const)));
  const opIndex = new Map(model.operations.map((o, i) => [o, i]));
  const secrets = options.secrets;
  let writeSeq = 0;
  const phases = new Map<NodeSession, string>();
  let failedSoFar = 0;
  /**
   * Every failed or warned row names its evidence: a check that knows the broken rule's source
   * sets it; otherwise the source of the operation the row is about (a fact: its vendor pages).
   */
  const withSource = (r: CheckResult): CheckResult => {
    if ((r.outcome !== 'failed' && r.outcome !== 'warning') || r.source !== undefined)
      return r.basis && !r.strength ? { ...r, strength: strengthOf(r.basis) } : r;
    const op = model.operation(r.operationId);
    const src = op ? check.judge.sourceAt(op.pointer) : undefined;
    const basis = r.basis ?? (src && strengthOf(src.kind) === 'fact' ? src.kind : undefined);
    return { ...r, ...(basis ? { basis, strength: strengthOf(basis) } : {}), source: src ? describeSource(src) : 'the spec (no source marked)' };
  };
  /** The check context of each node whose version is known, one per version. */
  const byVersion = new Map<string, CheckContext>();
  const nodeChecks = new Map<number, CheckContext>();
  const run: RunContext = {
    options,
    signal,
    model,
    validator,
    check,
    selection,
    checks,
    probes: probesOf(checks),
    ops: model.operations.filter((o) => selection.includesOperation(o)),
    report,
    ranked: [],
    exchanges: [],
    setNodeVersion(nodeIndex, version) {
      let ctx = byVersion.get(version);
      if (!ctx) {
        const view = versionView(model.document, version);
        const viewValidator = createDocumentValidator(view);
        ctx = { ...check, validator: viewValidator, judge: createJudge({ ...model, document: view }, viewValidator) };
        byVersion.set(version, ctx);
      }
      nodeChecks.set(nodeIndex, ctx);
    },
    record(nodeIndex, ex) {
      run.observe(ex);
      const key = run.rank(nodeIndex, ex);
      const ctx = nodeChecks.get(nodeIndex) ?? check;
      for (const c of checks) for (const r of c.run(ctx, ex)) run.push(r, key);
      return ex;
    },
    observe(ex) {
      run.exchanges.push(ex.response ? { op: ex.op, response: { status: ex.response.status } } : { op: ex.op });
    },
    rank(nodeIndex, ex) {
      // Request sequences (the write cycle, then the roles-file accounts) keep the order they were sent in.
      const sequence = ex.probe === 'write' ? 1 : ex.probe === 'invalid_write' ? 2 : ex.probe === 'access' ? 3 : 0;
      // Against the mock, the examples of one status in the spec's order: the report does not
      // depend on which answer arrived first.
      const examples =
        ex.exampleName === undefined ? [] : Object.keys(ex.op.responses.find((r) => r.status === String(ex.requestedStatus))?.json?.examples ?? {});
      return [
        nodeIndex,
        sequence,
        sequence ? writeSeq++ : (opIndex.get(ex.op) ?? 0),
        probeOrder.get(ex.probe) ?? 99,
        ex.requestedStatus ?? 0,
        examples.indexOf(ex.exampleName ?? '') + 1,
      ];
    },
    push(result, key) {
      if (!selection.includesCheck(result.check)) return;
      const row = withSource(result);
      if (row.outcome === 'failed') failedSoFar++;
      run.ranked.push({ result: row, key: [...key, CHECK_NAMES.indexOf(result.check)] });
    },
    skipRow(nodeIndex, node, op, probe, name, path, message, outcome = 'skipped') {
      const pseudo = { node, target: check.target, op, probe, method: op.method, path, curl: '' } as Exchange;
      run.push(resultFor(pseudo, name, outcome, message), run.rank(nodeIndex, pseudo));
    },
    tick(client) {
      const phase = phases.get(client);
      if (phase !== undefined) run.progress(client, phase);
    },
    progress(client, phase, notice) {
      phases.set(client, phase);
      options.onProgress?.({
        node: client.label,
        phase,
        requests: client.requests,
        completed: client.completed,
        ...(client.planned > 0 ? { planned: Math.max(client.planned, client.requests) } : {}),
        failed: failedSoFar,
        ...(notice ? { notice: secrets.redact(notice) } : {}),
      });
    },
  };
  return run;
}

/** Made-up object ids to try, first one that fits the parameter schema wins. */
export function madeUpIdCandidates(param: ParameterModel, known: string | undefined): string[] {
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

/** The first made-up id that differs from the known one and fits the parameter's schema. */
export function madeUpId(run: RunContext, param: ParameterModel, known: string | undefined): string {
  return (
    madeUpIdCandidates(param, known).find((c) => c !== known && (!param.schemaPointer || run.validator.validate(param.schemaPointer, c).valid)) ??
    'sps-conformance-no-such-object'
  );
}
