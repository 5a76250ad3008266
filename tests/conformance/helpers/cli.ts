/** Runs the real CLI (`node --import tsx src/conformance/cli.ts`) as a child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'src/conformance/cli.ts');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Kills the child after this long (the test then fails on the exit code). */
  killAfterMs?: number;
  /** Called with each stderr chunk, with a handle to signal the child. */
  onStderr?: (chunk: string, child: { kill(signal: NodeJS.Signals): void }) => void;
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SPS_')) env[k] = v;
  Object.assign(env, { NO_COLOR: '1' }, opts.env ?? {});
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    stderr += text;
    opts.onStderr?.(text, { kill: (s) => child.kill(s) });
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 120_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

export function tempDir(prefix = 'sps-conformance-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file of a report directory, name -> text. */
export function readReports(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

/** stderr without npm/tsx noise that is not ours. */
export function ownLines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('npm warn'));
}
