import { accessCellLabel, accessNodes, perCheckCounts, type ConformanceReport, type TargetInfo } from './report.js';
import { notCheckedText } from './console.js';
import { CHECK_NAMES } from '../checks/index.js';
import type { CheckResult } from '../check-api.js';
import { htmlEscape, REPORT_BASE_CSS } from '../../shared/html.js';

const CSS = `
${REPORT_BASE_CSS}.verdict { font-weight:600; padding:10px 16px; border-radius:6px; margin-top:16px; border:1px solid var(--border-color-primary); }
.verdict::before { content:""; display:inline-block; width:10px; height:10px; border-radius:50%; margin-right:8px; }
.verdict.ok::before { background:var(--color-success-base); }
.verdict.bad::before { background:var(--color-error-base); }
.passed { color:var(--color-success-base); }
.failed { color:var(--color-error-base); }
.warning { color:var(--color-warning-base); }
.skipped, .none { color:var(--color-info-base); }
.accepted { color:var(--text-color-secondary); }
tr.accepted td:first-child { border-left:4px solid var(--text-color-secondary); }
td.cell { text-align:center; font-weight:600; }
tr.failed td:first-child { border-left:4px solid var(--color-error-base); font-weight:600; }
tr.warning td:first-child { border-left:4px solid var(--color-warning-base); }
span.st { display:inline-block; margin:1px 6px 1px 0; font-family:var(--font-family-monospaced); font-size:12px; }
span.st::before { content:""; display:inline-block; width:8px; height:8px; border-radius:50%; margin-right:4px; }
span.st.hit::before { background:var(--color-success-base); }
span.st.miss::before { background:var(--color-error-base); }
span.st.na::before { background:var(--border-color-primary); }
details summary { cursor:pointer; color:var(--color-info-base); margin:8px 0; }
.method { font-family:var(--font-family-monospaced); font-size:12px; font-weight:700; }
.method.GET { color:var(--http-get-color); } .method.POST { color:var(--http-post-color); }
.method.PUT { color:var(--http-put-color); } .method.DELETE { color:var(--http-delete-color); }
`;

/** What the run left on a node's lock: the state, and for a lock that may be held until when and how to release it. */
function lockCell(t: TargetInfo): string {
  const l = t.lock;
  if (!l) return 'n/a';
  if (l.state !== 'may be held') return htmlEscape(l.state);
  return `<b>may be held until ${htmlEscape(l.until ?? '')}</b>; to release it now:<br><code>${(l.release ?? []).map(htmlEscape).join('<br>')}</code>`;
}

