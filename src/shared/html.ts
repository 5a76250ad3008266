/** HTML escaping for the self-contained report pages (conformance and discovery). */
export function htmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The house style of the self-contained report pages (docs/report-theme.md): palette, type scale,
 * page frame, tables, code and summary cards. Each page appends the rules of its own parts.
 */
export const REPORT_BASE_CSS = `:root {
  --font-family-base: system-ui, -apple-system, BlinkMacSystemFont, 'Segoe UI', 'Roboto', 'Helvetica Neue', Arial, sans-serif;
  --font-family-monospaced: ui-monospace, Menlo, Monaco, 'Cascadia Mono', 'Roboto Mono', 'Courier New', monospace;
  --bg-color: #ffffff; --bg-color-tonal: #fbfbfc; --bg-color-inline-code: #ededf2;
  --text-color-primary: #1a1c21; --text-color-secondary: #3b3c45; --border-color-primary: #dcdde5;
  --color-success-base: #1cb854; --color-error-base: #f9316d; --color-warning-base: #ffa02e; --color-info-base: #1f7cff;
  --http-get-color: #25b869; --http-post-color: #1e65f5; --http-put-color: #f5901d; --http-delete-color: #e70b46;
}
* { box-sizing: border-box; }
body { margin:0; font-family:var(--font-family-base); font-size:14px; line-height:22px; color:var(--text-color-primary); background:var(--bg-color); }
header { padding:24px 64px 8px; border-bottom:1px solid var(--border-color-primary); }
header h1 { margin:0; font-size:28px; line-height:36px; font-weight:600; }
header p { margin:4px 0 0; color:var(--text-color-secondary); }
main { padding:8px 64px 48px; max-width:1400px; }
h2 { font-size:20px; font-weight:600; margin:28px 0 8px; }
table { border-collapse:collapse; width:100%; margin:8px 0; }
th, td { border:1px solid var(--border-color-primary); padding:4px 8px; text-align:left; vertical-align:top; color:var(--text-color-secondary); }
th { background:var(--bg-color-tonal); font-weight:600; color:var(--text-color-primary); }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
code { font-family:var(--font-family-monospaced); font-size:12px; line-height:20px; background:var(--bg-color-inline-code); border-radius:4px; padding:0 4px; word-break:break-all; }
.cards { display:flex; gap:12px; flex-wrap:wrap; margin:16px 0; }
.card { border:1px solid var(--border-color-primary); border-radius:6px; padding:10px 16px; min-width:120px; background:var(--bg-color-tonal); }
.card b { display:block; font-size:22px; line-height:30px; }
`;
