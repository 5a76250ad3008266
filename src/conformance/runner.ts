/**
 * The conformance runner's library entry: `runConformance(options)` validates the options
 * (options.ts), loads the spec, builds the run context from the check registry (plan/context.ts,
 * checks/index.ts), runs the mock plan (plan/mock.ts) or the live plan (plan/live.ts) and turns
 * the collected rows into the report (report/model.ts). Prism and every transport are closed at
 * the end, also after a failure or an abort.
 */
import { loadSpec, matchesTemplate, SpecLoadError, DEFAULT_SPEC_FILE } from '../spec/model.js';
import { createValidator } from '../spec/validate.js';
import { applyBaseline } from './baseline.js';
import { clusterFactRows } from './checks/index.js';
import { CannotRunError } from './errors.js';
import { AbortedError, type NodeClient } from './node-client.js';
import { validateOptions, type ConformanceOptions, type RunOptions } from './options.js';
import { createRunContext } from './plan/context.js';
import { runLiveTargets } from './plan/live.js';
import { runMockTarget } from './plan/mock.js';
import { startPrism, type PrismHandle } from './prism.js';
import { emptyReport, finishReport, type ConformanceReport } from './report/model.js';
import { buildSelection } from './selection.js';

export { DEFAULTS, normaliseBaseUrl, type ConformanceOptions, type RunOptions } from './options.js';
export { transactionState } from './checks/util.js';
export { coverageOf } from './report/model.js';
export type { ConformanceReport, Coverage, CoverageCell, CoverageRow, MatrixCell, ProgressEvent, TargetInfo } from './report/model.js';

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
    if (earlyPrism) await earlyPrism.then((p) => (prisms.includes(p) ? undefined : p.close()), () => undefined);
  }
}

async function runWith(options: RunOptions, started: number, prisms: PrismHandle[], earlyPrism: Promise<PrismHandle> | undefined): Promise<ConformanceReport> {
  const deadline = startDeadline(options);
  const report = emptyReport(options.specFile, started);
  let model;
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

  const clients: NodeClient[] = [];
  let fatal: string | undefined;
  let aborted: string | undefined;
  try {
    if (options.live) {
      await runLiveTargets(run, clients);
      // Facts across nodes, once every node is done (checks/cluster_facts.ts).
      const clusters = clusterFactRows(run);
      if (clusters.length > 0) report.clusters = clusters;
    }
    else await runMockTarget(run, clients, prisms, earlyPrism);
  } catch (err) {
    if (err instanceof CannotRunError) fatal = err.message;
    else if (err instanceof AbortedError || options.signal?.aborted) aborted = String(options.signal?.reason ?? 'aborted');
    else throw err;
  } finally {
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
  const out = finishReport(report, run.ranked, run.exchanges, started, fatal, run.ops);
  if (aborted) {
    out.aborted = aborted;
    out.exitCode = deadline?.passed ? 2 : aborted.includes('SIGTERM') ? 143 : 130;
  }
  return out;
}

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
