/**
 * Issue 19, point 5: durations are seconds in every flag. The simulator's `--latency <seconds>`
 * (decimals allowed) replaces `--latency-ms`, which still works with one deprecation line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(process.cwd(), 'src', 'simulator', 'cli.ts');
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

/** Starts the simulator CLI over HTTP; resolves once it is up, with what it printed and the time one GET /api takes. */
async function timedRequest(args: string[]): Promise<{ out: string; ms: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--http', ...args], {
    env: { ...process.env, SPS_SIM_ADMIN_PASSWORD: 'latency-flag-secret' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    const deadline = Date.now() + 20_000;
    while (!out.includes('Press Ctrl-C') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const url = /node 1 {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(url, out).toBeDefined();
    const t0 = Date.now();
    const res = await fetch(`${url}/api`);
    await res.arrayBuffer();
    return { out, ms: Date.now() - t0 };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

describe('sps-simulator --latency <seconds>', () => {
  it('--latency 0.4 delays every request by 400 ms, without a deprecation line', async () => {
    const { out, ms } = await timedRequest(['--latency', '0.4']);
    expect(ms).toBeGreaterThanOrEqual(390);
    expect(out).toContain('Misbehaving on purpose: latency-ms=400');
    expect(out).not.toContain('deprecated');
  }, 30_000);

  it('the former --latency-ms 400 is the same, with one deprecation line naming the new spelling', async () => {
    const { out, ms } = await timedRequest(['--latency-ms', '400']);
    expect(ms).toBeGreaterThanOrEqual(390);
    const lines = out.split('\n').filter((l) => l.includes('deprecated'));
    expect(lines).toEqual(['sps-simulator: deprecated: --latency-ms is now --latency <seconds>: --latency-ms 400 is --latency 0.4']);
  }, 30_000);

  it('refuses both spellings together and a value that is not seconds; --help shows only the new spelling', () => {
    const both = spawnSync(TSX, [CLI, '--latency', '1', '--latency-ms', '5'], { encoding: 'utf8' });
    expect(both.status).not.toBe(0);
    expect(both.stderr).toContain('--latency and --latency-ms exclude each other');
    const bad = spawnSync(TSX, [CLI, '--latency', 'slow'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--latency must be a number of seconds');
    const help = spawnSync(TSX, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/--latency <seconds> +delay every request by this many seconds/);
    expect(help.stdout).not.toContain('--latency-ms');
  }, 30_000);
});
