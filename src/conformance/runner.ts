/**
 * The conformance runner's library entry: `runConformance(options)` validates the options
 * (options.ts), loads the spec, builds the run context from the check registry (plan/context.ts,
 * checks/index.ts), runs the mock plan (plan/mock.ts) or the live plan (plan/live.ts) and turns
 * the collected rows into the report (report/report.ts). What the run opens (Prism, every node
 * session) has one owner, `RunResources`, closed in one `finally` after the final rollback, also
 * after a failure or an abort. The report it returns is redacted, once, at the end.
 */
import { DEFAULT_SPEC_FILE, loadSpec, matchesTemplate, SpecLoadError, type SpecModel } from '../model/operations.js';
import { createValidator } from '../model/validate.js';
import { applyBaseline } from './baseline.js';
import { clusterFactRows } from './checks/index.js';
import { CannotRunError } from './cannot-run.js';
import { AbortedError, DEFAULT_TRANSACTION_SECONDS } from './node-session.js';
import type { TransactionLedger } from './transaction-ledger.js';
import { CHECK_NAMES, FORMER_NAMES } from './checks/index.js';
import { UsageError } from '../shared/cli-options.js';
import type { RunContext } from './plan/context.js';
import { validateOptions, type ConformanceOptions, type RunOptions } from './options.js';
import { createRunContext } from './plan/context.js';
import { runLiveTargets } from './plan/live.js';
import { runMockTarget } from './plan/mock.js';
import { redactFrame, redactReport, redactResult } from './report/index.js';
import { RunResources } from './run-resources.js';
import { emptyReport, finishReport, type ConformanceReport, type NodeLock, type NotChecked } from './report/report.js';
import { buildSelection } from './selection.js';

export { DEFAULTS, normaliseBaseUrl, type ConformanceOptions, type RunOptions } from './options.js';
export { transactionState } from './checks/util.js';
export { coverageOf } from './report/report.js';
export type {
  ConformanceReport,
  Coverage,
  CoverageCell,
  CoverageRow,
  ExitCode,
  MatrixCell,
  NodeLock,
  NotChecked,
  ProgressEvent,
  TargetInfo,
} from './report/report.js';
export { TransactionLedger } from './transaction-ledger.js';

