/**
 * The commands of docs/consumers.md that can run here, as written: the curl block (login, read,
 * a write rolled back) against the simulator over HTTPS with its CA (only the node URL and the
 * CA file, the block's first two assignments, are this run's), the package subpaths and the
 * version pins it names. PowerShell is not installed on the build machine.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(root, 'docs', 'consumers.md'), 'utf8');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  exports: Record<string, unknown>;
};
const work = mkdtempSync(join(tmpdir(), 'sps-consumers-'));
const PASSWORD = 'consumers-doc-password';
let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await startSimulator({ nodes: 1, https: true, users: { admin: { username: 'admin', password: PASSWORD } } });
}, 60_000);
afterAll(async () => {
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

/** The fenced block right after the `<!-- tested: NAME` marker. */
function block(name: string): string {
  const at = doc.indexOf(`<!-- tested: ${name}`);
  expect(at, `docs/consumers.md has no "<!-- tested: ${name}" block`).toBeGreaterThan(0);
  const m = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
  return m![1]!;
}

describe('docs/consumers.md', () => {
  it('the curl block logs in, reads, writes in a transaction, reads the change log and rolls back', async () => {
    const node = sim.nodes[0]!;
    const committed = JSON.stringify(node.state.committedConfig());
    const script = block('curl')
      .replace(/^SPS=\S+/m, `SPS=${node.url}`)
      .replace(/^CA=\S+/m, `CA=${sim.caFile}`);
    // Asynchronously: the simulator answers from this process.
    const r = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: work,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SPS_PASSWORD: PASSWORD },
    }).then(
      (x) => ({ status: 0, stdout: x.stdout, stderr: x.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ status: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );
    expect(r.status, r.stderr).toBe(0);
    // The read, the staged change in the change log, and the rollback's answer.
    expect(r.stdout).toMatch(/"key":\s*"timezone"/);
    expect(r.stdout).toContain('Europe/Budapest');
    expect(`${r.stdout}${r.stderr}`).not.toContain(PASSWORD);
    expect(JSON.stringify(node.state.committedConfig())).toBe(committed);
    expect(node.state.openTransaction()).toBeFalsy();
    expect(existsSync(join(work, 'sps-auth.conf'))).toBe(false);
  }, 90_000);

  it('pins the package version and the generator versions the compatibility kit runs', () => {
    expect(doc).toContain(`sps-contract@${pkg.version}`);
    for (const gen of ['@hey-api/openapi-ts', 'swagger-typescript-api']) expect(doc).toContain(`${gen}@${pkg.devDependencies[gen]}`);
    for (const sub of ['sps-contract/types/6.x', 'sps-contract/spec/6.x.json']) expect(doc).toContain(sub);
    expect(Object.keys(pkg.exports)).toEqual(expect.arrayContaining(['./types/*', './spec/*.json', './spec/*.yaml']));
  });

  it('the simulator flags it names are in `sps-simulator --help`', () => {
    const help = spawnSync(process.execPath, [join(root, 'bin', 'sps-simulator.js'), '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(help.status, help.stderr).toBe(0);
    const section = doc.slice(doc.indexOf('## The sandbox'), doc.indexOf('## Run the conformance suite in CI'));
    const flags = [...section.matchAll(/sps-simulator((?: --[a-z-]+(?: [^\s#-][^\s#]*)?)+)/g)].flatMap((m) =>
      [...m[1]!.matchAll(/--[a-z-]+/g)].map((f) => f[0]),
    );
    expect(flags.length).toBeGreaterThan(2);
    expect(flags.filter((f) => !help.stdout.includes(f))).toEqual([]);
  }, 60_000);
});
