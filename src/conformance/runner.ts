/**
 * The conformance runner's library entry: `runConformance(options)` validates the options
 * (options.ts), loads the spec, builds the run context from the check registry (plan/context.ts,
 * checks/index.ts), runs the mock plan (plan/mock.ts) or the live plan (plan/live.ts) and turns
 * the collected rows into the report (report/model.ts). Prism and every transport are closed at
 * the end, also after a failure or an abort.
 */
import { DEFAULT_SPEC_FILE, loadSpec, matchesTemplate, SpecLoadError, type SpecModel } from '../spec/model.js';
import { createValidator } from '../spec/validate.js';
import { applyBaseline } from './baseline.js';
import { clusterFactRows } from './checks/index.js';
import { CannotRunError } from './errors.js';
import { AbortedError, DEFAULT_TRANSACTION_SECONDS, type NodeSession } from './node-session.js';
import type { TransactionLedger } from './transaction-ledger.js';
import { CHECK_NAMES, FORMER_NAMES } from './checks/index.js';
import { UsageError } from './errors.js';
import type { RunContext } from './plan/context.js';
import { validateOptions, type ConformanceOptions, type RunOptions } from './options.js';
import { createRunContext } from './plan/context.js';
import { runLiveTargets } from './plan/live.js';
import { runMockTarget } from './plan/mock.js';
import { startPrism, type PrismHandle } from './prism.js';
import { emptyReport, finishReport, type ConformanceReport, type NodeLock, type NotChecked } from './report/model.js';
import { buildSelection } from './selection.js';

export { DEFAULTS, normaliseBaseUrl, type ConformanceOptions, type RunOptions } from './options.js';
export { transactionState } from './checks/util.js';
export { coverageOf } from './report/model.js';
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
} from './report/model.js';
export { TransactionLedger } from './transaction-ledger.js';

export async function runConformance(conformanceOptions: ConformanceOptions = {}): Promise<ConformanceReport> {
  const started = Date.now();
  const options = validateOptions(conformanceOptions);
  // Against the mock, Prism starts (a child process) while this process loads and compiles the
  // spec: the two costs overlap instead of adding up (README, Measurements).
  const earlyPrism = !options.live && !options.mockUrl && options.mockInstances === 1 ? startPrism(options.specFile) : undefined;
  earlyPrism?.catch(() => undefined); // its error, if any, is reported where it is awaited
  const prisms: PrismHandle[] = [];
  try {
    return await runWith(options, started, prisms, earlyPrism);
  } finally {
    // Started early but not used: nothing to send, a bad selection, an unreadable spec.
    if (earlyPrism)
      await earlyPrism.then(
        (p) => (prisms.includes(p) ? undefined : p.close()),
        () => undefined,
      );
  }
}

