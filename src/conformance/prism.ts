/**
 * Starts a Prism mock of a spec on a free loopback port and stops it again. By default that is
 * `mock/server.ts`: Prism's own server and mock engine without the CLI, with a router that hands
 * Prism only the operations that can match a request (see there; its answers are the same as
 * `prism mock`'s). `engine: 'prism-cli'` starts the real `prism mock` instead, and `proxyTo`
 * always uses the CLI's `prism proxy`. Either prints the port it picked in its "listening" line,
 * so the launcher reads the child's output until that line appears. The mock runs in a child
 * process: it uses the second core, and a crash of it is seen (`exited`, `lastLines()`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readDocument } from '../shared/documents.js';

export interface PrismHandle {
  /** Origin of the mock, e.g. `http://127.0.0.1:40123`. */
  url: string;
  pid: number | undefined;
  /** Stops Prism (SIGTERM, then SIGKILL after 3 s). Safe to call twice. */
  close(): Promise<void>;
  /** Whether the Prism process has exited (on its own, or after close()). */
  readonly exited: boolean;
  /** Prism's last few log lines, for an error message when it stops unexpectedly. */
  lastLines(): string;
}

export class PrismStartError extends Error {
  override name = 'PrismStartError';
}

/** The Prism CLI entry point of the installed @stoplight/prism-cli. */
export function prismCliPath(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('@stoplight/prism-cli/package.json');
  const pkg = readDocument(pkgFile) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.prism ?? 'dist/index.js');
  return resolve(dirname(pkgFile), bin);
}

/**
 * How to run `mock/server`: the compiled `.js` next to this file (the npm package), or the
 * TypeScript source through tsx (a clone without a build).
 */
export function mockServerCommand(): string[] {
  const built = fileURLToPath(new URL('./mock/server.js', import.meta.url));
  if (existsSync(built)) return [built];
  // tsx's loader by absolute URL: the child may start in any working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, fileURLToPath(new URL('./mock/server.ts', import.meta.url))];
}

/**
 * V8 settings of the runner's mock: a small young generation and V8's memory-saving mode. At
 * 1,000 operations they cut the mock's peak from about 207 to 168 MiB, for about 1 s more of
 * wall time; the 41-operation run is not slower (README, Measurements).
 */
const MOCK_V8_FLAGS = ['--optimize-for-size', '--max-semi-space-size=1'];

const LISTENING = /Prism is listening on (https?:\/\/[^\s]+)/;
// eslint-disable-next-line no-control-regex
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this strips
const ANSI = /\u001b\[[0-9;]*m/g;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort: a process that exits without closing its mocks does not leave them behind.
  process.on('exit', () => {
    for (const child of running) child.kill('SIGKILL');
  });
}

export interface StartPrismOptions {
  startTimeoutMs?: number;
  /**
   * Run `prism proxy --errors` in front of this upstream instead of `prism mock`: requests are
   * forwarded, and an answer that breaks the spec becomes a 500 with an `sl-violations` header.
   */
  proxyTo?: string;
  /** `server` (default): the runner's mock (mock/server.ts); `prism-cli`: the real `prism mock`. */
  engine?: 'server' | 'prism-cli';
}

export async function startPrism(specFile: string, opts: StartPrismOptions = {}): Promise<PrismHandle> {
  const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
  installExitHook();
  const args = opts.proxyTo
    ? [prismCliPath(), 'proxy', '-p', '0', '-h', '127.0.0.1', '--errors', specFile, opts.proxyTo]
    : opts.engine === 'prism-cli'
      ? [prismCliPath(), 'mock', '-p', '0', '-h', '127.0.0.1', specFile]
      : [...MOCK_V8_FLAGS, ...mockServerCommand(), 'mock', '--port', '0', '--host', '127.0.0.1', specFile];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  });
  running.add(child);
  let exited = false;
  const exitedPromise = new Promise<void>((res) => {
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      res();
    });
  });

  const close = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, 3000);
    await exitedPromise;
    clearTimeout(timer);
  };

  const tail: string[] = [];
  const url = await new Promise<string>((res, rej) => {
    let buffer = '';
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8').replace(ANSI, '');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) {
          tail.push(line);
          if (tail.length > 8) tail.shift();
        }
        const m = LISTENING.exec(line);
        if (m?.[1]) {
          cleanup();
          res(m[1].replace(/\/$/, ''));
        }
      }
    };
    const onExit = (code: number | null): void => {
      cleanup();
      const last = tail
        .filter((l) => !/^\S*\s*›?\s*\[CLI\]\s*…\s*awaiting/.test(l))
        .slice(-3)
        .join(' | ');
      rej(new PrismStartError(`Prism exited (code ${code ?? 'signal'}) before listening${last ? `: ${last}` : ''}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      rej(new PrismStartError(`Prism did not start listening within ${startTimeoutMs} ms`));
    }, startTimeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  }).catch(async (err: unknown) => {
    await close();
    throw err;
  });
  // Keep draining Prism's per-request log so its pipe never fills up, remembering the last lines.
  const remember = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').replace(ANSI, '').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line.trim());
      if (tail.length > 8) tail.shift();
    }
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);
  return {
    url,
    pid: child.pid,
    close,
    get exited() {
      return exited;
    },
    lastLines: () => tail.slice(-3).join(' | '),
  };
}
