/**
 * `npm run bench`: measures the project's own commands and the conformance runner, and prints
 * one markdown table (a script, not a timed test: nothing here fails a build).
 *
 *   npm run bench                               everything (npm test takes a few minutes)
 *   npm run bench -- --no-test                  leave `npm test` out
 *   npm run bench -- --sizes 100,300            other synthetic spec sizes
 *   npm run bench -- --repeat 5                 mock run and floor 5 times each (default 3)
 *   npm run bench -- --quick                    bounded: no npm test, no simulator (unless
 *                                               --simulator-nodes is given), one run each,
 *                                               sizes 100,300 (unless --sizes is given)
 *   npm run bench -- --no-peers                 leave Redocly respect and Portman + Newman out
 *   npm run bench -- --tool-timeout 600         seconds one command may take (default 900)
 *   npm run bench -- --update docs/measurements.md also write the table between the
 *                                               `<!-- bench:start -->` / `<!-- bench:end -->`
 *                                               markers of that file (README.md works too)
 *
 * Rows:
 * - `npm run generate`, `npm run lint`, `npm test`: wall time of the npm command.
 * - mock run: `sps-conformance` (the built bin, dist/conformance/cli.js) with no target, wall
 *   time including Prism's start and stop, next to its floor measured in the same run: Prism
 *   start plus one bare request per (operation, documented status) pair, sent one after the
 *   other with plain fetch.
 * - simulator run: the bin against `startSimulator()` nodes over HTTPS: wall time, requests,
 *   logins per node (from the simulator's own counters).
 * - scale: synthetic specs of N operations (the real path shapes cloned under distinct
 *   prefixes), run against Prism: wall time and peak memory (VmHWM of the runner and of
 *   Prism, sampled from /proc every 50 ms).
 *
 * - peers (scripts/bench/peers.ts): on the bundled spec and each synthetic size, Redocly
 *   `respect` and Portman + Newman against one mock started for them (the runner's own, already
 *   running, so their times do not include its start; the runner's do), next to the runner's
 *   whole-process time on the same spec: wall time, peak memory, requests, ratio to the runner.
 *
 * Everything listens on 127.0.0.1; temporary folders and child processes are removed at the end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startPrism } from '../src/conformance/prism.js';
import { startSimulator } from '../src/simulator/index.js';
import { benchDiscover } from './bench/discover.js';
import { arazzoFor, collectionRequests, installPeers, newmanRequests, NEWMAN_VERSION, PORTMAN_VERSION, portmanConfig, respectRequests } from './bench/peers.js';
import { HTTP_METHODS } from '../src/shared/index.js';
import { readDocument } from '../src/shared/documents.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SPEC_JSON = join(root, 'generated', 'sps-api.json');
const CLI = join(root, 'dist', 'conformance', 'cli.js');
/** Operations that exist once in every SPS API and are not cloned by the scale generator. */
const SINGLE_PATHS = new Set(['/api', '/api/authentication', '/api/transaction', '/api/transaction/changes']);
let childTimeoutMs = 15 * 60_000;

type Json = Record<string, any>;

// ---- options --------------------------------------------------------------------------------

interface Options {
  test: boolean;
  sizes: number[];
  update?: string;
  simulatorNodes: number;
  /** Repetitions of the mock run and its floor (medians are reported). */
  repeat: number;
  quick: boolean;
  peers: boolean;
  simulator: boolean;
  toolTimeoutS: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { test: true, sizes: [100, 300, 1000], simulatorNodes: 2, repeat: 3, quick: false, peers: true, simulator: true, toolTimeoutS: 900 };
  let sizesGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--no-test') o.test = false;
    else if (a === '--quick') {
      o.quick = true;
      o.test = false;
      o.simulator = false;
      o.repeat = 1;
      if (!sizesGiven) o.sizes = [100, 300];
    } else if (a === '--no-peers') o.peers = false;
    else if (a === '--tool-timeout') {
      o.toolTimeoutS = Number(value());
      if (!Number.isInteger(o.toolTimeoutS) || o.toolTimeoutS < 10) throw new Error('--tool-timeout: seconds, at least 10');
    } else if (a === '--sizes') {
      sizesGiven = true;
      o.sizes = value()
        .split(',')
        .map((s) => Number(s.trim()));
      if (o.sizes.some((n) => !Number.isInteger(n) || n < 10 || n > 5000)) throw new Error('--sizes: integers from 10 to 5000');
    } else if (a === '--update') o.update = resolve(value());
    else if (a === '--repeat') {
      o.repeat = Number(value());
      if (!Number.isInteger(o.repeat) || o.repeat < 1 || o.repeat > 9) throw new Error('--repeat: 1 to 9');
    } else if (a === '--simulator-nodes') {
      o.simulator = true; // also after --quick: the simulator run at the spec's real size
      o.simulatorNodes = Number(value());
      if (!Number.isInteger(o.simulatorNodes) || o.simulatorNodes < 1 || o.simulatorNodes > 8) throw new Error('--simulator-nodes: 1 to 8');
    } else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench [-- --no-test] [--quick] [--no-peers] [--sizes 100,300,1000] [--repeat 3] [--tool-timeout 900] [--simulator-nodes 2] [--update FILE]',
      );
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  childTimeoutMs = o.toolTimeoutS * 1000;
  return o;
}

