/**
 * Builds the standalone HTML API reference from the bundled spec:
 *
 *   npm run docs                      generated/sps-api.yaml -> docs-site/index.html
 *   npm run docs -- --spec F --out D  another bundled spec / output folder (tests, bench)
 *
 * It runs `redocly build-docs --inlineBundle`, so the page carries the Redoc scripts inside it
 * and opens without network access (the default page loads Redoc from a CDN). Redocly's
 * telemetry and update notice are switched off, and the boxed banners it prints on every run
 * (the Node 20 end-of-life notice, the "now renders with Redoc 3" notice) are filtered out of
 * what this script prints.
 *
 * Every operation's description starts with the SPS versions that document it
 * (`x-sps-versions`), and `npm run docs` also writes one page per release line
 * (docs-site/<line>/index.html, from generated/sps-api-<line>.yaml); each page's introduction
 * links the others, so a reader picks a version.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { HTTP_METHODS } from '../src/shared/index.js';
import { readDocument } from '../src/shared/documents.js';

const execFileAsync = promisify(execFile);

export const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const defaultSpec = join(root, 'generated', 'sps-api.yaml');
export const defaultOutDir = join(root, 'docs-site');

export interface DocsOptions {
  /** Bundled spec (YAML or JSON). Default: generated/sps-api.yaml. */
  spec?: string;
  /** Output folder; the page is written as `index.html` in it. Default: docs-site/. */
  outDir?: string;
  /** Page title. Default: the spec's info.title. */
  title?: string;
  /** A line of markdown put first in the introduction (the version picker). */
  picker?: string;
}

type Json = any;

/** A copy of `doc` whose operations' descriptions start with their SPS versions, and whose introduction starts with `picker`. */
export function annotateVersions(doc: Json, picker?: string): Json {
  const out = structuredClone(doc);
  for (const item of Object.values<Json>(out.paths ?? {}))
    for (const m of HTTP_METHODS) {
      const op = item?.[m];
      if (!op || typeof op['x-sps-versions'] !== 'string') continue;
      const note = `**SPS versions:** \`${op['x-sps-versions']}\``;
      op.description = op.description ? `${note}\n\n${op.description}` : note;
    }
  if (picker) out.info = { ...out.info, description: `${picker}\n\n${out.info?.description ?? ''}` };
  return out;
}

export interface DocsResult {
  file: string;
  bytes: number;
  /** Redocly's own messages, without the banners. */
  log: string;
}

/**
 * Drops the boxed notices (lines drawn with ╔ ║ ╚), npm's `nodedir` warning and blank runs
 * from Redocly's output; keeps everything else (errors in particular).
 */
export function filterRedoclyOutput(text: string): string {
  const out: string[] = [];
  let inBox = false;
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t.startsWith('╔')) {
      inBox = true;
      continue;
    }
    if (inBox) {
      if (t.startsWith('╚')) inBox = false;
      continue;
    }
    if (/Unknown user config "nodedir"/.test(t)) continue;
    // Progress lines that our own one-line summary replaces.
    if (/^(Found \S+ and using '\w+' options|Prerendering docs|🎉 bundled successfully in:)/u.test(t)) continue;
    if (t === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line.replace(/\s+$/, ''));
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

export async function buildDocs(opts: DocsOptions = {}): Promise<DocsResult> {
  const spec = resolve(opts.spec ?? defaultSpec);
  const outDir = resolve(opts.outDir ?? defaultOutDir);
  const file = join(outDir, 'index.html');
  mkdirSync(outDir, { recursive: true });
  // The spec with each operation's versions in its description (and the picker, when given).
  const tmp = mkdtempSync(join(tmpdir(), 'sps-docs-'));
  let annotated = spec;
  try {
    const doc = readDocument(spec) as Json;
    if (doc && typeof doc === 'object' && doc.paths) {
      annotated = join(tmp, 'spec.yaml');
      writeFileSync(annotated, stringify(annotateVersions(doc, opts.picker), { lineWidth: 0 }));
    }
  } catch {
    annotated = spec; // Redocly says why it cannot read it.
  }
  try {
    return await runBuildDocs(annotated, file, opts);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The release lines that have a bundle in generated/ (`6.x`, `7.x`, ...). */
export function releaseLinesOf(dir = join(root, 'generated')): string[] {
  return readdirSync(dir)
    .map((f) => /^sps-api-(\d+\.x)\.yaml$/.exec(f)?.[1])
    .filter((l): l is string => l !== undefined)
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
}

/** The whole-API page and one page per release line, each introduction linking the others. */
export async function buildVersionedDocs(outDir = defaultOutDir): Promise<DocsResult[]> {
  const lines = releaseLinesOf();
  const picker = (current: string | undefined, depth: number) => {
    const up = depth === 0 ? '' : '../';
    const links = [current === undefined ? '**every version**' : `[every version](${up}index.html)`];
    for (const l of lines) links.push(l === current ? `**SPS ${l}**` : `[SPS ${l}](${up}${l}/index.html)`);
    return `Version: ${links.join(' · ')}`;
  };
  const results = [await buildDocs({ spec: defaultSpec, outDir, picker: picker(undefined, 0) })];
  for (const line of lines)
    results.push(await buildDocs({ spec: join(root, 'generated', `sps-api-${line}.yaml`), outDir: join(outDir, line), picker: picker(line, 1) }));
  return results;
}

async function runBuildDocs(spec: string, file: string, opts: DocsOptions): Promise<DocsResult> {
  const args = ['build-docs', spec, '--output', file, '--inlineBundle', '--lint-config', 'off'];
  if (opts.title) args.push('--title', opts.title);
  const env = {
    ...process.env,
    REDOCLY_TELEMETRY: 'off',
    REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    NO_COLOR: '1',
  };
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await execFileAsync(join(root, 'node_modules', '.bin', 'redocly'), args, {
      cwd: root,
      env,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
      timeout: 120_000,
    }));
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const text = filterRedoclyOutput(`${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    throw new Error(`redocly build-docs failed:\n${text || e.message}`);
  }
  const bytes = statSync(file).size;
  // A page that still points at the CDN would not open offline: treat it as a failed build.
  const html = readFileSync(file, 'utf8');
  if (/<script[^>]+src=["']https?:/i.test(html) || /import \{ hydrate \} from "https?:/.test(html)) {
    throw new Error(`${file} loads Redoc from the network; expected an inline bundle`);
  }
  return { file, bytes, log: filterRedoclyOutput(`${stdout}\n${stderr}`) };
}

function parseArgs(argv: string[]): DocsOptions {
  const opts: DocsOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--spec') opts.spec = value();
    else if (a === '--out') opts.outDir = value();
    else if (a === '--title') opts.title = value();
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run docs [-- --spec generated/sps-api.yaml] [--out docs-site] [--title T]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

async function main(): Promise<void> {
  const started = performance.now();
  const opts = parseArgs(process.argv.slice(2));
  const results = opts.spec === undefined && opts.title === undefined ? await buildVersionedDocs(opts.outDir) : [await buildDocs(opts)];
  const ms = Math.round(performance.now() - started);
  for (const result of results) {
    if (result.log) console.log(result.log);
    console.log(`docs: wrote ${relative(process.cwd(), result.file) || result.file} (${Math.ceil(result.bytes / 1024)} KiB, standalone)`);
  }
  console.log(`docs: ${results.length} page(s) in ${ms} ms`);
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  });
}
