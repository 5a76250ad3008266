/**
 * The report model: the types of a run's report and how the collected rows become one
 * (order, summary, coverage, node x check matrix). The console, HTML, JSON and JUnit renderers
 * read only this.
 */
import type { OperationModel } from '../../model/operations.js';
import type { BaselineReport } from '../baseline.js';
import { CHECK_NAMES } from '../checks/index.js';
import { isSoftBasis, type AccessCell, type AccessRow, type CheckResult, type ClusterGroup, type Outcome, type TargetKind } from '../check-api.js';

export interface ProgressEvent {
  node: string;
  phase: string;
  /** Requests sent to this node so far. */
  requests: number;
  /** Requests answered (or failed) so far; live runs only. */
  completed?: number;
  /** Requests the plan means to send to this node (lowered when a part is not sent); live runs only. */
  planned?: number;
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
  /**
   * Transaction state read first thing after the login; `locked by another session` when it
   * read `closed` but opening a transaction then got 409 `ConfigurationLocked` (SPS may show
   * each session only its own transaction).
   */
  transactionAtStart: 'open' | 'closed' | 'unknown' | 'n/a' | 'locked by another session';
  /** Live: why the node could not be used at all (login failed); its checks are "not checked". */
  unusable?: string;
  /** Live: what the run left on the node's configuration lock (the final line per node). */
  lock?: NodeLock;
  /** Live nodes: `body.firmware_version` of `GET /api/info`, read after the login ('unknown' when it cannot be read). */
  version?: string;
  writes: string;
  requests: number;
  notes: string[];
}

/** What a live run left on one node's configuration lock. */
export interface NodeLock {
  state: 'nothing opened' | 'rolled back' | 'may be held';
  /** Transactions this run opened there. */
  opened: number;
  /** `may be held`: when SPS cancels the transaction by itself (ISO time). */
  until?: string;
  /** `may be held`: the commands that release it now (login, then DELETE /api/transaction); no secret in them. */
  release?: string[];
}

/**
 * Something the run was asked to check and did not: a selected check that could not run,
 * writes asked for but not done, a node that could not be used or was given up, a stopped run.
 * Any of these makes the run "incomplete" (exit 2), never "Conformant".
 */
export interface NotChecked {
  /** The node, or undefined for the whole run. */
  node?: string;
  /** The check, or undefined for every check. */
  check?: string;
  /** What was not checked, one phrase (`the writes`, `every check`, `the rest of the plan`). */
  what: string;
  reason: string;
}

/** Nodes the run treated as one cluster (or one node checked alone), and why. */
export type { ClusterGroup } from '../check-api.js';

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

export type MatrixCell = Outcome | 'none' | 'not checked';

/** What a node did with one operation sent as a roles-file account. */
export type { AccessCell, AccessRow } from '../check-api.js';

export interface Summary {
  passed: number;
  failed: number;
  warnings: number;
  skipped: number;
  /** Failures a `--baseline` entry accepts (not counted in `failed`). */
  accepted: number;
  /** Warnings that break only soft rules (readings, inferences: `isSoftBasis`), part of `warnings`. */
  readingWarnings: number;
  /** Failures that break only our readings (with `--strict`), part of `failed`. */
  readingFailures: number;
}

export interface ConformanceReport {
  summary: Summary;
  targets: TargetInfo[];
  results: CheckResult[];
  coverage: Coverage;
  /** node -> check -> worst outcome. */
  matrix: Record<string, Record<string, MatrixCell>>;
  /** The user x operation matrix of `access_control` (empty without `--roles`), users and operations in file and spec order. */
  access?: AccessRow[];
  spec: { file: string; title: string; version: string };
  startedAt: string;
  durationMs: number;
  exitCode: ExitCode;
  /** Why the run could not be done (exit 2). */
  fatal?: string;
  /** What was selected or asked for and not checked (any: the run is incomplete, exit 2). */
  notChecked?: NotChecked[];
  /** The signal that stopped the run. */
  aborted?: string;
  /** Live runs with several nodes: which nodes were treated as one cluster (`cluster_facts`), and why. */
  clusters?: ClusterGroup[];
  /** With `--baseline`: every entry and what it did (accepted, expired, stale, not-run). */
  baseline?: BaselineReport;
}

/**
 * The exit codes, one table (docs/safety.md): 0 conformant; 1 violations found; 2 could not
 * run or incomplete (usage error, unreachable or unusable node, something selected not checked,
 * a failed rollback, stopped by --deadline); 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM
 * (after the rollback).
 */
export type ExitCode = 0 | 1 | 2 | 129 | 130 | 143;

/** A result row with its sort key (node, operation, probe, status, check). */
export interface Ranked {
  result: CheckResult;
  key: number[];
}

export function emptyReport(specFile: string, started: number): ConformanceReport {
  return {
    summary: emptySummary(),
    targets: [],
    results: [],
    coverage: { rows: [], exercised: 0, total: 0, percent: 0 },
    matrix: {},
    access: [],
    spec: { file: specFile, title: '', version: '' },
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    exitCode: 0,
    notChecked: [],
  };
}

