/**
 * The runner against the stateful simulator (HTTPS, the bundled spec): one login per node,
 * writes that leave the committed configuration untouched, the configuration lock of another
 * session respected, rollback on SIGINT/SIGTERM, a 3-node fleet, TLS failures and faults.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTransport } from '../../src/http/transport.js';
import { runConformance } from '../../src/conformance/runner.js';
import { startSimulator, type SimFault, type SimulatorHandle } from '../../src/simulator/index.js';
import { ownLines, runCli, tempDir } from './helpers/cli.js';

const BUNDLED = new URL('../../generated/sps-api.json', import.meta.url);

let sims: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

async function simulator(nodes = 1): Promise<SimulatorHandle> {
  const sim = await startSimulator({ nodes });
  sims.push(sim);
  return sim;
}

function credentials(sim: SimulatorHandle): { username: string; password: string } {
  return { username: sim.users.admin.username, password: sim.users.admin.password };
}

function host(url: string): string {
  return new URL(url).host;
}

describe.runIf(existsSync(BUNDLED))('against the simulator', () => {
  it('a read-only run over HTTPS with the CA logs in exactly once and changes nothing', async () => {
    const sim = await simulator();
    const node = sim.nodes[0]!;
    const before = node.state.committedConfig();
    const report = await runConformance({ urls: [node.url], ...credentials(sim), caFile: sim.caFile! });
    expect(
      report.summary.failed,
      JSON.stringify(
        report.results.filter((r) => r.outcome === 'failed'),
        null,
        1,
      ),
    ).toBe(0);
    expect(report.exitCode).toBe(0);
    expect(node.stats.logins).toBe(1);
    expect(node.stats.byMethod.PUT ?? 0).toBe(0);
    expect(node.stats.byMethod.POST ?? 0).toBe(0);
    expect(node.stats.byMethod.DELETE ?? 0).toBe(0);
    expect(node.state.committedConfig()).toEqual(before);
    expect(report.targets[0]).toMatchObject({ loggedIn: true, transactionAtStart: 'closed' });
  }, 60_000);

  it('--allow-writes writes every setting back, rolls back, and leaves the committed configuration identical', async () => {
    const sim = await simulator();
    const node = sim.nodes[0]!;
    const before = JSON.stringify(node.state.committedConfig());
    const report = await runConformance({ urls: [node.url], ...credentials(sim), caFile: sim.caFile!, allowWrites: true });
    expect(report.exitCode).toBe(0);
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect(node.state.openTransaction()).toBeNull();
    expect(node.state.commits()).toEqual([]);
    expect(node.stats.logins).toBe(1);
    expect(node.stats.byMethod.PUT).toBeGreaterThan(0);
    // Every transaction opened was rolled back, and every object created was deleted, except
    // where the spec documents no DELETE (the rollback removes those).
    const leftToRollback = report.results.filter(
      (r) => r.check === 'collection_roundtrip' && r.method === 'POST' && r.outcome === 'passed' && /left to the rollback/.test(r.message),
    ).length;
    expect(node.stats.byMethod.DELETE).toBe(node.stats.byMethod.POST! - leftToRollback);
    const written = /^(\d+) of (\d+) settings written with a different value and (\d+) with the same value, all rolled back$/.exec(report.targets[0]!.writes);
    expect(written, report.targets[0]!.writes).not.toBeNull();
    const [, different, total, same] = written!.map(Number);
    expect(different).toBeGreaterThan(0);
    // The rest are objects whose collection holds only built-in ones (negative keys): never written.
    const builtIn = report.results.filter((r) => r.check === 'write_roundtrip' && r.outcome === 'skipped' && /only built-in objects/.test(r.message));
    expect(builtIn.every((r) => /\/-\d+$/.test(r.path))).toBe(true);
    expect(different! + same! + builtIn.length).toBe(total);
    expect(
      report.results.some((r) => r.check === 'write_roundtrip' && r.message === 'after the write cycle: no transaction left open' && r.outcome === 'passed'),
    ).toBe(true);
  }, 60_000);

  it('when another session holds the configuration lock: reported, no writes, that transaction untouched', async () => {
    const sim = await simulator();
    const node = sim.nodes[0]!;
    const other = createTransport({ ca: sim.caPem!, timeoutMs: 5000 });
    const auth = `Basic ${Buffer.from(`${sim.users.admin.username}:${sim.users.admin.password}`).toString('base64')}`;
    const login = await other.request({ method: 'GET', url: `${node.url}/api/authentication`, headers: { authorization: auth } });
    const cookie = login.setCookies[0]!.split(';')[0]!;
    const opened = await other.request({ method: 'POST', url: `${node.url}/api/transaction`, headers: { cookie }, body: '' });
    expect(opened.status).toBe(200);
    const holder = node.state.openTransaction()!.holder;
    node.resetStats();

    const report = await runConformance({ urls: [node.url], ...credentials(sim), caFile: sim.caFile!, allowWrites: true });
    expect(report.exitCode).toBe(2); // the writes asked for were not done: "not checked" (issue 18)
    expect(report.notChecked?.map((n) => n.check)).toContain('write_roundtrip');
    expect(report.targets[0]!.notes.join(' ')).toMatch(/locked by another session|already open/);
    expect(report.targets[0]!.writes).toMatch(/^skipped/);
    expect(node.stats.byMethod.PUT ?? 0).toBe(0);
    expect(node.stats.byMethod.DELETE ?? 0).toBe(0);
    expect(node.state.openTransaction()?.holder).toBe(holder);
    expect(node.state.commits()).toEqual([]);
    await other.request({ method: 'DELETE', url: `${node.url}/api/transaction`, headers: { cookie } });
    await other.close();
  }, 60_000);

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s in the middle of a write run on two nodes rolls both transactions back (exit %i)',
    async (signal, code) => {
      const sim = await simulator(2);
      const before = sim.nodes.map((n) => JSON.stringify(n.state.committedConfig()));
      // Slow PUTs on both nodes, a little slower on the second: the signal finds both mid-cycle.
      for (const [i, n] of sim.nodes.entries()) n.injectFault('*', { kind: 'latency', ms: 1500 + 300 * i, method: 'PUT' });
      const dir = tempDir();
      let sent = false;
      const urls = sim.nodes.flatMap((n) => ['--url', n.url]);
      const run = await runCli([...urls, '--username', sim.users.admin.username, '--ca', sim.caFile!, '--allow-writes', '--report-dir', dir], {
        env: { SPS_PASSWORD: sim.users.admin.password },
        onStderr: (chunk, child) => {
          if (!sent && chunk.includes('writes...')) {
            sent = true;
            // Let the first PUT get under way, inside the open transaction.
            setTimeout(() => child.kill(signal), 500);
          }
        },
      });
      expect(sent).toBe(true);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toContain(`${signal} received: stopping, rolling back`);
      sim.nodes.forEach((node, i) => {
        expect(node.state.openTransaction()).toBeNull();
        expect(JSON.stringify(node.state.committedConfig())).toBe(before[i]);
        expect(node.state.commits()).toEqual([]);
        expect(node.stats.byMethod.DELETE ?? 0).toBe(node.stats.byMethod.POST ?? 0);
        expect(node.stats.byMethod.DELETE ?? 0).toBeGreaterThan(0);
      });
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { aborted: string; results: Array<{ message: string }> };
      expect(report.aborted).toBe(signal);
      expect(report.results.map((r) => r.message)).toContainEqual(expect.stringMatching(/^update\w+ \(PUT \/api\/\S+\): transaction rolled back$/));
    },
    60_000,
  );

  it('a 3-node fleet gets the same checks on every node and one node × check matrix', async () => {
    const sim = await simulator(3);
    const dir = tempDir();
    const args = sim.nodes.flatMap((n) => ['--url', n.url]);
    const run = await runCli([...args, '--username', sim.users.admin.username, '--ca', sim.caFile!, '--report-dir', dir], {
      env: { SPS_PASSWORD: sim.users.admin.password },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const hosts = sim.nodes.map((n) => host(n.url));
    expect(sim.nodes.map((n) => n.stats.logins)).toEqual([1, 1, 1]);
    const header = run.stdout.split('\n').find((l) => l.startsWith('check ') && hosts.every((h) => l.includes(h)));
    expect(header, run.stdout).toBeDefined();
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      matrix: Record<string, Record<string, string>>;
      results: Array<{ node: string; check: string; operationId: string }>;
    };
    expect(Object.keys(report.matrix).sort()).toEqual([...hosts].sort());
    const perNode = hosts.map((h) => new Set(report.results.filter((r) => r.node === h).map((r) => `${r.check} ${r.operationId}`)));
    expect(perNode[1]).toEqual(perNode[0]);
    expect(perNode[2]).toEqual(perNode[0]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(hosts[2]!);
  }, 90_000);

  describe('TLS', () => {
    it('without the CA -> exit 2 with a one-line TLS reason', async () => {
      const sim = await simulator();
      const run = await runCli(['--url', sim.nodes[0]!.url, '--username', 'admin', '--report-dir', tempDir()], {
        env: { SPS_PASSWORD: sim.users.admin.password },
      });
      expect(run.code).toBe(2);
      const first = ownLines(run.stderr)[0];
      expect(first).toMatch(new RegExp(`^sps-conformance: could not run: node ${host(sim.nodes[0]!.url)}: TLS failure: TLS certificate verification failed`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(sim.nodes[0]!.stats.logins).toBe(0);
    }, 60_000);

    it('with the wrong CA -> exit 2; with --insecure (explicit) it runs', async () => {
      const sim = await simulator();
      const stranger = await simulator();
      const wrong = await runConformance({ urls: [sim.nodes[0]!.url], ...credentials(sim), caFile: stranger.caFile! });
      expect(wrong.exitCode).toBe(2);
      expect(wrong.fatal).toMatch(/TLS failure.*use --ca FILE, or --insecure/);
      const insecure = await runConformance({ urls: [sim.nodes[0]!.url], ...credentials(sim), insecure: true, only: ['Transactions'] });
      expect(insecure.exitCode).toBe(0);
      expect(insecure.results[0]!.curl).toContain(' -k ');
    }, 60_000);
  });

  describe('faults end in bounded time with exit 1 or 2, naming the node and the problem', () => {
    const cases: Array<[string, string, SimFault, 1 | 2, RegExp]> = [
      ['reset', '/api/configuration/datetime', { kind: 'reset' }, 1, /reset: connection closed by the peer/],
      ['hang', '/api/configuration/datetime/timezone', { kind: 'hang' }, 1, /timeout: no complete response within 1000 ms/],
      ['html502', '/api/configuration', { kind: 'html502' }, 1, /received 502, which is not documented/],
      ['latency 2s', '/api/configuration/datetime/ntp_servers', { kind: 'latency', ms: 2000 }, 1, /timeout: no complete response within 1000 ms/],
      ['reset on login', '/api/authentication', { kind: 'reset' }, 2, /unreachable: connection closed by the peer/],
      ['html502 on login', '/api/authentication', { kind: 'html502' }, 2, /not an SPS REST API\? GET \/api\/authentication answered 502 text\/html/],
      ['hang everywhere', '*', { kind: 'hang' }, 2, /no answer in time/],
    ];
    it.each(cases)(
      '%s',
      async (_name, path, fault, exitCode, problem) => {
        const sim = await simulator();
        const node = sim.nodes[0]!;
        node.injectFault(path, fault);
        const started = Date.now();
        const report = await runConformance({ urls: [node.url], ...credentials(sim), caFile: sim.caFile!, allowWrites: true, timeoutMs: 1000 });
        expect(Date.now() - started).toBeLessThan(30_000);
        expect(report.exitCode).toBe(exitCode);
        const said =
          exitCode === 2
            ? report.fatal!
            : report.results
                .filter((r) => r.outcome === 'failed')
                .map((r) => `${r.node} ${r.message}`)
                .join('\n');
        expect(said).toMatch(problem);
        expect(said).toContain(host(node.url));
        node.clearFaults();
        expect(node.state.openTransaction()).toBeNull();
        expect(node.state.commits()).toEqual([]);
      },
      60_000,
    );

    it('a node that keeps hanging mid-run is given up instead of waiting on every request', async () => {
      const sim = await simulator();
      const node = sim.nodes[0]!;
      const report = await runConformance({
        urls: [node.url],
        ...credentials(sim),
        caFile: sim.caFile!,
        timeoutMs: 800,
        concurrency: 1,
        // The login goes through; every later request hangs.
        onProgress: (e) => {
          if (e.phase === 'transaction status') node.injectFault('*', { kind: 'hang' });
        },
      });
      expect(report.exitCode).toBe(2); // a node given up is "not checked" (issue 18)
      expect(report.targets[0]!.notes.join(' ')).toMatch(/^given up: 3 requests in a row got no HTTP answer/);
      expect(report.results.filter((r) => r.outcome === 'failed').length).toBeLessThanOrEqual(4);
      expect(report.results.some((r) => r.outcome === 'skipped' && r.message.includes('was given up'))).toBe(true);
      node.clearFaults();
    }, 60_000);
  });
});