// ---- processes and memory -------------------------------------------------------------------

interface ProcPeak {
  pid: number;
  cmd: string;
  /** Peak resident set size (VmHWM), KiB. */
  hwmKiB: number;
}

interface RunResult {
  ms: number;
  code: number | null;
  output: string;
  /** Per process of the tree, the last VmHWM seen. */
  peaks: ProcPeak[];
  /** Largest sum of VmRSS over the tree seen in one sample, KiB. */
  treeRssKiB: number;
}

function readStatus(pid: number): { hwm: number; rss: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+)/.exec(text);
    const rss = /VmRSS:\s+(\d+)/.exec(text);
    return { hwm: Number(hwm?.[1] ?? 0), rss: Number(rss?.[1] ?? 0) };
  } catch {
    return undefined;
  }
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // the process is gone
  }
  return out;
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Runs a command, timing it and sampling the memory of its process tree. */
function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; sampleMemory?: boolean; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? root,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout ends the command and whatever it started
    });
    const chunks: string[] = [];
    let size = 0;
    const keep = (c: Buffer): void => {
      chunks.push(c.toString('utf8'));
      size += c.length;
      while (size > 256 * 1024 && chunks.length > 1) size -= chunks.shift()!.length;
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const peaks = new Map<number, ProcPeak>();
    let treeRssKiB = 0;
    const sample = (): void => {
      if (child.pid === undefined) return;
      const seen: number[] = [];
      const queue = [child.pid];
      while (queue.length > 0 && seen.length < 256) {
        const pid = queue.shift()!;
        seen.push(pid);
        queue.push(...childrenOf(pid));
      }
      let sum = 0;
      for (const pid of seen) {
        const st = readStatus(pid);
        if (!st) continue;
        sum += st.rss;
        const prev = peaks.get(pid);
        // The command line is read again each time: a child sampled between fork and exec still
        // shows its parent's.
        if (prev) {
          prev.hwmKiB = Math.max(prev.hwmKiB, st.hwm);
          prev.cmd = cmdlineOf(pid) || prev.cmd;
        } else peaks.set(pid, { pid, cmd: cmdlineOf(pid), hwmKiB: st.hwm });
      }
      treeRssKiB = Math.max(treeRssKiB, sum);
    };
    const sampler = opts.sampleMemory ? setInterval(sample, 50) : undefined;
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, childTimeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      reject(err);
    });
    child.once('close', (code) => {
      const ms = performance.now() - started;
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      // Whatever the command left behind in its group (it should be nothing) goes too.
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // group already empty
      }
      resolvePromise({ ms, code, output: chunks.join(''), peaks: [...peaks.values()], treeRssKiB });
    });
  });
}

function npm(script: string): Promise<RunResult> {
  return run('npm', ['run', '--silent', script]);
}

// ---- synthetic specs ------------------------------------------------------------------------

/**
 * The bundled spec with its cloneable operations (everything but login, `/api` and the
 * transaction endpoints) repeated under `/api/copyK/...` prefixes until it has exactly `n`
 * operations. Components are shared; operationIds get a `CopyK` suffix.
 */
