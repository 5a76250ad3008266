/**
 * What a team installs: the packed package (`npm pack`, which builds) installed into empty
 * folders, measured as packages and bytes on disk under node_modules.
 *
 *   npx tsx scripts/bench/install-size.ts            prints a markdown table
 *   npx tsx scripts/bench/install-size.ts --json     the numbers as JSON
 *
 * Rows: the client and types alone (`npm install sps-contract`: Prism is an optional peer
 * dependency and not installed), and with the mock's Prism peers added (what every install
 * got before the split, and what `sps-conformance` without `--url` needs).
 * Installs use the local npm cache first (`--prefer-offline`).
 */
import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readDocument } from '../../src/shared/documents.js';

const execFileAsync = promisify(execFile);
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface InstallSize {
  what: string;
  command: string;
  packages: number;
  bytes: number;
  seconds: number;
}

const env: NodeJS.ProcessEnv = {};
for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
Object.assign(env, { npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });

async function npm(args: string[], cwd: string): Promise<string> {
  const { stdout } = await execFileAsync('npm', args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  return stdout;
}

/** Bytes of the files under `dir` (symlinks not followed). */
export function diskBytes(dir: string): number {
  let total = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else total += st.size;
    }
  };
  walk(dir);
  return total;
}

/** Packages installed under `dir`/node_modules (every folder with a package.json that npm placed). */
function packageCount(dir: string): number {
  const lock = readDocument(join(dir, 'package-lock.json')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages).filter((k) => k.startsWith('node_modules/')).length;
}

export async function measureInstallSizes(): Promise<InstallSize[]> {
  const work = mkdtempSync(join(tmpdir(), 'sps-install-size-'));
  try {
    const packed = JSON.parse(await npm(['pack', '--pack-destination', work, '--json'], root)) as Array<{ filename: string }>;
    const tarball = join(work, packed[0]!.filename);
    const pkg = readDocument(join(root, 'package.json')) as { peerDependencies?: Record<string, string> };
    const peers = Object.entries(pkg.peerDependencies ?? {}).map(([n, v]) => `${n}@${v}`);
    const rows: Array<{ what: string; extra: string[] }> = [
      { what: 'client and types (the default install)', extra: [] },
      { what: 'with the optional Prism peers (sps-conformance mock runs; every install before the split)', extra: peers },
    ];
    const out: InstallSize[] = [];
    for (const [i, row] of rows.entries()) {
      const dir = join(work, `app${i}`);
      mkdirSync(dir);
      await npm(['init', '-y'], dir);
      const started = performance.now();
      await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...row.extra], dir);
      const seconds = (performance.now() - started) / 1000;
      out.push({
        what: row.what,
        command: `npm install sps-contract${row.extra.length ? ` ${row.extra.map((p) => p.replace(/@[^@]+$/, '')).join(' ')}` : ''}`,
        packages: packageCount(dir),
        bytes: diskBytes(join(dir, 'node_modules')),
        seconds,
      });
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function installTable(rows: InstallSize[]): string {
  const lines = ['| install | command | packages | node_modules | time |', '| --- | --- | ---: | ---: | ---: |'];
  for (const r of rows) lines.push(`| ${r.what} | \`${r.command}\` | ${r.packages} | ${(r.bytes / 1e6).toFixed(1)} MB | ${r.seconds.toFixed(1)} s |`);
  return lines.join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  measureInstallSizes().then(
    (rows) => console.log(process.argv.includes('--json') ? JSON.stringify(rows, null, 2) : installTable(rows)),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : String(err));
      process.exitCode = 1;
    },
  );
}