export async function runConformance(conformanceOptions: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  const options = validateOptions(conformanceOptions);
  const stop = runSignal(options);
  // The one owner of what the run opens (node sessions, Prism), closed in the finally below.
  const resources = new RunResources({ ...options, signal: stop.signal });
  // Against the mock, Prism starts (a child process) while this process loads and compiles the
  // spec: the two costs overlap instead of adding up (README, Measurements).
  const earlyPrism = !options.live && !options.mockUrl && options.mockInstances === 1 ? resources.startPrism(options.specFile) : undefined;
  earlyPrism?.catch(() => undefined); // its error, if any, is reported where it is awaited
  const report = emptyReport(options.specFile, started);
  let model: SpecModel | undefined;
  let run: RunContext;
  let fatal: string | undefined;
  let aborted: string | undefined;
  try {
    try {
      model = loadSpec(options.specFile);
    } catch (err) {
      if (err instanceof SpecLoadError) {
        const hint = options.specFile === DEFAULT_SPEC_FILE ? ' (run `npm run generate` to build it)' : '';
        return redactReport(finishReport(report, [], [], started, `${err.message}${hint}`), options.secrets);
      }
      throw err;
    }
    report.spec = { file: options.specFile, title: model.title, version: model.version };
    const selection = buildSelection(model, [...options.only], [...options.skip], options.onDeprecation);
    run = createRunContext(options, model, createValidator(model), selection, report, stop.signal);
    if (run.checks.length === 0) throw new UsageError(`--only/--skip select no check: nothing would be checked (checks: ${CHECK_NAMES.join(', ')})`);
    if (run.ops.length === 0) throw new UsageError('--only/--skip select no operation of this spec: nothing would be sent');
    try {
      if (options.live) {
        await runLiveTargets(run, resources);
        // Facts across nodes, once every node is done (checks/cluster-facts.ts).
        const clusters = run.checks.some((c) => c.name === 'cluster_facts')
          ? clusterFactRows({ model: run.model, nodes: report.targets, push: (r, key) => run.push(r, key) })
          : [];
        if (clusters.length > 0) report.clusters = clusters;
      } else await runMockTarget(run, resources, earlyPrism);
    } catch (err) {
      if (err instanceof CannotRunError) fatal = err.message;
      else if (err instanceof AbortedError || stop.signal?.aborted) aborted = String(stop.signal?.reason ?? 'aborted');
      else throw err;
    }
  } finally {
    // The one place every stop ends: whatever ended the plans (the end, a signal, the deadline,
    // a failed node, an exception), every node with a transaction of this run that may still be
    // open gets its rollback now, bounded, before the transports close.
    if (options.live && model) {
      await options.ledger.rollbackAll(
        model.operations.find((o) => o.method === 'DELETE' && o.path === '/api/transaction'),
        Math.min(options.timeoutMs, ROLLBACK_BOUND_MS),
      );
      for (const t of report.targets) if (resources.sessionOf(t)) t.lock = nodeLock(options.ledger, t.node);
    }
    resources.countRequests();
    await resources.close();
    stop.dispose();
  }
  if (!fatal && !aborted && stop.signal?.aborted) aborted = String(stop.signal.reason ?? 'aborted');
  // The run is over and every secret of it is known (the password, each session id, a psk seen
  // in an answer): the rows are redacted now, once, before the baseline matches their messages.
  for (const row of run.ranked) row.result = redactResult(row.result, options.secrets);
  if (options.baseline) {
    const complete = !fatal && !aborted;
    const nodes = new Set(report.targets.map((t) => t.node));
    report.baseline = applyBaseline(run.ranked, options.baseline, {
      model,
      today: new Date(started).toISOString().slice(0, 10),
      ran: (e) =>
        complete &&
        run.selection.includesCheck(e.check) &&
        (e.operationId === undefined || run.ops.some((o) => o.operationId === e.operationId)) &&
        (e.path === undefined || run.ops.some((o) => o.path === e.path || matchesTemplate(o.path, e.path!))) &&
        (e.node === undefined || nodes.has(e.node)),
    });
  }
  report.notChecked = notCheckedOf(run, resources, aborted);
  const out = finishReport(report, run.ranked, run.exchanges, started, fatal, run.ops);
  if (aborted) {
    out.aborted = aborted;
    out.exitCode = stop.deadlinePassed() ? 2 : aborted === 'SIGTERM' ? 143 : aborted === 'SIGHUP' ? 129 : aborted === 'SIGINT' ? 130 : 2;
  }
  // The rest of the report (targets, notes, lock commands, what was not checked), redacted once too.
  return redactFrame(out, options.secrets);
}

/** The longest the final rollback of a node is waited for (also bounded by --timeout). */
export const ROLLBACK_BOUND_MS = 10_000;

/** What the run left on one node's lock, from every client of that node (the roles-file accounts' too). */
export function nodeLock(ledger: TransactionLedger, node: string): NodeLock {
  const mine = ledger.clients.filter((c) => c.label === node);
  const opened = mine.reduce((sum, c) => sum + c.txOpened, 0);
  const held = mine.find((c) => c.txState === 'open' || c.txState === 'rollback failed');
  if (held) {
    return {
      state: 'may be held',
      opened,
      until: new Date(held.lockUntilMs ?? Date.now() + DEFAULT_TRANSACTION_SECONDS * 1000).toISOString(),
      release: held.releaseCommands(),
    };
  }
  return { state: opened > 0 ? 'rolled back' : 'nothing opened', opened };
}

/** The checks named in --only by name (or former name): selected on purpose, so they must run. */
function checksNamedInOnly(only: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const raw of only.flatMap((v) => v.split(','))) {
    const v = raw.trim().toLowerCase();
    const name = FORMER_NAMES.get(v) ?? v;
    if ((CHECK_NAMES as readonly string[]).includes(name)) out.add(name);
  }
  return out;
}

