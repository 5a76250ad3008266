/**
 * The discovery reports: a console table, `discovery.json` and `discovery.html` (one
 * self-contained page, inline CSS, no scripts, in the house style of the conformance report).
 * Every text passes through the SecretRegistry. Bodies are never part of a report.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretRegistry } from '../redact.js';
import { htmlEscape, REPORT_BASE_CSS } from '../shared/html.js';
import { mediaTypeBase } from '../shared/index.js';
import type { ClassifiedEndpoint, DiscoveryReport } from './classify.js';

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function note(e: ClassifiedEndpoint): string {
  return e.error ?? (e.body_skipped ? `body not read (${e.body_skipped})` : '');
}

export function renderConsole(r: DiscoveryReport): string {
  const out: string[] = [];
  for (const n of r.nodes) {
    out.push(`\n${n.node} ${n.url}${n.version ? ` (SPS ${n.version})` : ''}: ${n.requests} requests, ${n.logins} login`);
    if (n.endpoints.length > 0) {
      const rows = [['path', 'status', 'content type', 'shape', 'in spec', 'operationId', 'note']];
      for (const e of n.endpoints)
        rows.push([e.path, String(e.status), mediaTypeBase(e.content_type), e.shape, e.in_spec ? 'yes' : 'NO', e.operationId ?? '', note(e)]);
      out.push(pad(rows));
    }
    for (const c of n.collections) out.push(`sampled ${c.path}: ${c.sampled.length} of ${c.listed} items`);
    if (n.spec_not_found.length) out.push(`spec paths answered 404: ${n.spec_not_found.join(', ')}`);
    if (n.spec_not_listed.length) out.push(`spec paths not listed: ${n.spec_not_listed.join(', ')}`);
    out.push(`found ${n.totals.found}, covered by the contract ${n.totals.covered}, not covered ${n.totals.not_covered}`);
  }
  if (r.differences.length > 0) {
    const names = r.nodes.map((n) => n.node);
    const rows = [['endpoint', 'in spec', ...names]];
    for (const d of r.differences) rows.push([d.template, d.in_spec ? 'yes' : 'NO', ...names.map((n) => (d.status[n] === null ? '-' : String(d.status[n])))]);
    out.push('\nDifferences between nodes (status; - = not found):', pad(rows));
  }
  out.push(`\nTotal: ${r.totals.found} endpoints found, ${r.totals.covered} covered by the contract, ${r.totals.not_covered} not covered`);
  for (const m of r.messages) out.push(`! ${m}`);
  return `${out.join('\n')}\n`;
}

// The conformance report's house style (src/shared/html.ts), and this page's own parts.
const CSS = `
${REPORT_BASE_CSS}.message { padding:10px 16px; border-radius:6px; margin-top:12px; border:1px solid var(--color-warning-base); }
tr.uncovered td:first-child { border-left:4px solid var(--color-warning-base); font-weight:600; }
.yes { color:var(--color-success-base); } .no { color:var(--color-warning-base); } .err { color:var(--color-error-base); }
`;

function endpointRows(endpoints: ClassifiedEndpoint[]): string {
  return endpoints
    .map((e) => {
      const cls = e.status === 0 || e.status >= 500 ? 'err' : '';
      return (
        `<tr class="${e.in_spec ? 'covered' : 'uncovered'}"><td><code>${htmlEscape(e.path)}</code>${e.template !== e.path ? `<br><small>${htmlEscape(e.template)}</small>` : ''}</td>` +
        `<td class="${cls}">${e.status}</td><td>${htmlEscape(e.content_type)}</td><td>${e.shape}</td>` +
        `<td class="${e.in_spec ? 'yes' : 'no'}">${e.in_spec ? 'yes' : 'no'}</td><td>${htmlEscape(e.operationId ?? '')}</td><td>${htmlEscape(note(e))}</td></tr>`
      );
    })
    .join('\n');
}

export function renderHtml(r: DiscoveryReport): string {
  const parts: string[] = [];
  parts.push(
    `<div class="cards"><div class="card"><b>${r.totals.found}</b>endpoints found</div><div class="card"><b>${r.totals.covered}</b>covered by the contract</div><div class="card"><b>${r.totals.not_covered}</b>not covered</div><div class="card"><b>${r.nodes.length}</b>nodes</div></div>`,
  );
  for (const m of r.messages) parts.push(`<p class="message">${htmlEscape(m)}</p>`);
  if (r.differences.length > 0) {
    const names = r.nodes.map((n) => n.node);
    parts.push(
      `<h2>Differences between nodes</h2><table><thead><tr><th>endpoint</th><th>in spec</th>${names.map((n) => `<th>${htmlEscape(n)}</th>`).join('')}</tr></thead><tbody>`,
    );
    for (const d of r.differences) {
      parts.push(
        `<tr><td><code>${htmlEscape(d.template)}</code></td><td class="${d.in_spec ? 'yes' : 'no'}">${d.in_spec ? 'yes' : 'no'}</td>${names.map((n) => `<td>${d.status[n] === null ? '–' : d.status[n]}</td>`).join('')}</tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  for (const n of r.nodes) {
    parts.push(`<h2>${htmlEscape(n.node)}: <code>${htmlEscape(n.url)}</code>${n.version ? ` SPS ${htmlEscape(n.version)}` : ''}</h2>`);
    parts.push(
      `<p>${n.requests} requests, ${n.logins} login, ${n.duration_ms} ms. Found ${n.totals.found}, covered ${n.totals.covered}, not covered ${n.totals.not_covered}.</p>`,
    );
    if (n.endpoints.length > 0) {
      parts.push(
        `<table><thead><tr><th>path</th><th>status</th><th>content type</th><th>shape</th><th>in spec</th><th>operationId</th><th>note</th></tr></thead><tbody>\n${endpointRows(n.endpoints)}\n</tbody></table>`,
      );
    }
    if (n.collections.length > 0) {
      parts.push(`<p>Sampled collections: ${n.collections.map((c) => `<code>${htmlEscape(c.path)}</code> ${c.sampled.length} of ${c.listed}`).join(', ')}</p>`);
    }
    if (n.spec_not_found.length > 0) parts.push(`<p>Spec paths answered 404: ${n.spec_not_found.map((p) => `<code>${htmlEscape(p)}</code>`).join(' ')}</p>`);
    if (n.spec_not_listed.length > 0) parts.push(`<p>Spec paths not listed: ${n.spec_not_listed.map((p) => `<code>${htmlEscape(p)}</code>`).join(' ')}</p>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SPS API discovery</title><style>${CSS}</style></head>
<body><header><h1>SPS API discovery</h1><p>What the nodes serve, against ${htmlEscape(r.spec.file)} (version ${htmlEscape(r.spec.version)}), ${htmlEscape(r.started_at)}</p></header>
<main>
${parts.join('\n')}
</main></body></html>
`;
}

/** Writes `discovery.json` and `discovery.html` to `dir`; returns the files. */
export function writeDiscoveryReports(r: DiscoveryReport, dir: string, secrets: SecretRegistry): string[] {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'discovery.json');
  const html = join(dir, 'discovery.html');
  writeFileSync(json, secrets.redact(`${JSON.stringify(r, null, 2)}\n`));
  writeFileSync(html, secrets.redact(renderHtml(r)));
  return [json, html];
}
