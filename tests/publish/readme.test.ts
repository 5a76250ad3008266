/**
 * The README and docs/ as a newcomer reads them: every relative link and anchor resolves, the
 * README stays short, every `npm run X` they name is a script, every `sps-conformance` flag they
 * name is in `--help`, and the README's first command (the mock run) works as written.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(new URL(import.meta.url).pathname), '../..');
const docFiles = [
  'README.md',
  'CONTRIBUTING.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (f: string) => readFileSync(join(root, f), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  const counts = new Map<string, number>();
  let fence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    const m = !fence && /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = counts.get(base) ?? 0;
    counts.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

function withoutCode(markdown: string): string {
  return markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
}

describe('README and docs', () => {
  it('README.md is a first screen, not a manual (at most about 300 lines)', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('every relative link and anchor resolves', () => {
    const broken: string[] = [];
    for (const file of docFiles) {
      for (const m of withoutCode(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const abs = path === '' ? join(root, file) : resolve(dirname(join(root, file)), path);
        if (!existsSync(abs)) {
          broken.push(`${file}: ${target} (no such file)`);
          continue;
        }
        if (anchor && abs.endsWith('.md') && !anchors(readFileSync(abs, 'utf8')).has(anchor))
          broken.push(`${file}: ${target} (no such heading in ${relative(root, abs)})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('every `npm run X` named in README.md, CONTRIBUTING.md and docs/ is a script of package.json', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts);
    const named = new Set(docFiles.flatMap((f) => [...read(f).matchAll(/npm run ([a-z][\w:-]*)/g)].map((m) => m[1]!)));
    expect([...named].filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it('every sps-conformance flag named in the README is in --help', () => {
    const help = execFileSync(process.execPath, [join(root, 'bin/sps-conformance.js'), '--help'], { cwd: root, encoding: 'utf8' });
    const flags = new Set([...read('README.md').matchAll(/`(--[a-z][a-z-]*)/g)].map((m) => m[1]!));
    expect(flags.size).toBeGreaterThan(5);
    expect([...flags].filter((f) => !help.includes(f))).toEqual([]);
  });

  it("the README's first command, the mock run, works as written and says Conformant", () => {
    const block = /```sh\n([\s\S]*?)```/.exec(read('README.md'))![1]!;
    const first = block.split('\n')[0]!.replace(/#.*$/, '').trim();
    expect(first).toBe('npm ci && npm run conformance');
    const dir = mkdtempSync(join(tmpdir(), 'sps-readme-'));
    try {
      // `npm ci` has just run (CI, and the newcomer's first half of the line); the rest as written.
      const res = spawnSync('npm', ['run', 'conformance', '--', '--report-dir', dir], { cwd: root, encoding: 'utf8', timeout: 240_000 });
      expect(res.status, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/^Conformant: \d+ passed, 0 failed/m);
      expect(existsSync(join(dir, 'report.html'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