export function syntheticSpec(base: Json, n: number): Json {
  const doc = structuredClone(base) as Json;
  const paths: Json = {};
  let count = 0;
  const cloneable: Array<{ path: string; method: string }> = [];
  for (const [path, item] of Object.entries<Json>(base.paths)) {
    for (const m of HTTP_METHODS) {
      if (!item[m]) continue;
      if (SINGLE_PATHS.has(path)) {
        paths[path] ??= Object.fromEntries(Object.entries(item).filter(([k]) => !(HTTP_METHODS as readonly string[]).includes(k)));
        paths[path][m] = item[m];
        count++;
      } else cloneable.push({ path, method: m });
    }
  }
  if (cloneable.length === 0) throw new Error('the spec has no cloneable operations');
  for (let copy = 1; count < n; copy++) {
    for (const { path, method } of cloneable) {
      if (count >= n) break;
      const item = base.paths[path] as Json;
      const newPath = copy === 1 ? path : path.replace(/^\/api\//, `/api/copy${copy}/`);
      paths[newPath] ??= Object.fromEntries(Object.entries(item).filter(([k]) => !(HTTP_METHODS as readonly string[]).includes(k)));
      const op = structuredClone(item[method]) as Json;
      if (copy > 1) op.operationId = `${op.operationId as string}Copy${copy}`;
      paths[newPath][method] = op;
      count++;
    }
  }
  doc.paths = paths;
  doc.info = { ...doc.info, title: `${doc.info.title as string} (synthetic, ${n} operations)` };
  return doc;
}

function countOperations(doc: Json): number {
  return Object.values<Json>(doc.paths).reduce((sum, item) => sum + HTTP_METHODS.filter((m) => item[m]).length, 0);
}

// ---- the floor of a mock run ----------------------------------------------------------------

interface Floor {
  startMs: number;
  requestsMs: number;
  stopMs: number;
  pairs: number;
}

/** Prism start + one bare request per (operation, documented status), sequential, plain fetch. */
async function measureFloor(specFile: string): Promise<Floor> {
  const doc = readDocument(specFile) as Json;
  const pairs: Array<{ method: string; path: string; status: string; cookie: boolean }> = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const m of HTTP_METHODS) {
      const op = item[m] as Json | undefined;
      if (!op) continue;
      const params = [...((item.parameters as Json[] | undefined) ?? []), ...((op.parameters as Json[] | undefined) ?? [])];
      const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const p = params.find((x) => x.name === name && x.in === 'path');
        return encodeURIComponent(String(p?.example ?? p?.schema?.example ?? 'x'));
      });
      const secured = JSON.stringify(op.security ?? doc.security ?? []).includes('sessionCookie');
      for (const status of Object.keys(op.responses as Json)) {
        if (/^\d{3}$/.test(status)) pairs.push({ method: m.toUpperCase(), path: concrete, status, cookie: secured });
      }
    }
  }
  const t0 = performance.now();
  const prism = await startPrism(specFile);
  const t1 = performance.now();
  let t2 = t1;
  try {
    for (const p of pairs) {
      const res = await fetch(`${prism.url}${p.path}`, {
        method: p.method,
        headers: { prefer: `code=${p.status}`, accept: 'application/json', ...(p.cookie ? { cookie: 'session_id=bench' } : {}) },
      });
      await res.arrayBuffer();
    }
    t2 = performance.now();
  } finally {
    if (t2 === t1) t2 = performance.now();
    await prism.close();
  }
  return { startMs: t1 - t0, requestsMs: t2 - t1, stopMs: performance.now() - t2, pairs: pairs.length };
}

// ---- runner runs ----------------------------------------------------------------------------

interface RunnerRun extends RunResult {
  requests: number;
  summary: { passed: number; failed: number; warnings: number; skipped: number } | undefined;
  runnerHwmKiB: number;
  prismHwmKiB: number;
}

async function runRunner(args: string[], reportDir: string, env: NodeJS.ProcessEnv = {}): Promise<RunnerRun> {
  const r = await run(process.execPath, [CLI, ...args, '--report-dir', reportDir], { env, sampleMemory: true });
  let requests = 0;
  let summary: RunnerRun['summary'];
  const file = join(reportDir, 'report.json');
  if (existsSync(file)) {
    const report = readDocument(file) as Json;
    requests = (report.targets as Json[]).reduce((s, t) => s + Number(t.requests ?? 0), 0);
    summary = report.summary as RunnerRun['summary'];
  }
  const runnerHwmKiB = r.peaks.find((p) => p.cmd.includes('conformance/cli.js'))?.hwmKiB ?? 0;
  const prismHwmKiB = Math.max(0, ...r.peaks.filter((p) => /prism|mock\/server\./i.test(p.cmd)).map((p) => p.hwmKiB));
  return { ...r, requests, summary, runnerHwmKiB, prismHwmKiB };
}

