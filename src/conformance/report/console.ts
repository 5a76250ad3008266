import { accessCellLabel, accessNodes, perCheckCounts, type ConformanceReport, type NotChecked, type ProgressEvent } from './report.js';
import { CHECK_NAMES } from '../checks/index.js';
import type { CheckResult } from '../check-api.js';

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

function table(header: string[], rows: string[][], numericFrom = 1): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i >= numericFrom ? padStart(c, widths[i]!) : pad(c, widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const MARK: Record<string, string> = {
  passed: 'pass',
  failed: 'FAIL',
  warning: 'warn',
  skipped: 'skip',
  accepted: 'acc',
  'not checked': 'NOT CHECKED',
  none: '-',
};

/** The end-of-run text: checks table, node × check matrix, coverage matrix, failures, verdict. */
export function renderSummary(report: ConformanceReport, opts: { maxFailures?: number } = {}): string {
  const out: string[] = [];
  const s = report.summary;
  // The node x version table heads every report: which SPS version each node said it runs, and its cluster.
  const live = report.targets.filter((t) => t.kind === 'live');
  if (live.length > 0) {
    const clusterOf = (node: string): string => {
      const g = (report.clusters ?? []).find((c) => c.nodes.includes(node));
      return !g ? '-' : g.nodes.length > 1 ? `one cluster: ${g.nodes.join(', ')}` : 'alone';
    };
    out.push(
      '',
      'Node × version:',
      table(
        ['node', 'url', 'SPS version', 'cluster'],
        live.map((t) => [t.node, t.url, t.version ?? 'unknown', clusterOf(t.node)]),
        99,
      ),
    );
    for (const g of report.clusters ?? []) out.push(`  ${g.nodes.length > 1 ? `treated as one cluster: ${g.nodes.join(', ')}` : `${g.nodes[0]}`}: ${g.reason}`);
  }
  // The accepted column only when a baseline accepted something (the usual table stays as it was).
  const acc = s.accepted > 0;
  const rows = perCheckCounts(report).map((c) => [
    c.check,
    String(c.passed),
    String(c.failed),
    String(c.warning),
    String(c.skipped),
    ...(acc ? [String(c.accepted)] : []),
  ]);
  rows.push(['total', String(s.passed), String(s.failed), String(s.warnings), String(s.skipped), ...(acc ? [String(s.accepted)] : [])]);
  out.push('', table(['check', 'passed', 'failed', 'warnings', 'skipped', ...(acc ? ['accepted'] : [])], rows));

  const nodes = Object.keys(report.matrix);
  const used = CHECK_NAMES.filter((c) => nodes.some((n) => report.matrix[n]?.[c] !== 'none'));
  if (nodes.length > 0 && used.length > 0) {
    // Printed with one column per node so that it stays narrow with many checks.
    out.push(
      '',
      'Node × check:',
      table(
        ['check', ...nodes],
        used.map((c) => [c, ...nodes.map((n) => MARK[report.matrix[n]?.[c] ?? 'none'] ?? '-')]),
        99,
      ),
    );
  }

  const access = report.access ?? [];
  if (access.length > 0) {
    const accessNodeList = accessNodes(report);
    out.push(
      '',
      'User × operation (--roles; expected, then what each node did):',
      table(
        ['user', 'operation', 'expected', ...accessNodeList],
        access.map((r) => [r.user, `${r.method} ${r.path}`, r.expected, ...accessNodeList.map((n) => accessCellLabel(r.nodes[n]))]),
        99,
      ),
    );
  }

  const cov = report.coverage;
  if (cov.rows.length > 0) {
    out.push('', `Coverage: ${cov.exercised}/${cov.total} documented (operation, status) pairs exercised (${cov.percent}%)`);
    const w = Math.max(...cov.rows.map((r) => r.method.length + 1 + r.path.length));
    for (const row of cov.rows) {
      const cells = row.cells.map((c) => `${c.status}${!c.countable ? '?' : c.exercised ? '✓' : '✗'}`).join(' ');
      out.push(`  ${pad(`${row.method} ${row.path}`, w)}  ${cells}`);
    }
  }

  const failures = report.results.filter((r) => r.outcome === 'failed');
  if (failures.length > 0) {
    const max = opts.maxFailures ?? 40;
    out.push('', `Failures (${failures.length}):`);
    for (const f of failures.slice(0, max)) {
      out.push(`  ✗ [${f.node}]${f.user !== undefined ? ` as ${f.user}` : ''} ${f.check} ${f.method} ${f.path} (${f.operationId}): ${f.message}`);
      out.push(`      ${evidenceLine(f)}`);
      if (f.curl) out.push(`      ${f.curl.replace(/\n/g, '\n      ')}`);
    }
    if (failures.length > max) out.push(`  ... and ${failures.length - max} more (see report.json / report.html)`);
  }
  const warnings = report.results.filter((r) => r.outcome === 'warning');
  if (warnings.length > 0) {
    out.push('', `Warnings (${warnings.length}):`);
    for (const w of warnings.slice(0, 20))
      out.push(`  ! [${w.node}]${w.user !== undefined ? ` as ${w.user}` : ''} ${w.check} ${w.method} ${w.path}: ${w.message}`, `      ${evidenceLine(w)}`);
    if (warnings.length > 20) out.push(`  ... and ${warnings.length - 20} more`);
  }
  for (const t of report.targets) if (t.version !== undefined) out.push(`target [${t.node}]: ${t.url}, SPS version ${t.version}`);
  const accepted = report.results.filter((r) => r.outcome === 'accepted');
  if (accepted.length > 0) {
    out.push('', `Accepted by the baseline (${accepted.length}, not failing the run):`);
    for (const a of accepted) {
      const b = a.baseline;
      out.push(`  ~ [${a.node}] ${a.check} ${a.method} ${a.path}: ${a.message}`);
      if (b)
        out.push(
          `      baseline entry ${b.entry}, until ${b.expires}: ${b.reason}${b.ticket ? ` [${b.ticket}]` : ''}${b.firstSeen ? ` (first seen ${b.firstSeen}, last seen ${b.lastSeen ?? b.firstSeen})` : ''}`,
        );
    }
  }
  if (report.baseline) {
    const by = (st: string): number => report.baseline!.entries.filter((e) => e.status === st).length;
    out.push(
      '',
      `Baseline ${report.baseline.file}: ${report.baseline.entries.length} entr${report.baseline.entries.length === 1 ? 'y' : 'ies'}: ${by('accepted')} accepting, ${by('expired')} expired, ${by('stale')} no longer seen, ${by('not-run')} not checked in this run`,
    );
    for (const e of report.baseline.entries.filter((x) => x.status === 'expired'))
      out.push(`  ✗ entry ${e.entry} (${e.check} ${e.operationId ?? e.path}) expired on ${e.expires}: its ${e.matched} failure(s) fail again`);
  }
  for (const t of report.targets) for (const n of t.notes) out.push(`note [${t.node}]: ${n}`);
  const notChecked = report.notChecked ?? [];
  if (notChecked.length > 0) {
    out.push('', `Not checked (${notChecked.length}):`);
    for (const n of notChecked) out.push(`  ? ${notCheckedText(n)}`);
  }
  out.push('', verdictLine(report));
  return `${out.join('\n')}\n`;
}

/** `evidence: fact (vendor page ...)` / `evidence: inference (...)`: the strength and source of a failed or warned row. */
export function evidenceLine(r: CheckResult): string {
  const strength = r.strength === 'soft' ? (r.basis ?? 'soft') : r.strength === 'fact' ? `fact, ${r.basis ?? 'vendor'}` : 'not named';
  return `evidence: ${strength}${r.source ? ` (${r.source})` : ''}`;
}

/** One "not checked" entry as a phrase: `[node] check: what: reason`. */
export function notCheckedText(n: NotChecked): string {
  return `${n.node !== undefined ? `[${n.node}] ` : ''}${n.what}${n.check !== undefined && !n.what.startsWith(n.check) ? ` of ${n.check}` : ''}: ${n.reason}`;
}

/**
 * The verdict: "Conformant" only when everything selected was checked and nothing failed; a
 * run that left something unchecked is "Incomplete" (exit 2), saying what.
 */
export function verdictLine(report: ConformanceReport): string {
  const s = report.summary;
  const strictReadings = s.readingFailures > 0 ? ` (${s.readingFailures} inferences or readings only)` : '';
  const counts = `${s.passed} passed, ${s.failed} failed${strictReadings}, ${s.warnings} warnings (${s.readingWarnings} inferences or readings only), ${s.accepted} accepted, ${s.skipped} skipped`;
  if (report.fatal) return `Could not run: ${report.fatal}`;
  const notChecked = report.notChecked ?? [];
  const what =
    notChecked.length === 0
      ? ''
      : `; not checked: ${notChecked.slice(0, 3).map(notCheckedText).join('; ')}${notChecked.length > 3 ? `; and ${notChecked.length - 3} more` : ''}`;
  if (report.aborted) return `Stopped by ${report.aborted}: incomplete (${counts})${what}`;
  if (notChecked.length > 0) return `Incomplete${s.failed > 0 ? ', not conformant' : ''} (${counts})${what}`;
  return report.exitCode === 0 ? `Conformant: ${counts}` : `Not conformant: ${counts}`;
}

/** A progress line per node comes at least this often while the node still has planned requests. */
export const PROGRESS_INTERVAL_MS = 5_000;

/** `about 3 min 20 s left` from the pace so far. */
export function timeLeft(elapsedMs: number, completed: number, planned: number): string {
  if (completed <= 0) return 'time left unknown';
  const ms = (elapsedMs / completed) * Math.max(0, planned - completed);
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `about ${s} s left`;
  const m = Math.floor(s / 60);
  return `about ${m} min${s % 60 ? ` ${s % 60} s` : ''} left`;
}

interface NodeProgress {
  event: ProgressEvent;
  startedAt: number;
}

/**
 * Live progress on stderr: one rewritten line on a terminal, otherwise a line per phase
 * change. Notices (a lock found, a node given up, a failed rollback) always get a line. On a
 * live run every node that still has planned requests gets a line at least every
 * `intervalMs` (requests done of planned, an estimate of the time left), on a terminal and
 * in a CI log alike, so that a slow node never looks hung.
 */
export function createProgressPrinter(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  isTTY: boolean,
  opts: { intervalMs?: number; now?: () => number } = {},
): {
  onProgress: (e: ProgressEvent) => void;
  done: () => void;
} {
  const now = opts.now ?? Date.now;
  const nodes = new Map<string, NodeProgress>();
  let drawn = false;
  let last = 0;
  const clear = (): void => {
    if (isTTY && drawn) stream.write('\r\u001b[2K');
    drawn = false;
  };
  const line = (p: NodeProgress): string => {
    const e = p.event;
    if (e.planned === undefined) return `[${e.node}] ${e.phase}: ${e.requests} requests, ${e.failed} failed checks so far`;
    const done = e.completed ?? e.requests;
    return `[${e.node}] ${e.phase}: ${done} of ${e.planned} requests done, ${timeLeft(now() - p.startedAt, done, e.planned)}, ${e.failed} failed checks so far`;
  };
  const heartbeat = setInterval(() => {
    for (const p of nodes.values()) {
      const e = p.event;
      if (e.planned === undefined || (e.completed ?? e.requests) >= e.planned) continue;
      clear();
      stream.write(isTTY ? line(p) : `${line(p)}\n`);
      drawn = isTTY;
    }
  }, opts.intervalMs ?? PROGRESS_INTERVAL_MS);
  heartbeat.unref();
  return {
    onProgress(e) {
      if (e.notice) {
        clear();
        stream.write(`${e.notice}\n`);
      }
      const known = nodes.get(e.node);
      const phaseChanged = known?.event.phase !== e.phase;
      const p: NodeProgress = { event: e, startedAt: known?.startedAt ?? now() };
      nodes.set(e.node, p);
      if (isTTY) {
        const t = now();
        if (!phaseChanged && t - last < 100) return;
        last = t;
        stream.write(`\r\u001b[2K${line(p)}`);
        drawn = true;
      } else if (phaseChanged) {
        stream.write(`[${e.node}] ${e.phase}...\n`);
      }
    },
    done() {
      clearInterval(heartbeat);
      clear();
    },
  };
}
