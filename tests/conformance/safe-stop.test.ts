/**
 * Issue 18: a live run is safe however it stops. `npm run conformance -- --url ... --allow-writes`
 * is started exactly as the docs show it, in its own process group, against a simulator with
 * 200 ms of latency per request; SIGINT (or SIGTERM) goes to the whole group during the write
 * phase, as a terminal's Ctrl-C does. The run must exit 130 (143) within one round trip plus a
 * second, and a new session must be able to open a transaction at once. The same with
 * --deadline (exit 2).
 */
import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const PASSWORD = 'safe-stop-test-password';
const LATENCY_MS = 200;
const HAVE_SPEC = existsSync(join(process.cwd(), 'generated', 'sps-api.json'));
/**
 * "One round trip plus a second" on an idle machine. On a loaded one (CI, parallel agents) every
 * step is slower by about the load per core: the bound grows with it, at most four times.
 */
const SLOWDOWN = Math.min(4, Math.max(1, loadavg()[0]! / cpus().length));
const STOP_BOUND_MS = (LATENCY_MS + 1000) * SLOWDOWN;

interface Run {
  child: ChildProcess;
  out: () => string;
  /** npm's exit, then the whole process group gone (node included): its status as a shell sees it, and when. */
  exited: Promise<{ code: number | null; at: number }>;
  /** Resolves when the run's progress shows the write phase and the node holds its transaction. */
  writing: Promise<number>;
  /** When the runner's first progress line came (the runner is up and logged in). */
  firstLineAt: () => number | undefined;
}

function startRun(sim: SimulatorHandle, extra: string[], reportDir: string): Run {
  const node = sim.nodes[0]!;
  const child = spawn(
    'npm',
    ['run', '--silent', 'conformance', '--', '--url', node.url, '--username', 'admin', '--allow-writes', '--report-dir', reportDir, ...extra],
    {
      cwd: process.cwd(),
      env: { ...process.env, SPS_PASSWORD: PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, like a job in a terminal
    },
  );
  let out = '';
  let firstLineAt: number | undefined;
  const t0 = Date.now();
  const mark = (d: Buffer): void => {
    const text = d.toString();
    if (process.env.SAFE_STOP_DEBUG)
      for (const l of text.split('\n')) if (/received|Lock:|Reports:|Stopped by/.test(l)) process.stderr.write(`+${Date.now() - t0} ${l.slice(0, 80)}\n`);
    out += text;
    if (firstLineAt === undefined && /\] transaction status/.test(out)) firstLineAt = Date.now();
  };
  child.stdout!.on('data', mark);
  child.stderr!.on('data', mark);
  const npmExit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const exited = npmExit.then(async ({ code, signal }) => {
    // npm may re-raise the signal on itself: a shell then sees 128 + its number, as for the runner.
    const status = code ?? (signal ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[signal]! : null);
    while (groupAlive(child.pid!)) await new Promise((r) => setTimeout(r, 20));
    return { code: status, at: Date.now() };
  });
  const writing = new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/\] writes\.\.\./.test(out) && node.state.openTransaction() !== null) {
        clearInterval(timer);
        resolve(Date.now());
      }
    }, 20);
    void exited.then(() => {
      clearInterval(timer);
      reject(new Error(`the run ended before its writes: ${out.slice(-2000)}`));
    });
  });
  return { child, out: () => out, exited, writing, firstLineAt: () => firstLineAt };
}

