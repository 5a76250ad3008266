/**
 * Issue 18: never green when nothing was checked, one bad node does not stop the others, a
 * node whose rollback failed gets no new transaction, inputs are checked before the first
 * request, and the printed release commands work as printed. Against the simulator (plain HTTP).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { runConformance, validateOptionsForTest } from './not-checked-helpers.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { insideSpecTree } from '../../src/discover/cli.js';

const PASSWORD = 'not-checked-test-password';
const HAVE_SPEC = existsSync(join(process.cwd(), 'generated', 'sps-api.json'));

let sim: SimulatorHandle | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sps-not-checked-'));
  dirs.push(d);
  return d;
};

async function start(nodes = 1): Promise<SimulatorHandle> {
  sim = await startSimulator({ nodes, https: false, users: { admin: { username: 'admin', password: PASSWORD } } });
  return sim;
}

/** Runs the CLI in this process; returns the exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = {
    write: (s: string) => {
      out += s;
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  const code = await main(args, { env: { SPS_PASSWORD: PASSWORD }, stdout: sink, stderr: sink });
  return { code, out };
}

/** A second administrator session holding the configuration lock on a node. */
async function holdLock(url: string): Promise<string> {
  const login = await fetch(`${url}/api/authentication`, { headers: { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` } });
  const cookie = (login.headers.getSetCookie().find((c) => c.startsWith('session_id=')) ?? '').split(';')[0]!;
  const open = await fetch(`${url}/api/transaction`, { method: 'POST', headers: { cookie }, body: '' });
  expect(open.status).toBe(200);
  return cookie;
}

describe.skipIf(!HAVE_SPEC)('never green when nothing was checked', () => {
  it('--allow-writes against a node another administrator holds locked: exit 2, the writes "not checked", the lock untouched', async () => {
    const s = await start();
    await holdLock(s.nodes[0]!.url);
    const holder = s.nodes[0]!.state.openTransaction();
    const dir = tempDir();
    const run = await cli(['--url', s.nodes[0]!.url, '--username', 'admin', '--allow-writes', '--only', 'Date and time', '--report-dir', dir]);
    expect(run.code, run.out).toBe(2);
    expect(run.out).not.toMatch(/^Conformant/m);
    expect(run.out).toMatch(/^Incomplete .*not checked: \[127\.0\.0\.1:\d+\] the writes \(--allow-writes\) of write_roundtrip: .*locked by another session/m);
    expect(s.nodes[0]!.state.openTransaction()).toMatchObject({ holder: holder!.holder, openedAt: holder!.openedAt, changes: 0 }); // the other session's transaction is left alone
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<error type="not-checked" message="[^"]*locked by another session/);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { targets: Array<{ transactionAtStart: string; lock: unknown }> };
    expect(report.targets[0]!.transactionAtStart).toBe('locked by another session');
    expect(report.targets[0]!.lock).toEqual({ state: 'nothing opened', opened: 0 });
    expect(run.out).toMatch(/Lock: 127\.0\.0\.1:\d+: nothing opened/);
  }, 60_000);

  it('--only write_roundtrip without --allow-writes: exit 2, says it needs --allow-writes, never "Conformant"', async () => {
    const s = await start();
    const dir = tempDir();
    const run = await cli(['--url', s.nodes[0]!.url, '--username', 'admin', '--only', 'write_roundtrip', '--report-dir', dir]);
    expect(run.code, run.out).toBe(2);
    expect(run.out).toMatch(/^Incomplete .*write_roundtrip \(selected with --only\): it needs --allow-writes/m);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('Incomplete: 1 part not checked');
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toMatch(/errors="1"/);
  }, 60_000);

  it('a selection that matches nothing is a usage error, before anything is sent', async () => {
    const s = await start();
    const run = await cli(['--url', s.nodes[0]!.url, '--username', 'admin', '--only', 'getTimezone', '--skip', 'Date and time', '--report-dir', tempDir()]);
    expect(run.code).toBe(2);
    expect(run.out).toContain('select no operation');
    expect(s.nodes[0]!.stats.requests).toBe(0);
  }, 60_000);

  it('a run stopped during the writes: the reports say "not checked", none says Conformant or shows write_roundtrip passed', async () => {
    const s = await start();
    s.nodes[0]!.setBehaviour({ latencyMs: 50 });
    const controller = new AbortController();
    const report = await runConformance({
      urls: [s.nodes[0]!.url],
      username: 'admin',
      password: PASSWORD,
      allowWrites: true,
      only: ['Date and time'],
      signal: controller.signal,
      onProgress: (e) => {
        if (e.phase === 'writes' && s.nodes[0]!.state.openTransaction()) controller.abort('SIGINT');
      },
    });
    expect(report.exitCode).toBe(130);
    expect(report.matrix[report.targets[0]!.node]!.write_roundtrip).toBe('not checked');
    expect(report.notChecked!.map((n) => n.reason).join(' | ')).toMatch(/stopped by SIGINT/);
    expect(report.targets[0]!.writes).not.toBe('pending');
    expect(s.nodes[0]!.state.openTransaction()).toBeNull();
    expect(report.targets[0]!.lock?.state).toBe('rolled back');
  }, 60_000);
});

describe.skipIf(!HAVE_SPEC)('one bad node does not stop the others', () => {
  it('two nodes, one refusing logins: exit 2, the bad one named, full results for the other', async () => {
    const s = await start(2);
    s.nodes[1]!.injectFault('/api/authentication', { kind: 'html502' });
    const dir = tempDir();
    const run = await cli(['--url', s.nodes[0]!.url, '--url', s.nodes[1]!.url, '--username', 'admin', '--only', 'Date and time', '--report-dir', dir]);
    expect(run.code, run.out).toBe(2);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      targets: Array<{ node: string; unusable?: string }>;
      results: Array<{ node: string; outcome: string }>;
      notChecked: Array<{ node?: string; what: string }>;
    };
    const [good, bad] = report.targets;
    expect(good!.unusable).toBeUndefined();
    expect(bad!.unusable).toMatch(/not an SPS REST API\?/);
    expect(report.results.filter((r) => r.node === good!.node && r.outcome === 'passed').length).toBeGreaterThan(20);
    expect(report.results.filter((r) => r.node === good!.node && r.outcome === 'failed')).toEqual([]);
    expect(report.notChecked).toEqual([expect.objectContaining({ node: bad!.node, what: 'every check' })]);
  }, 60_000);
});

describe.skipIf(!HAVE_SPEC)('a node that stalls during the writes', () => {
  it('exit 2, no new transaction after the failed rollback, the final line names the node and the release commands work as printed', async () => {
    const s = await start();
    const node = s.nodes[0]!;
    let posts = 0;
    let stalled = false;
    const dir = tempDir();
    let out = '';
    const sink = {
      write: (t: string) => {
        out += t;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    // The stall starts once the first transaction is open: the next request (the read) still
    // answers, then nothing does, so the PUT and the rollback get no answer.
    const watcher = setInterval(() => {
      if (!stalled && node.state.openTransaction()) {
        stalled = true;
        node.injectFault('*', { kind: 'hang', after: 1 });
      }
    }, 1);
    try {
      const code = await main(
        ['--url', node.url, '--username', 'admin', '--allow-writes', '--only', 'Date and time', '--timeout', '0.8', '--report-dir', dir],
        {
          env: { SPS_PASSWORD: PASSWORD },
          stdout: sink,
          stderr: sink,
        },
      );
      posts = node.stats.byMethod.POST ?? 0;
      if (process.env.NC_DEBUG) process.stderr.write(`main returned ${code}\n${out.slice(-1500)}\n`);
      expect(code, out).toBe(2);
    } finally {
      clearInterval(watcher);
    }
    expect(stalled).toBe(true);
    expect(posts).toBe(1); // one POST /api/transaction: none after the failed rollback
    expect(node.state.openTransaction()).not.toBeNull(); // the lock is left: the stall ate the rollback
    const host = new URL(node.url).host;
    const lockLine = out.split('\n').findIndex((l) => l.startsWith(`Lock: may be held on ${host} until `));
    expect(lockLine, out).toBeGreaterThanOrEqual(0);
    const commands = out
      .split('\n')
      .slice(lockLine + 1, lockLine + 3)
      .map((l) => l.trim());
    expect(commands[0]).toMatch(/^curl .* -u "admin:\$SPS_PASSWORD" -c sps-cookies\.txt .*\/api\/authentication$/);
    expect(commands[1]).toMatch(/^curl .* -X DELETE .*-b sps-cookies\.txt .*\/api\/transaction$/);
    expect(out).not.toContain(PASSWORD);
    expect(out).toMatch(/the rollback failed/);
    // The commands work as printed once the node answers again: login, then DELETE /api/transaction.
    node.clearFaults();
    const cwd = tempDir();
    // Asynchronously: the simulator answers from this very process.
    for (const c of commands) await promisify(execFile)('sh', ['-c', c], { cwd, env: { ...process.env, SPS_PASSWORD: PASSWORD }, timeout: 10_000 });
    expect(node.state.openTransaction()).toBeNull();
  }, 60_000);
});

describe('inputs checked before the first request', () => {
  it.skipIf(!HAVE_SPEC)(
    'an unwritable --report-dir exits 2 at once, nothing sent',
    async () => {
      const s = await start();
      const file = join(tempDir(), 'a-file');
      writeFileSync(file, 'x');
      const started = Date.now();
      const run = await cli(['--url', s.nodes[0]!.url, '--username', 'admin', '--report-dir', join(file, 'reports')]);
      expect(run.code).toBe(2);
      expect(run.out).toMatch(/--report-dir .* cannot write there \(ENOTDIR\); nothing was sent/);
      expect(s.nodes[0]!.stats.requests).toBe(0);
      expect(Date.now() - started).toBeLessThan(2000);
      // A path where Node's recursive mkdir would spin for ever (under /proc): refused at once too.
      const proc = await cli(['--url', s.nodes[0]!.url, '--username', 'admin', '--report-dir', '/proc/1/sps-conformance-reports']);
      expect(proc.code).toBe(2);
      expect(s.nodes[0]!.stats.requests).toBe(0);
    },
    30_000,
  );

  it.skipIf(!HAVE_SPEC)(
    'an unwritable --write-baseline exits 2 before the first request',
    async () => {
      const s = await start();
      const run = await cli([
        '--url',
        s.nodes[0]!.url,
        '--username',
        'admin',
        '--report-dir',
        tempDir(),
        '--write-baseline',
        join(tempDir(), 'no', 'such', 'folder', 'b.yaml'),
      ]);
      expect(run.code).toBe(2);
      expect(run.out).toMatch(/--write-baseline .* cannot write it \(ENOENT\); nothing was sent/);
      expect(s.nodes[0]!.stats.requests).toBe(0);
    },
    30_000,
  );

  it('a --ca file that is not PEM is named as such', () => {
    const file = join(tempDir(), 'ca.der');
    writeFileSync(file, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
    expect(() => validateOptionsForTest({ urls: ['https://sps.example.com'], username: 'admin', password: 'x', caFile: file })).toThrow(
      /is not a PEM certificate file .*openssl x509 -inform der/,
    );
  });

  it.skipIf(!HAVE_SPEC)(
    'a URL with a wrong path prefix: the 401 Unauthenticated is explained as a URL that does not point at the API root',
    async () => {
      const s = await start();
      const run = await cli(['--url', `${s.nodes[0]!.url}/wrong/path`, '--username', 'admin', '--report-dir', tempDir()]);
      expect(run.code).toBe(2);
      expect(run.out).toMatch(/answered 401 .*Unauthenticated, not AuthenticationFailure: the URL probably does not point at the API root/);
      expect(run.out).not.toContain('wrong credentials');
    },
    30_000,
  );

  it('discover --draft-dir refuses a folder inside openapi/', async () => {
    expect(insideSpecTree(join(process.cwd(), 'openapi', 'paths', 'drafts'))).toBe(true);
    expect(insideSpecTree(join(process.cwd(), 'openapi'))).toBe(true);
    expect(insideSpecTree(join(process.cwd(), 'drafts'))).toBe(false);
    expect(insideSpecTree(join(process.cwd(), 'openapi-drafts'))).toBe(false);
    const run = await cli(['discover', '--url', 'https://sps.example.com', '--username', 'admin', '--draft-dir', 'openapi/drafts']);
    expect(run.code).toBe(2);
    expect(run.out).toContain('is inside openapi/');
  });
});
