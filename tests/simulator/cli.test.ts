import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';

const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const CLI = join(process.cwd(), 'src', 'simulator', 'cli.ts');
// One process (`node --import tsx`) rather than the tsx wrapper, whose signal relay gives the
// child only 30 ms to acknowledge SIGINT and kills it on a busy machine.
const NODE_TSX = [process.execPath, '--import', 'tsx'] as const;

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Starts the simulator CLI and waits until it is up ("Press Ctrl-C"); `out()` is all it printed so far. */
async function startCli(args: string[], env: Record<string, string>) {
  const child = spawn(NODE_TSX[0], [...NODE_TSX.slice(1), CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  while (!out.includes('Press Ctrl-C') && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { child, exited, out: () => out };
}

describe('simulator CLI', () => {
  it('prints its options with --help', () => {
    const r = spawnSync(TSX, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--nodes <count>');
    expect(r.stdout).toContain('--http');
    expect(r.stdout).toContain('--port-base <port>');
    expect(r.stdout).toContain('SPS_SIM_ADMIN_PASSWORD');
    expect(r.stdout).toContain('SPS_SIM_AUDITOR_PASSWORD');
  });

  it('rejects a bad --nodes value', () => {
    const r = spawnSync(TSX, [CLI, '--nodes', 'many'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--nodes must be an integer');
  });

  it('starts nodes, labels generated passwords, serves logins and stops cleanly on SIGINT', async () => {
    const {
      child,
      exited,
      out: printed,
    } = await startCli(['--nodes', '2'], {
      SPS_SIM_ADMIN_PASSWORD: 'cli-admin-secret',
      SPS_SIM_AUDITOR_PASSWORD: 'cli-auditor-secret',
      SPS_SIM_OPERATOR_PASSWORD: '',
    });
    try {
      let out = printed();
      expect(out).toContain('Press Ctrl-C to stop.');
      const urls = [...out.matchAll(/node \d+ {2}(https:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
      expect(urls).toHaveLength(2);
      const caFile = /CA certificate: (\S+)/.exec(out)?.[1] ?? '';
      expect(existsSync(caFile)).toBe(true);
      expect(out).toContain('password from SPS_SIM_ADMIN_PASSWORD');
      expect(out).not.toContain('cli-admin-secret');
      expect(out).toContain('password from SPS_SIM_AUDITOR_PASSWORD');
      expect(out).not.toContain('cli-auditor-secret');
      const opPassword = /operator: (\S+)/.exec(out)?.[1] ?? '';
      expect(opPassword.length).toBeGreaterThanOrEqual(16);
      expect(out.split(opPassword).length - 1).toBe(1); // printed exactly once

      const agent = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
      const login = (url: string | undefined, user: string, password: string) =>
        fetch(`${url}/api/authentication`, { dispatcher: agent, headers: { authorization: basic(user, password) } });
      const admin = await login(urls[0], 'admin', 'cli-admin-secret');
      expect(admin.status).toBe(200);
      const operator = await login(urls[1], 'operator', opPassword);
      expect(operator.status).toBe(200);
      const auditor = await login(urls[0], 'auditor', 'cli-auditor-secret');
      expect(auditor.status).toBe(200);
      await agent.close();

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      out = printed();
      expect(out).toContain('Simulator stopped.');
      expect(existsSync(caFile)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

describe('simulator CLI behaviour switches', () => {
  it('--switch ignore-puts serves an appliance that accepts a PUT and keeps the old value', async () => {
    const { child, exited, out: printed } = await startCli(['--http', '--switch', 'ignore-puts'], { SPS_SIM_ADMIN_PASSWORD: 'cli-behave-secret' });
    try {
      const out = printed();
      expect(out).toContain('Misbehaving on purpose: ignore-puts');
      const url = /node 1 {2}(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const login = await fetch(`${url}/api/authentication`, { headers: { authorization: basic('admin', 'cli-behave-secret') } });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const tz = `${url}/api/configuration/datetime/timezone`;
      const before = ((await (await fetch(tz, { headers: { cookie } })).json()) as { body: string }).body;
      const other = before === 'UTC' ? 'Europe/Budapest' : 'UTC';
      const put = await fetch(tz, { method: 'PUT', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(other) });
      expect(put.status).toBe(200);
      const after = ((await (await fetch(tz, { headers: { cookie } })).json()) as { body: string }).body;
      expect(after).toBe(before);
      await fetch(`${url}/api/transaction`, { method: 'DELETE', headers: { cookie } });
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  }, 30_000);

  it('refuses an unknown --switch name, listing the catalogue', () => {
    const r = spawnSync(TSX, [CLI, '--switch', 'nope'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--switch nope: not a switch of the catalogue \(ignore-puts, empty-change-log, /);
    expect(r.stderr).not.toContain('deprecated');
  });

  it('lists --switch in --help, not the old spellings', () => {
    const r = spawnSync(TSX, [CLI, '--help'], { encoding: 'utf8' });
    expect(r.stdout).toContain('--switch <name>');
    expect(r.stdout).toContain('hang-after=<n>');
    expect(r.stdout).not.toContain('--behave');
    expect(r.stdout).not.toContain('--latency-ms');
  });

  it('still takes --behave NAME and --latency-ms N, each with a deprecation line', () => {
    // The last switch is unknown, so the process stops after reading the others: the old
    // spellings were accepted (only "nope" is refused) and named as deprecated.
    const r = spawnSync(TSX, [CLI, '--behave', 'ignore-puts', '--latency-ms', '5', '--switch', 'nope'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('sps-simulator: deprecated: --behave is deprecated: use --switch (the same names): --switch ignore-puts');
    expect(r.stderr).toContain('sps-simulator: deprecated: --latency-ms is now --latency <seconds>: --latency-ms 5 is --latency 0.005');
    expect(r.stderr).toMatch(/--switch nope: not a switch/);
    expect(r.stderr).not.toMatch(/--switch (ignore-puts|latency-ms=5): not a switch/);
    const bad = spawnSync(TSX, [CLI, '--behave', 'hang-after=x'], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/hang-after=<n>: requests answered before the node stalls/);
  });
});