/**
 * Whether a process of the group still runs. An exited process that nobody reaped yet (npm exits
 * on SIGTERM without waiting for its child, which then waits for init) does not count.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  try {
    return execSync(`ps -o stat= -g ${pgid}`)
      .toString()
      .split('\n')
      .some((s) => s.trim() !== '' && !s.trim().startsWith('Z'));
  } catch {
    return false; // ps found none
  }
}

/** A new session: login, then POST /api/transaction; returns its status (and rolls it back). */
async function newSessionOpens(sim: SimulatorHandle): Promise<number> {
  const url = sim.nodes[0]!.url;
  const login = await fetch(`${url}/api/authentication`, { headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` } });
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('session_id=')) ?? '').split(';')[0]!;
  const open = await fetch(`${url}/api/transaction`, { method: 'POST', headers: { cookie }, body: '' });
  await fetch(`${url}/api/transaction`, { method: 'DELETE', headers: { cookie } });
  return open.status;
}

describe.skipIf(!HAVE_SPEC)('a run stopped from a terminal (the process group) rolls back and leaves no lock', () => {
  let sim: SimulatorHandle;
  const dirs: string[] = [];
  /** ms from the first run's first progress line (the runner up, logged in) to its write phase: where --deadline is aimed. */
  let toWrites = 0;
  beforeAll(async () => {
    sim = await startSimulator({ nodes: 1, https: false, users: { admin: { username: 'admin', password: PASSWORD } }, behaviour: { latencyMs: LATENCY_MS } });
  });
  afterAll(async () => {
    await sim?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'sps-safe-stop-'));
    dirs.push(d);
    return d;
  };

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`${signal} to the whole group during the writes: exit ${code} within one round trip plus a second, and a new session can open a transaction at once`, async () => {
      const reportDir = tempDir();
      const started = Date.now();
      const run = startRun(sim, [], reportDir);
      try {
        const writingAt = await run.writing;
        toWrites ||= writingAt - (run.firstLineAt() ?? started);
        await new Promise((r) => setTimeout(r, LATENCY_MS / 2)); // a request of the cycle in flight
        const sentAt = Date.now();
        process.kill(-run.child.pid!, signal); // npm, sh and node all get it, as from a terminal
        if (process.env.SAFE_STOP_DEBUG) process.stderr.write(`+${sentAt - started} signal sent\n`);
        const { code: exit, at } = await run.exited;
        if (process.env.SAFE_STOP_DEBUG) process.stderr.write(`+${at - started} group gone\n`);
        expect(exit, run.out().slice(-3000)).toBe(code);
        expect(at - sentAt, `load factor ${SLOWDOWN.toFixed(1)}\n${run.out().slice(-3000)}`).toBeLessThan(STOP_BOUND_MS);
        expect(sim.nodes[0]!.state.openTransaction()).toBeNull();
        expect(await newSessionOpens(sim)).toBe(200);
        expect(run.out()).not.toContain('exiting without waiting for the rollback'); // the relayed copies are the same keypress
        expect(run.out()).toMatch(/Lock: 127\.0\.0\.1:\d+: rolled back \(\d+ transactions? opened, every one rolled back\)/);
        expect(run.out()).not.toContain(PASSWORD);
        const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as {
          exitCode: number;
          notChecked: Array<{ reason: string }>;
          matrix: Record<string, Record<string, string>>;
        };
        expect(report.exitCode).toBe(code);
        expect(report.notChecked.map((n) => n.reason).join(' ')).toContain(`stopped by ${signal}`);
        expect(Object.values(report.matrix)[0]!.write_roundtrip).toBe('not checked');
        const junit = readFileSync(join(reportDir, 'junit.xml'), 'utf8');
        expect(junit).toMatch(/<error type="not-checked" message="[^"]*stopped by/);
        expect(readFileSync(join(reportDir, 'report.html'), 'utf8')).not.toContain('Conformant');
        expect(sim.nodes[0]!.state.commits()).toEqual([]);
      } finally {
        if (groupAlive(run.child.pid!)) process.kill(-run.child.pid!, 'SIGKILL');
      }
    }, 120_000);
  }

  it('--deadline during the writes: exit 2 within one round trip plus a second of the deadline, and no lock left', async () => {
    expect(toWrites).toBeGreaterThan(0);
    const reportDir = tempDir();
    const deadline = (toWrites + 1000) / 1000;
    const started = Date.now();
    const run = startRun(sim, ['--deadline', deadline.toFixed(1)], reportDir);
    try {
      const { code, at } = await run.exited;
      expect(code, run.out().slice(-3000)).toBe(2);
      expect(run.out()).toMatch(/\] writes\.\.\./); // the deadline did fall in the write phase
      // --deadline counts from the runner's start (after npm and tsx): the run's own duration.
      const report = JSON.parse(readFileSync(join(reportDir, 'report.json'), 'utf8')) as { durationMs: number; aborted: string };
      expect(report.aborted).toContain('--deadline');
      expect(report.durationMs).toBeGreaterThanOrEqual(deadline * 1000);
      expect(report.durationMs, `load factor ${SLOWDOWN.toFixed(1)}\n${run.out().slice(-3000)}`).toBeLessThan(deadline * 1000 + STOP_BOUND_MS);
      expect(at).toBeGreaterThan(started);
      expect(sim.nodes[0]!.state.openTransaction()).toBeNull();
      expect(await newSessionOpens(sim)).toBe(200);
      expect(run.out()).toMatch(/Stopped by the --deadline of [\d.]+ s: incomplete/);
      expect(run.out()).toMatch(/Lock: 127\.0\.0\.1:\d+: rolled back/);
    } finally {
      if (groupAlive(run.child.pid!)) process.kill(-run.child.pid!, 'SIGKILL');
    }
  }, 120_000);
});