async function runWith(options: RunOptions, started: number, prisms: PrismHandle[], earlyPrism: Promise<PrismHandle> | undefined): Promise<ConformanceReport> {
  const deadline = startDeadline(options);
  const report = emptyReport(options.specFile, started);
  let model: SpecModel;
  try {
    model = loadSpec(options.specFile);
  } catch (err) {
    if (err instanceof SpecLoadError) {
      const hint = options.specFile === DEFAULT_SPEC_FILE ? ' (run `npm run generate` to build it)' : '';
      return finishReport(report, [], [], started, `${err.message}${hint}`);
    }
    throw err;
  }
  report.spec = { file: options.specFile, title: model.title, version: model.version };
  const selection = buildSelection(model, options.only, options.skip, options.onDeprecation);
  const run = createRunContext(options, model, createValidator(model), selection, report);
  if (run.checks.length === 0) throw new UsageError(`--only/--skip select no check: nothing would be checked (checks: ${CHECK_NAMES.join(', ')})`);
  if (run.ops.length === 0) throw new UsageError('--only/--skip select no operation of this spec: nothing would be sent');

  const clients: NodeSession[] = [];
  let fatal: string | undefined;
  let aborted: string | undefined;
  try {
    if (options.live) {
      await runLiveTargets(run, clients);
      // Facts across nodes, once every node is done (checks/cluster-facts.ts).
      const clusters = run.checks.some((c) => c.name === 'cluster_facts')
        ? clusterFactRows({ model: run.model, nodes: report.targets, push: (r, key) => run.push(r, key) })
        : [];
      if (clusters.length > 0) report.clusters = clusters;
    } else await runMockTarget(run, clients, prisms, earlyPrism);
  } catch (err) {
    if (err instanceof CannotRunError) fatal = err.message;
    else if (err instanceof AbortedError || options.signal?.aborted) aborted = String(options.signal?.reason ?? 'aborted');
    else throw err;
  } finally {
    // The one place every stop ends: whatever ended the plans (the end, a signal, the deadline,
    // a failed node, an exception), every node with a transaction of this run that may still be
    // open gets its rollback now, bounded, before the transports close.
    if (options.live) {
      await options.ledger.rollbackAll(
        model.operations.find((o) => o.method === 'DELETE' && o.path === '/api/transaction'),
        Math.min(options.timeoutMs, ROLLBACK_BOUND_MS),
      );
      clients.forEach((c, i) => {
        const t = report.targets[i];
        if (t) t.lock = nodeLock(options.ledger, c.label);
      });
    }
    if (options.live) {
      clients.forEach((c, i) => {
        const t = report.targets[i];
        if (t) t.requests = c.requests;
      });
    } else if (report.targets[0]) {
      report.targets[0].requests = clients.reduce((sum, c) => sum + c.requests, 0);
    }
    await Promise.allSettled(clients.map((c) => c.close()));
    await Promise.allSettled(prisms.map((p) => p.close()));
    deadline?.stop();
  }
  if (!fatal && !aborted && options.signal?.aborted) aborted = String(options.signal.reason ?? 'aborted');
  if (options.baseline) {
    const complete = !fatal && !aborted;
    const nodes = new Set(report.targets.map((t) => t.node));
    report.baseline = applyBaseline(run.ranked, options.baseline, {
      model,
      today: new Date(started).toISOString().slice(0, 10),
      ran: (e) =>
        complete &&
        selection.includesCheck(e.check) &&
        (e.operationId === undefined || run.ops.some((o) => o.operationId === e.operationId)) &&
        (e.path === undefined || run.ops.some((o) => o.path === e.path || matchesTemplate(o.path, e.path!))) &&
        (e.node === undefined || nodes.has(e.node)),
    });
  }
  report.notChecked = notCheckedOf(run, clients, aborted);
  const out = finishReport(report, run.ranked, run.exchanges, started, fatal, run.ops);
  if (aborted) {
    out.aborted = aborted;
    out.exitCode = deadline?.passed ? 2 : aborted === 'SIGTERM' ? 143 : aborted === 'SIGHUP' ? 129 : aborted === 'SIGINT' ? 130 : 2;
  }
  return out;
}

/** The longest the final rollback of a node is waited for (also bounded by --timeout-ms). */
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
function notCheckedOf(run: RunContext, clients: readonly NodeSession[], aborted: string | undefined): NotChecked[] {
  const out: NotChecked[] = [];
  const { options, report } = run;
  const ran = new Set(run.ranked.filter((r) => r.result.outcome !== 'skipped').map((r) => r.result.check));
  for (const check of checksNamedInOnly(options.only)) {
    if (run.selection.includesCheck(check) && !ran.has(check)) out.push({ check, what: `${check} (selected with --only)`, reason: whyCannotRun(run, check) });
  }
  for (const [i, t] of report.targets.entries()) {
    if (t.kind !== 'live') continue;
    const client = clients[i];
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
 * `--deadline`: an abort of its own, joined with the caller's signal, so that the run stops
 * exactly as on SIGINT/SIGTERM (requests in flight aborted, the rollback sent at once).
 */
function startDeadline(options: RunOptions): { passed: boolean; stop(): void } | undefined {
  const seconds = options.deadlineSeconds;
  if (seconds === undefined) return undefined;
  const controller = new AbortController();
  const state = { passed: false, stop: () => clearTimeout(timer) };
  const timer = setTimeout(() => {
    state.passed = true;
    controller.abort(`the --deadline of ${seconds} s`);
  }, seconds * 1000);
  timer.unref();
  const caller = options.signal;
  options.signal = caller ? AbortSignal.any([caller, controller.signal]) : controller.signal;
  return state;
}