function emptySummary(): Summary {
  return { passed: 0, failed: 0, warnings: 0, skipped: 0, accepted: 0, readingWarnings: 0, readingFailures: 0 };
}

/** Orders the rows and fills in the summary, the coverage, the matrix and the exit code. */
export function finishReport(
  report: ConformanceReport,
  ranked: Ranked[],
  exchanges: readonly CoverageInput[],
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
  const s = emptySummary();
  for (const r of report.results) {
    if (r.outcome === 'passed') s.passed++;
    else if (r.outcome === 'failed') s.failed++;
    else if (r.outcome === 'warning') s.warnings++;
    else if (r.outcome === 'accepted') s.accepted++;
    else s.skipped++;
    if (isSoftBasis(r.basis) && r.outcome === 'warning') s.readingWarnings++;
    if (isSoftBasis(r.basis) && r.outcome === 'failed') s.readingFailures++;
  }
  report.summary = s;
  report.coverage = coverageOf(ops, exchanges);
  report.matrix = matrixOf(report);
  report.durationMs = Date.now() - started;
  if (fatal) {
    report.fatal = fatal;
    report.exitCode = 2;
  } else report.exitCode = (report.notChecked ?? []).length > 0 ? 2 : s.failed > 0 ? 1 : 0;
  return report;
}

/**
 * What coverage needs of one exchange: its operation and the status it received (none: no
 * answer). An `Exchange` is one; the run keeps only these two fields of each, not the bodies.
 */
export interface CoverageInput {
  op: OperationModel;
  response?: { status: number };
}

/** Operations x documented statuses: a status is exercised when some request of the run received it. */
export function coverageOf(ops: OperationModel[], exchanges: readonly CoverageInput[]): Coverage {
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

/** node -> check -> the worst outcome of its rows. */
export function matrixOf(report: ConformanceReport): Record<string, Record<string, MatrixCell>> {
  const severity: Record<MatrixCell, number> = { none: 0, skipped: 1, passed: 2, accepted: 3, warning: 4, 'not checked': 5, failed: 6 };
  const blank = (): Record<string, MatrixCell> => Object.fromEntries(CHECK_NAMES.map((c) => [c, 'none' as MatrixCell]));
  const m: Record<string, Record<string, MatrixCell>> = {};
  for (const t of report.targets) m[t.node] = blank();
  for (const r of report.results) {
    if (r.baseline?.status === 'stale') continue; // a baseline entry, not a node's answer
    const row = (m[r.node] ??= blank());
    const cur = row[r.check] ?? 'none';
    if (severity[r.outcome] > severity[cur]) row[r.check] = r.outcome;
  }
  // A check not (fully) checked on a node never shows as passed there.
  for (const n of report.notChecked ?? []) {
    for (const node of n.node !== undefined ? [n.node] : Object.keys(m)) {
      const row = (m[node] ??= blank());
      for (const c of n.check !== undefined ? [n.check] : CHECK_NAMES) {
        if (n.check === undefined && row[c] === 'none') continue; // "the rest of the run": only the checks that had started
        if (severity['not checked'] > severity[row[c] ?? 'none']) row[c] = 'not checked';
      }
    }
  }
  return m;
}

/** One cell of the user x operation matrix as text: `denied 403`, `allowed 200 FAIL`, `not sent`, `-` (not on that node). */
export function accessCellLabel(cell: AccessCell | undefined): string {
  if (!cell) return '-';
  const what =
    cell.proof === 'proven allowed' || cell.proof === 'proven denied'
      ? cell.proof
      : cell.seen === 'not sent' || cell.seen === 'no answer'
        ? 'not tried'
        : cell.seen;
  return `${what}${cell.status !== undefined ? ` ${cell.status}` : ''}${cell.why ? ` (${cell.why})` : ''}${cell.outcome === 'failed' ? ' FAIL' : ''}`;
}

/** The nodes of the user x operation matrix, in target order. */
export function accessNodes(report: ConformanceReport): string[] {
  return report.targets.map((t) => t.node).filter((n) => (report.access ?? []).some((r) => r.nodes[n] !== undefined));
}

/** Rows per check and outcome, in report order (checks without rows left out). */
export function perCheckCounts(
  report: ConformanceReport,
): Array<{ check: string; total: number; passed: number; failed: number; warning: number; skipped: number; accepted: number }> {
  const counts = new Map(
    CHECK_NAMES.map((check) => [check as string, { check: check as string, total: 0, passed: 0, failed: 0, warning: 0, skipped: 0, accepted: 0 }]),
  );
  for (const r of report.results) {
    const c = counts.get(r.check);
    if (!c) continue;
    c.total++;
    c[r.outcome]++;
  }
  return [...counts.values()].filter((r) => r.total > 0);
}