/** Why a check selected by name could not run at all. */
function whyCannotRun(run: RunContext, check: string): string {
  if (check === 'write_roundtrip' && !run.options.live) return 'it needs --url (a live node): the mock keeps no state to write to';
  if (check === 'write_roundtrip' && !run.options.allowWrites) return 'it needs --allow-writes (this run was read-only)';
  if (check === 'access_control' && run.options.roles.length === 0) return 'it needs --roles FILE';
  const skipped = run.ranked.find((r) => r.result.check === check && r.result.outcome === 'skipped');
  return skipped ? skipped.result.message : 'no request it applies to was sent';
}

/**
 * Everything selected or asked for that the run did not check: the report says "incomplete"
 * and the exit code is 2 when this is not empty.
 */
function notCheckedOf(run: RunContext, resources: RunResources, aborted: string | undefined): NotChecked[] {
  const out: NotChecked[] = [];
  const { options, report } = run;
  const ran = new Set(run.ranked.filter((r) => r.result.outcome !== 'skipped').map((r) => r.result.check));
  for (const check of checksNamedInOnly(options.only)) {
    if (run.selection.includesCheck(check) && !ran.has(check)) out.push({ check, what: `${check} (selected with --only)`, reason: whyCannotRun(run, check) });
  }
  for (const t of report.targets) {
    if (t.kind !== 'live') continue;
    const client = resources.sessionOf(t);
    if (t.unusable) {
      out.push({ node: t.node, what: 'every check', reason: t.unusable });
      continue;
    }
    if (client?.deadReason) out.push({ node: t.node, what: 'the rest of its plan', reason: `the node was given up: ${client.deadReason}` });
    if (options.allowWrites && run.selection.includesCheck('write_roundtrip')) {
      const notDone = run.ranked.filter(
        (r) => r.result.node === t.node && r.result.check === 'write_roundtrip' && r.result.outcome === 'skipped' && NOT_DONE.test(r.result.message),
      );
      if (!/^\d+ of \d+ settings written/.test(t.writes) || notDone.length > 0) {
        const reason = /^\d+ of/.test(t.writes)
          ? `${notDone.length} setting${notDone.length === 1 ? '' : 's'} not written: ${notDone[0]!.result.message}`
          : t.writes;
        out.push({ node: t.node, check: 'write_roundtrip', what: 'the writes (--allow-writes)', reason });
      }
    }
    if (aborted && client) {
      const left = Math.max(0, client.planned - client.completed);
      out.push({
        node: t.node,
        what: 'the rest of the run',
        reason: `stopped by ${aborted}${client.planned > 0 ? `: ${left} of ${client.planned} planned requests not sent` : ''}`,
      });
    }
  }
  if (aborted && !options.live) out.push({ what: 'the rest of the run', reason: `stopped by ${aborted}` });
  return out;
}

/** A write_roundtrip skip that means "asked for but not done", not "nothing safe to write". */
const NOT_DONE = /locked by another session|given up|already open|could not be read first|stopped|rollback failed/;

/**
 * The run's abort signal: the caller's (SIGINT/SIGTERM) joined with an abort of its own for
 * `--deadline`, so that the run stops exactly as on a signal (requests in flight aborted, the
 * rollback sent at once). The options are left as they are.
 */
function runSignal(options: RunOptions): { signal: AbortSignal | undefined; deadlinePassed(): boolean; dispose(): void } {
  const seconds = options.deadlineSeconds;
  const caller = options.signal;
  if (seconds === undefined) return { signal: caller, deadlinePassed: () => false, dispose: () => undefined };
  const controller = new AbortController();
  let passed = false;
  const timer = setTimeout(() => {
    passed = true;
    controller.abort(`the --deadline of ${seconds} s`);
  }, seconds * 1000);
  timer.unref();
  return {
    signal: caller ? AbortSignal.any([caller, controller.signal]) : controller.signal,
    deadlinePassed: () => passed,
    dispose: () => clearTimeout(timer),
  };
}
