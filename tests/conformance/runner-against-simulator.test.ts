/**
 * The conformance CLI (the public interface of src/conformance) run against a three-node
 * simulator: it must pass, log in exactly once per node, and leave no trace (no open
 * transaction, committed configuration unchanged) even with --allow-writes.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/index.js';

const CLI = join(process.cwd(), 'src', 'conformance', 'cli.ts');

describe.skipIf(!existsSync(CLI) || !existsSync(join(process.cwd(), 'generated', 'sps-api.json')))('conformance runner against the simulator', () => {
  it('passes, logs in once per node and leaves the configuration as it was', async () => {
    const sim = await startSimulator({ nodes: 3, users: { admin: { username: 'admin', password: 'runner-test-password' } } });
    const reportDir = mkdtempSync(join(tmpdir(), 'sps-sim-report-'));
    try {
      const before = sim.nodes.map((n) => JSON.stringify(n.state.committedConfig()));
      const args = ['--import', 'tsx', CLI, ...sim.nodes.flatMap((n) => ['--url', n.url]), '--username', 'admin'];
      args.push('--ca', sim.caFile!, '--allow-writes', '--report-dir', reportDir);
      const child = spawn(process.execPath, args, {
        env: { ...process.env, SPS_PASSWORD: 'runner-test-password' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code, out.slice(-3000)).toBe(0);
      expect(out).toMatch(/\b0 failed\b/);
      expect(out).not.toContain('runner-test-password');
      for (const [i, n] of sim.nodes.entries()) {
        expect(n.stats.logins, `node ${n.index}`).toBe(1);
        expect(n.state.openTransaction()).toBeNull();
        expect(JSON.stringify(n.state.committedConfig())).toBe(before[i]);
        expect(n.state.commits()).toEqual([]);
      }
    } finally {
      await sim.close();
      rmSync(reportDir, { recursive: true, force: true });
    }
  }, 120_000);
});