/** Escapes a source line; its https links become links. */
function linkify(text: string): string {
  return htmlEscape(text).replace(/https:\/\/[^\s,<>&"]+/g, (u) => `<a href="${u}">${u}</a>`);
}

function outcomeLabel(o: string): string {
  return o === 'none' ? '–' : o;
}

function resultRow(r: CheckResult): string {
  return (
    `<tr class="${r.outcome}"><td class="${r.outcome}">${htmlEscape(r.outcome)}</td><td>${htmlEscape(r.check)}</td><td>${htmlEscape(r.node)}${r.user !== undefined ? `<br><small>as ${htmlEscape(r.user)}</small>` : ''}</td>` +
    `<td><span class="method ${htmlEscape(r.method)}">${htmlEscape(r.method)}</span> <code>${htmlEscape(r.path)}</code><br><small>${htmlEscape(r.operationId)}</small></td>` +
    `<td>${r.strength === 'soft' ? `<b>${htmlEscape(r.basis ?? 'soft')} only</b> ` : ''}${htmlEscape(r.message)}${(r.outcome === 'failed' || r.outcome === 'warning') && r.source ? `<br><small>evidence: ${htmlEscape(r.strength === 'fact' ? `fact, ${r.basis ?? 'vendor'}` : (r.basis ?? 'soft'))}: ${linkify(r.source)}</small>` : ''}${r.baseline && r.outcome !== 'warning' ? `<br><small>baseline entry ${r.baseline.entry} (${htmlEscape(r.baseline.status)}, until ${htmlEscape(r.baseline.expires)}${r.baseline.ticket ? `, ${htmlEscape(r.baseline.ticket)}` : ''}${r.baseline.firstSeen ? `, first seen ${htmlEscape(r.baseline.firstSeen)}, last seen ${htmlEscape(r.baseline.lastSeen ?? r.baseline.firstSeen)}` : ''}): ${htmlEscape(r.baseline.reason)}</small>` : ''}${r.curl ? `<br><code>${r.curl.split('\n').map(htmlEscape).join('<br>')}</code>` : ''}</td></tr>`
  );
}

/** A table of result rows, one row at a time. */
function* resultTable(rows: CheckResult[], empty: string): Generator<string> {
  if (rows.length === 0) {
    yield `<p>${htmlEscape(empty)}</p>`;
    return;
  }
  yield '<table><thead><tr><th>outcome</th><th>check</th><th>node</th><th>operation</th><th>message / reproduce</th></tr></thead><tbody>\n';
  let sep = '';
  for (const r of rows) {
    yield `${sep}${resultRow(r)}`;
    sep = '\n';
  }
  yield '\n</tbody></table>';
}

/** `report.html` as one string (see {@link htmlChunks}). */
export function renderHtml(report: ConformanceReport): string {
  return [...htmlChunks(report)].join('');
}

/** `report.html`: one self-contained page (inline CSS, no scripts), produced piece by piece (the result tables one row at a time). */
export function* htmlChunks(report: ConformanceReport): Generator<string> {
  const s = report.summary;
  const ok = report.exitCode === 0;
  const notChecked = report.notChecked ?? [];
  const verdict = report.fatal
    ? `Could not run: ${report.fatal}`
    : report.aborted
      ? `Stopped by ${report.aborted}: incomplete, ${notChecked.length} part${notChecked.length === 1 ? '' : 's'} not checked`
      : notChecked.length > 0
        ? `Incomplete: ${notChecked.length} part${notChecked.length === 1 ? '' : 's'} not checked${s.failed > 0 ? `; ${s.failed} violation${s.failed === 1 ? '' : 's'} found` : ''}`
        : ok
          ? `Conformant: no violations found${s.accepted > 0 ? ` (${s.accepted} accepted by the baseline)` : ''}${s.readingWarnings > 0 ? `; ${s.readingWarnings} readings-only warning${s.readingWarnings === 1 ? '' : 's'}` : ''}`
          : `${s.failed} violation${s.failed === 1 ? '' : 's'} found`;
  const nodes = Object.keys(report.matrix);
  const usedChecks = CHECK_NAMES.filter((c) => nodes.some((n) => report.matrix[n]?.[c] !== 'none'));
  // One row per check, one column per node: stays readable with many checks and a few nodes.
  const matrix = `<div style="overflow-x:auto"><table><thead><tr><th>check</th>${nodes.map((n) => `<th>${htmlEscape(n)}</th>`).join('')}</tr></thead><tbody>${usedChecks
    .map(
      (c) =>
        `<tr><th>${htmlEscape(c)}</th>${nodes
          .map((n) => {
            const cell = report.matrix[n]?.[c] ?? 'none';
            return `<td class="cell ${cell}">${outcomeLabel(cell)}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('')}</tbody></table></div>`;
  const access = report.access ?? [];
  const accessNodeList = accessNodes(report);
  // One row per (user, operation): what the roles file expects, what each node did.
  // The node x version table heads the report (with the clusters the run found).
  const liveTargets = report.targets.filter((t) => t.kind === 'live');
  const clusterOf = (node: string): string => {
    const g = (report.clusters ?? []).find((c) => c.nodes.includes(node));
    return !g ? '-' : g.nodes.length > 1 ? `one cluster: ${g.nodes.join(', ')} (${g.reason})` : g.reason;
  };
  const nodeVersions =
    liveTargets.length === 0
      ? ''
      : `<section id="nodes"><h2>Node × version</h2><table><thead><tr><th>node</th><th>url</th><th>SPS version</th><th>cluster</th></tr></thead><tbody>${liveTargets.map((t) => `<tr><td>${htmlEscape(t.node)}</td><td><code>${htmlEscape(t.url)}</code></td><td>${htmlEscape(t.version ?? 'unknown')}</td><td>${htmlEscape(clusterOf(t.node))}</td></tr>`).join('')}</tbody></table></section>`;
  const accessMatrix =
    access.length === 0
      ? ''
      : `<section id="access"><h2>User × operation</h2><p>Expected by the roles file, then what each node did (allowed: 2xx, denied: 401/403).</p><div style="overflow-x:auto"><table><thead><tr><th>user</th><th>operation</th><th>expected</th>${accessNodeList.map((n) => `<th>${htmlEscape(n)}</th>`).join('')}</tr></thead><tbody>${access
          .map(
            (r) =>
              `<tr><td>${htmlEscape(r.user)}</td><td><span class="method ${htmlEscape(r.method)}">${htmlEscape(r.method)}</span> <code>${htmlEscape(r.path)}</code><br><small>${htmlEscape(r.operationId)} · ${htmlEscape(r.rule)}</small></td><td>${htmlEscape(r.expected)}</td>${accessNodeList
                .map((n) => {
                  const c = r.nodes[n];
                  return `<td class="cell ${c?.outcome ?? 'none'}">${htmlEscape(accessCellLabel(c))}</td>`;
                })
                .join('')}</tr>`,
          )
          .join('\n')}</tbody></table></div></section>`;
  const cov = report.coverage;
  const coverage = `<p>${cov.exercised} of ${cov.total} documented (operation, status) pairs exercised: <b>${cov.percent}%</b></p>
<table><thead><tr><th>operation</th><th>statuses (green: exercised, red: not exercised)</th></tr></thead><tbody>${cov.rows
    .map(
      (row) =>
        `<tr><td><span class="method ${htmlEscape(row.method)}">${htmlEscape(row.method)}</span> <code>${htmlEscape(row.path)}</code><br><small>${htmlEscape(row.operationId)}</small></td><td>${row.cells
          .map(
            (c) =>
              `<span class="st ${!c.countable ? 'na' : c.exercised ? 'hit' : 'miss'}" title="${c.exercised ? 'exercised' : c.countable ? 'not exercised' : 'not a concrete status'}">${htmlEscape(c.status)}</span>`,
          )
          .join('')}</td></tr>`,
    )
    .join('\n')}</tbody></table>`;
  const targets = `<table><thead><tr><th>node</th><th>url</th><th>kind</th><th>version</th><th>logged in</th><th>transaction at start</th><th>writes</th><th>lock at the end</th><th>requests</th><th>notes</th></tr></thead><tbody>${report.targets
    .map(
      (t) =>
        `<tr><td>${htmlEscape(t.node)}</td><td><code>${htmlEscape(t.url)}</code></td><td>${t.kind}</td><td>${htmlEscape(t.version ?? 'n/a')}</td><td>${t.kind === 'mock' ? 'n/a' : t.loggedIn ? 'yes' : 'no'}</td><td>${htmlEscape(t.transactionAtStart)}</td><td>${htmlEscape(t.writes)}</td><td>${lockCell(t)}</td><td class="num">${t.requests}</td><td>${htmlEscape([...(t.unusable ? [`not used: ${t.unusable}`] : []), ...t.notes].join('; '))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const perCheck = `<table><thead><tr><th>check</th><th>passed</th><th>failed</th><th>warnings</th><th>skipped</th><th>accepted</th></tr></thead><tbody>${perCheckCounts(
    report,
  )
    .map(
      (c) =>
        `<tr><td>${c.check}</td><td class="num passed">${c.passed}</td><td class="num failed">${c.failed}</td><td class="num warning">${c.warning}</td><td class="num skipped">${c.skipped}</td><td class="num accepted">${c.accepted}</td></tr>`,
    )
    .join('')}</tbody></table>`;
  const failures = report.results.filter((r) => r.outcome === 'failed');
  const warnings = report.results.filter((r) => r.outcome === 'warning');
  const skipped = report.results.filter((r) => r.outcome === 'skipped');
  const accepted = report.results.filter((r) => r.outcome === 'accepted');
  const baseline = report.baseline
    ? `<section id="baseline"><h2>Baseline</h2><p><code>${htmlEscape(report.baseline.file)}</code></p><table><thead><tr><th>entry</th><th>check</th><th>operation / path</th><th>status</th><th>matched</th><th>expires</th><th>reason</th></tr></thead><tbody>${report.baseline.entries
        .map(
          (e) =>
            `<tr class="${e.status === 'expired' ? 'failed' : e.status === 'stale' ? 'warning' : 'accepted'}"><td class="num">${e.entry}</td><td>${htmlEscape(e.check)}</td><td>${htmlEscape(e.operationId ?? e.path ?? '')}</td><td>${htmlEscape(e.status === 'stale' ? 'no longer seen on this appliance: remove it' : e.status)}</td><td class="num">${e.matched}</td><td>${htmlEscape(e.expires)}</td><td>${htmlEscape(e.reason)}</td></tr>`,
        )
        .join('')}</tbody></table></section>`
    : '';
  yield `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPS conformance report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>SPS REST API conformance report</h1>
<p>${htmlEscape(report.spec.title)} ${htmlEscape(report.spec.version)} · ${htmlEscape(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · exit code ${report.exitCode}</p>
</header>
<main>
${nodeVersions}
<section id="summary">
<div class="verdict ${ok ? 'ok' : 'bad'}">${htmlEscape(verdict)}</div>
<div class="cards">
<div class="card passed"><b>${s.passed}</b>passed</div>
<div class="card failed"><b>${s.failed}</b>failed</div>
<div class="card warning"><b>${s.warnings}</b>warnings</div>
<div class="card skipped"><b>${s.skipped}</b>skipped</div>
<div class="card accepted"><b>${s.accepted}</b>accepted</div>
<div class="card warning readings"><b>${s.readingWarnings}</b>readings-only warnings</div>
<div class="card"><b>${cov.percent}%</b>coverage</div>
</div>
</section>
${notChecked.length > 0 ? `<section id="not-checked"><h2>Not checked (${notChecked.length})</h2><ul>${notChecked.map((n) => `<li class="failed">${htmlEscape(notCheckedText(n))}</li>`).join('')}</ul></section>` : ''}
<section id="targets"><h2>Targets</h2>${targets}</section>
<section id="matrix"><h2>Node × check</h2>${matrix}</section>
${accessMatrix}
<section id="checks"><h2>Checks</h2>${perCheck}</section>
<section id="failures"><h2>Failures (${failures.length})</h2>`;
  yield* resultTable(failures, 'No failures.');
  yield `</section>
<section id="accepted"><h2>Accepted by the baseline (${accepted.length})</h2>`;
  yield* resultTable(accepted, 'Nothing accepted.');
  yield `</section>
${baseline}
<section id="warnings"><h2>Warnings (${warnings.length})</h2>`;
  yield* resultTable(warnings, 'No warnings.');
  yield `</section>
<section id="coverage"><h2>Coverage</h2>${coverage}</section>
<section id="skipped"><h2>Skipped (${skipped.length})</h2><details><summary>show skipped checks and their reasons</summary>`;
  yield* resultTable(skipped, 'Nothing skipped.');
  yield `</details></section>
<section id="all"><h2>All results (${report.results.length})</h2><details><summary>show every result</summary>`;
  yield* resultTable(report.results, 'No results.');
  yield `</details></section>
</main>
</body>
</html>
`;
}