/** The element whose key is the median (the lower middle one for an even count). */
function median<T>(xs: T[], key: (x: T) => number): T {
  if (xs.length === 0) throw new Error('median of nothing');
  return [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)]!;
}

// ---- formatting -----------------------------------------------------------------------------

const sec = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const mib = (kib: number): string => (kib > 0 ? `${Math.round(kib / 1024)} MiB` : 'n/a');

interface Row {
  measure: string;
  value: string;
  target: string;
  verdict: string;
}

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? 'met' : '**missed**';
}

function table(rows: Row[]): string {
  const head = '| measure | figure | target | |\n| --- | --- | --- | --- |';
  return [head, ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.target} | ${r.verdict} |`)].join('\n');
}

function exitNote(code: number | null, expected: number[] = [0]): string {
  return expected.includes(code ?? -1) ? '' : ` (exit ${code ?? 'killed'})`;
}

function machine(): string {
  const cpu = cpus()[0]?.model.replace(/\s+/g, ' ').trim() ?? 'unknown CPU';
  const gib = (b: number): string => `${(b / 1024 ** 3).toFixed(1)} GiB`;
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpus().length} CPUs (${cpu}), ${gib(totalmem())} RAM (${gib(freemem())} free at the start), ${platform()} ${release()}, Node ${process.version}; load average at the start ${load}`;
}

// ---- peers ----------------------------------------------------------------------------------

interface PeerSubject {
  n: number;
  label: string;
  file: string;
  ours: RunnerRun;
}

interface PeerRun {
  ms: number;
  /** Largest sum of RSS over the tool's process tree (the mock not included). */
  kib: number;
  requests: number | undefined;
  note: string;
}

const REDOCLY = join(root, 'node_modules', '.bin', 'redocly');

async function runRespect(subject: PeerSubject, url: string, dir: string): Promise<PeerRun> {
  const doc = readDocument(subject.file) as Json;
  const arazzo = join(dir, `bench-${subject.n}.arazzo.yaml`);
  writeFileSync(arazzo, arazzoFor(doc, subject.file));
  const json = join(dir, `respect-${subject.n}.json`);
  const r = await run(
    REDOCLY,
    ['respect', arazzo, '--server', `api=${url}`, '--max-steps', '1000000', '--execution-timeout', String(childTimeoutMs), '-J', json],
    { sampleMemory: true },
  );
  const counts = respectRequests(json);
  const failed = counts && counts.failedSteps > 0 ? `, ${counts.failedSteps} steps failed` : '';
  return { ms: r.ms, kib: r.treeRssKiB, requests: counts?.requests, note: `${exitNote(r.code, [0, 1])}${failed}` };
}

async function runPortmanNewman(subject: PeerSubject, url: string, dir: string, tools: { portman: string; newman: string }): Promise<PeerRun> {
  const doc = readDocument(subject.file) as Json;
  const config = join(dir, `portman-${subject.n}.json`);
  writeFileSync(config, JSON.stringify(portmanConfig(doc)));
  const collection = join(dir, `collection-${subject.n}.json`);
  // Portman writes its working files to tmp/working/ under its working directory: the bench folder.
  const p = await run(
    tools.portman,
    [
      '--local',
      subject.file,
      '--baseUrl',
      url,
      '--portmanConfigFile',
      config,
      '--output',
      collection,
      '--includeTests',
      'true',
      '--syncPostman',
      'false',
      '--runNewman',
      'false',
    ],
    { sampleMemory: true, cwd: dir },
  );
  if (!existsSync(collection)) return { ms: p.ms, kib: p.treeRssKiB, requests: undefined, note: ` (Portman failed${exitNote(p.code)})` };
  const report = join(dir, `newman-${subject.n}.json`);
  const nm = await run(tools.newman, ['run', collection, '-r', 'json', '--reporter-json-export', report], { sampleMemory: true, cwd: dir });
  const counts = newmanRequests(report);
  const failed = counts && counts.failed > 0 ? `, ${counts.failed} of ${counts.assertions} assertions failed` : '';
  // Newman does not write its JSON report when the report is too big for one string; the
  // collection then says how many requests it sent (one per item).
  const fromCollection = counts ? undefined : collectionRequests(collection);
  const requests = counts?.requests ?? fromCollection;
  const source = fromCollection !== undefined ? ' (counted in the collection: no Newman report)' : '';
  return {
    ms: p.ms + nm.ms,
    kib: Math.max(p.treeRssKiB, nm.treeRssKiB),
    requests,
    note: `${source}; Portman ${sec(p.ms)} + Newman ${sec(nm.ms)}${exitNote(nm.code, [0, 1])}${failed}`,
  };
}

