/**
 * What `npm pack` would publish: the built JavaScript, the bundled spec and its types, the
 * README and the changelog; no tests, fixtures, sources or local output. Every `exports`,
 * `main`, `types` and `bin` target must be in the package, and the bin must be runnable.
 *
 * `npm pack --dry-run` runs `prepack` (the TypeScript build), so this takes several seconds.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

interface PackEntry {
  path: string;
  size: number;
  mode: number;
}
interface PackResult {
  name: string;
  version: string;
  files: PackEntry[];
}
interface PackageJson {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
let paths: string[] = [];

/** "./dist/x.js" -> "dist/x.js" */
const norm = (p: string): string => p.replace(/^\.\//, '');

function exportTargets(exportsField: PackageJson['exports']): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(norm(v));
    else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  walk(exportsField);
  return out;
}

beforeAll(async () => {
  const { stdout } = await execFileAsync('npm', ['pack', '--dry-run', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 32 * 1024 * 1024,
    timeout: 170_000,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  });
  const result = JSON.parse(stdout) as PackResult[];
  expect(result).toHaveLength(1);
  expect(result[0]!.name).toBe(pkg.name);
  paths = result[0]!.files.map((f) => f.path).sort();
}, 180_000);

describe('npm pack', () => {
  it('contains the built JavaScript, the bundled spec, its types and the docs', () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/client/index.js',
        'dist/client/index.d.ts',
        'dist/conformance/cli.js',
        'dist/simulator/cli.js',
        'bin/sps-simulator.js',
        'generated/sps-api-6.x.json',
        'generated/sps-api-7.x.yaml',
        'generated/sps-api-7.x.d.ts',
        'generated/sps-api.yaml',
        'generated/sps-api.json',
        'generated/sps-api.d.ts',
      ]),
    );
  });

  it('contains no tests, fixtures, sources or local output', () => {
    const forbidden = paths.filter(
      (p) =>
        /^(tests|src|openapi|scripts|docs|docs-site|conformance-report|node_modules|\.tmp|\.ci|\.git)\//.test(p) ||
        /(^|\/)fixtures?\//.test(p) ||
        /\.(test|spec)\.[cm]?[jt]s$/.test(p) ||
        (/\.[cm]?ts$/.test(p) && !/\.d\.[cm]?ts$/.test(p)) ||
        /\.tgz$/.test(p) ||
        /(^|\/)(tsconfig[^/]*\.json|vitest\.config\.[cm]?[jt]s|redocly\.yaml|package-lock\.json)$/.test(p),
    );
    expect(forbidden).toEqual([]);
  });

  it('ships every file that package.json points at', () => {
    const targets = [
      ...exportTargets(pkg.exports),
      ...(pkg.main ? [norm(pkg.main)] : []),
      ...(pkg.types ? [norm(pkg.types)] : []),
      ...Object.values(pkg.bin ?? {}).map(norm),
    ];
    expect(targets).toEqual(expect.arrayContaining(['dist/index.js', 'generated/sps-api.json', 'generated/sps-api.yaml', 'generated/sps-api.d.ts']));
    // A subpath pattern (`./spec/*.json` -> `./generated/sps-api-*.json`) must match at least one packed file.
    const shipped = (t: string) =>
      t.includes('*')
        ? paths.some((p) =>
            new RegExp(
              `^${t
                .split('*')
                .map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                .join('[^/]+')}$`,
            ).test(p),
          )
        : paths.includes(t);
    expect(targets.filter((t) => !shipped(t))).toEqual([]);
  });

  it('exports the client, the types and both spec files under stable subpaths', () => {
    const exp = pkg.exports ?? {};
    expect(Object.keys(exp)).toEqual(expect.arrayContaining(['.', './client', './types', './spec.json', './spec.yaml']));
    expect(exp['./types']).toEqual({ types: './generated/sps-api.d.ts' });
    expect(exp['./spec.json']).toBe('./generated/sps-api.json');
    expect(exp['./spec.yaml']).toBe('./generated/sps-api.yaml');
  });

  it('has sps-conformance and sps-simulator bins that Node can run directly', () => {
    for (const name of ['sps-conformance', 'sps-simulator']) {
      expect(Object.keys(pkg.bin ?? {})).toContain(name);
      const bin = norm(pkg.bin![name]!);
      const firstLine = readFileSync(join(root, bin), 'utf8').split('\n', 1)[0];
      expect(firstLine).toBe('#!/usr/bin/env node');
    }
  });

  it('keeps Prism out of what a client install pulls in (an optional peer dependency)', () => {
    const full = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies?: Record<string, string>;
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const prism = Object.keys(full.dependencies).filter((d) => d.startsWith('@stoplight/'));
    expect(prism).toEqual([]);
    const peers = Object.keys(full.peerDependencies ?? {});
    expect(peers).toEqual(expect.arrayContaining(['@stoplight/prism-http', '@stoplight/prism-http-server']));
    for (const p of peers) expect(full.peerDependenciesMeta?.[p]?.optional, p).toBe(true);
  });
});
