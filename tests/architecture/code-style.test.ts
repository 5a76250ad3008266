/**
 * Lint and format of the TypeScript (`biome.json`, issue 19): `biome ci` finds nothing. Part of
 * `npm test`; `npm run format` fixes the formatting, `npm run lint:code` prints the same findings.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const BIOME = join(ROOT, 'node_modules', '.bin', 'biome');

/** Biome's exit code and output for `args`, run at the root. */
async function biome(args: string[], input?: string): Promise<{ code: number; output: string }> {
  const child = run(BIOME, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    const { stdout, stderr } = await child;
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('code style of the TypeScript', () => {
  it('biome ci finds no lint or format problem, warnings included', async () => {
    const { code, output } = await biome(['ci', '.', '--colors=off', '--error-on-warnings', '--max-diagnostics=50']);
    expect(code, `run \`npm run format\`, then fix what \`npm run lint:code\` still shows:\n${output}`).toBe(0);
  }, 120_000);

  it('the check does catch a badly formatted file and a lint problem', async () => {
    // The same configuration on made-up input: proves the test above could fail.
    const format = await biome(['format', '--stdin-file-path=src/probe.ts'], 'const a = {b:1}\n');
    expect(format.output).toContain('const a = { b: 1 };');
    // A lint problem in a file of the tree (tests/ are linted too), removed at once.
    const probe = join(import.meta.dirname, `lint-probe-${process.pid}.ts`);
    writeFileSync(probe, 'export const same = (a: unknown, b: unknown): boolean => a == b;\n');
    try {
      const lint = await biome(['lint', probe, '--colors=off']);
      expect(lint.code).not.toBe(0);
      expect(lint.output).toMatch(/noDoubleEquals/);
    } finally {
      rmSync(probe, { force: true });
    }
  }, 120_000);
});