/** Runs the peers on every subject against one mock each; returns the side-by-side table. */
async function runPeers(subjects: PeerSubject[], tmp: string, rows: Row[], log: (s: string) => void): Promise<string> {
  const dir = join(tmp, 'peers');
  let tools: { portman: string; newman: string } | undefined;
  try {
    tools = installPeers(join(tmp, 'peer-tools'), log);
  } catch (err) {
    log(`could not install Portman and Newman: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  mkdirSync(dir, { recursive: true });
  const lines = [`| spec | sps-conformance (mock) | Redocly respect | Portman ${PORTMAN_VERSION} + Newman ${NEWMAN_VERSION} |`, '| --- | --- | --- | --- |'];
  const cell = (r: PeerRun | undefined, ours: number): string =>
    r ? `${sec(r.ms)}, ${mib(r.kib)}, ${r.requests ?? '?'} requests (${(r.ms / ours).toFixed(1)}×)${r.note}` : 'not run';
  for (const subject of subjects) {
    const mock = await startPrism(subject.file);
    let respect: PeerRun | undefined;
    let pn: PeerRun | undefined;
    try {
      log(`peers: Redocly respect on ${subject.label}`);
      respect = await runRespect(subject, mock.url, dir);
      if (tools) {
        log(`peers: Portman + Newman on ${subject.label}`);
        pn = await runPortmanNewman(subject, mock.url, dir, tools);
      }
    } finally {
      await mock.close();
    }
    const ours = subject.ours;
    lines.push(
      `| ${subject.label} | ${sec(ours.ms)}, ${mib(ours.treeRssKiB)} (runner + mock), ${ours.requests} requests | ${cell(respect, ours.ms)} | ${cell(pn, ours.ms)} |`,
    );
    const fastest = Math.min(...[respect, pn].filter((x): x is PeerRun => x !== undefined).map((x) => x.ms));
    if (Number.isFinite(fastest)) {
      const ratio = fastest / ours.ms;
      rows.push({
        measure: `peers, ${subject.label}: fastest peer / sps-conformance`,
        value: `${ratio.toFixed(2)}×`,
        target: '≥ 3×',
        verdict: verdict(ratio >= 3),
      });
    }
    if (subject.n === 1000 && pn) {
      const ratio = pn.ms / ours.ms;
      rows.push({
        measure: 'peers, 1,000 operations: Portman + Newman / sps-conformance',
        value: `${ratio.toFixed(2)}×`,
        target: '≥ 10×',
        verdict: verdict(ratio >= 10),
      });
    }
  }
  return lines.join('\n');
}

// ---- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tmp = mkdtempSync(join(tmpdir(), 'sps-bench-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  const machineLine = machine();
  const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);
  const startedAt = new Date().toISOString();
  let peerTable: string | undefined;
  try {
    // Project commands.
    log('npm run generate');
    const gen = await npm('generate');
    rows.push({ measure: '`npm run generate`', value: sec(gen.ms) + exitNote(gen.code), target: '', verdict: '' });
    log('npm run lint');
    const lint = await npm('lint');
    rows.push({ measure: '`npm run lint`', value: sec(lint.ms) + exitNote(lint.code), target: '', verdict: '' });
    if (opts.test) {
      log('npm test (a few minutes)');
      const test = await npm('test');
      const counts = /(\d+ passed, \d+ failed[^\n]*)\s*$/.exec(test.output.trim())?.[1];
      rows.push({ measure: '`npm test`', value: `${sec(test.ms)}${counts ? ` (${counts})` : ''}${exitNote(test.code)}`, target: '', verdict: '' });
    }
    log('npm run build (the bin that is measured)');
    const build = await npm('build');
    rows.push({ measure: '`npm run build`', value: sec(build.ms) + exitNote(build.code), target: '', verdict: '' });
    if (build.code !== 0 || !existsSync(CLI)) throw new Error(`the build failed; cannot measure the runner:\n${build.output.slice(-2000)}`);

    // Mock run and its floor, interleaved and repeated: the median of each is reported, so
    // that a burst of load from elsewhere on the machine does not decide the ratio.
    const floors: Floor[] = [];
    const mocks: RunnerRun[] = [];
    for (let i = 0; i < opts.repeat; i++) {
      log(`floor ${i + 1}/${opts.repeat}: Prism start + one bare request per (operation, status)`);
      floors.push(await measureFloor(SPEC_JSON));
      log(`mock run ${i + 1}/${opts.repeat}: sps-conformance with no target`);
      mocks.push(await runRunner([], join(tmp, `report-mock-${i}`)));
    }
    const floor = median(floors, (f) => f.startMs + f.requestsMs);
    const floorMs = floor.startMs + floor.requestsMs;
    const mock = median(mocks, (m) => m.ms);
    const ratio = mock.ms / floorMs;
    const spread = (xs: number[]): string => (xs.length > 1 ? `; ${opts.repeat} runs: ${xs.map((x) => (x / 1000).toFixed(2)).join(', ')} s` : '');
    rows.push({
      measure: 'mock run: `sps-conformance` (no target), wall incl. Prism start/stop',
      value: `${sec(mock.ms)}, ${mock.requests} requests, peak RSS runner ${mib(mock.runnerHwmKiB)}, Prism ${mib(mock.prismHwmKiB)}${exitNote(mock.code, [0, 1])}${spread(mocks.map((m) => m.ms))}`,
      target: '≤ 3 s',
      verdict: verdict(mock.ms <= 3000),
    });
    rows.push({
      measure: `floor: Prism start + ${floor.pairs} bare requests (sequential fetch)`,
      value: `${sec(floorMs)} (start ${sec(floor.startMs)} + requests ${sec(floor.requestsMs)}; stop ${sec(floor.stopMs)} not counted)${spread(floors.map((f) => f.startMs + f.requestsMs))}`,
      target: '',
      verdict: '',
    });
    rows.push({ measure: 'mock run / floor (medians)', value: `${ratio.toFixed(2)}×`, target: '≤ 1.3×', verdict: verdict(ratio <= 1.3) });

    // Simulator run.
    const sim = opts.simulator ? await startSimulator({ nodes: opts.simulatorNodes, https: true }) : undefined;
    if (sim) log(`simulator run: ${opts.simulatorNodes} nodes over HTTPS`);
    if (sim)
      try {
        const urls = sim.nodes.flatMap((n) => ['--url', n.url]);
        const simArgs = [...urls, '--username', sim.users.admin.username, ...(sim.caFile ? ['--ca', sim.caFile] : ['--insecure'])];
        const simRun = await runRunner(simArgs, join(tmp, 'report-sim'), { SPS_PASSWORD: sim.users.admin.password });
        const logins = sim.nodes.map((n) => n.stats.logins);
        const served = sim.nodes.reduce((s, n) => s + n.stats.requests, 0);
        rows.push({
          measure: `simulator run: ${opts.simulatorNodes} nodes, HTTPS, read-only`,
          value: `${sec(simRun.ms)}, ${simRun.requests} requests (${served} served), logins per node ${logins.join('/')}${exitNote(simRun.code, [0, 1])}`,
          target: '1 login per node',
          verdict: verdict(logins.every((l) => l === 1)),
        });
        if (simRun.summary && simRun.summary.failed > 0) notes.push(`The simulator run reported ${simRun.summary.failed} failed checks (see its report).`);
        for (const n of sim.nodes) n.resetStats();
        const wRun = await runRunner([...simArgs, '--allow-writes'], join(tmp, 'report-sim-writes'), { SPS_PASSWORD: sim.users.admin.password });
        const wLogins = sim.nodes.map((n) => n.stats.logins);
        rows.push({
          measure: `simulator run: ${opts.simulatorNodes} nodes, HTTPS, \`--allow-writes\``,
          value: `${sec(wRun.ms)}, ${wRun.requests} requests, logins per node ${wLogins.join('/')}${exitNote(wRun.code, [0, 1])}`,
          target: '1 login per node',
          verdict: verdict(wLogins.every((l) => l === 1)),
        });
      } finally {
        await sim.close();
      }

    // Discovery crawl of a simulator node that also serves endpoints beyond the contract.
    if (opts.simulator) {
      log('discover: a crawl of a 1-node simulator beyond the contract');
      const d = await benchDiscover();
      rows.push({
        measure: 'discover: crawl of a 1-node simulator (beyond the contract)',
        value: `${sec(d.wallMs)}, ${d.endpoints} endpoints, ${d.requests} requests`,
        target: '',
        verdict: '',
      });
    }

    // Scale.
    const base = readDocument(SPEC_JSON) as Json;
    const scale: Array<{ n: number; ms: number }> = [];
    const bundledOps = countOperations(base);
    const subjects: PeerSubject[] = [{ n: bundledOps, label: `${bundledOps} operations (bundled spec)`, file: SPEC_JSON, ours: mock }];
    for (const n of opts.sizes) {
      const doc = syntheticSpec(base, n);
      const file = join(tmp, `synthetic-${n}.json`);
      writeFileSync(file, JSON.stringify(doc));
      log(`scale: ${countOperations(doc)} operations against Prism`);
      const r = await runRunner(['--spec', file], join(tmp, `report-${n}`));
      scale.push({ n, ms: r.ms });
      subjects.push({ n, label: `${n} operations`, file, ours: r });
      rows.push({
        measure: `scale: ${n} operations, mock (Prism)`,
        value: `${sec(r.ms)}, ${r.requests} requests, peak RSS runner ${mib(r.runnerHwmKiB)}, Prism ${mib(r.prismHwmKiB)}${exitNote(r.code, [0, 1])}`,
        target: n === 1000 ? '≤ 20 s' : '',
        verdict: n === 1000 ? verdict(r.ms <= 20_000) : '',
      });
    }
    if (scale.length >= 2) {
      const per = scale.map((s) => s.ms / s.n);
      const marginal: string[] = [];
      let linear = true;
      for (let i = 1; i < scale.length; i++) {
        const a = scale[i - 1]!;
        const b = scale[i]!;
        const m = (b.ms - a.ms) / (b.n - a.n);
        marginal.push(`${a.n}→${b.n}: ${m.toFixed(1)} ms/op`);
        if (i > 1) {
          const prev = (a.ms - scale[i - 2]!.ms) / (a.n - scale[i - 2]!.n);
          if (m > prev * 1.25 + 0.5) linear = false;
        }
      }
      rows.push({
        measure: 'scale: growth (marginal cost per added operation)',
        value: `${marginal.join(', ')}; overall ${per.map((p) => p.toFixed(1)).join(' / ')} ms/op`,
        target: 'no faster than linear',
        verdict: verdict(linear),
      });
    }
    const s100 = scale.find((x) => x.n === 100);
    const s1000 = scale.find((x) => x.n === 1000);
    if (s100 && s1000) {
      const growth = s1000.ms / s100.ms;
      rows.push({
        measure: 'scale: time(1,000 operations) / time(100 operations)',
        value: `${growth.toFixed(2)}`,
        target: '≤ 11',
        verdict: verdict(growth <= 11),
      });
    }
    const big = subjects.find((x) => x.n === 1000);
    if (big) {
      rows.push({
        measure: 'peak memory at 1,000 operations (runner + its mock, largest sum of RSS seen)',
        value: `${mib(big.ours.treeRssKiB)} (runner ${mib(big.ours.runnerHwmKiB)}, mock ${mib(big.ours.prismHwmKiB)})`,
        target: '≤ 300 MiB',
        verdict: verdict(big.ours.treeRssKiB <= 300 * 1024),
      });
    }

    // Peers, side by side on the same specs and the same mock.
    if (opts.peers) peerTable = await runPeers(subjects, tmp, rows, log);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const out = [
    `Taken ${startedAt.slice(0, 16).replace('T', ' ')} UTC on: ${machineLine}.`,
    '',
    ...(peerTable ? [peerTable, ''] : []),
    table(rows),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
  console.log(out);
  if (opts.update) {
    const text = readFileSync(opts.update, 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${opts.update}: no ${start} ... ${end} markers`);
    writeFileSync(opts.update, `${text.slice(0, a + start.length)}\n${out}\n${text.slice(b)}`);
    log(`updated ${opts.update}`);
  }
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  main().catch((err: unknown) => {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
