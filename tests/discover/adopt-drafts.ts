/**
 * What the README tells a maintainer to do with discovery drafts, done in a temporary copy of the
 * repository: move each draft under openapi/paths/, add its `$ref` to openapi.yaml, declare a
 * new tag; then run the spec's own lint (Redocly with lint/sps-source.js) and bundle it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { root } from '../spec/lib.js';

export function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

export interface Adopted {
  /** The edited openapi/openapi.yaml. */
  rootDoc: any;
  lint: { totals: { errors: number; warnings: number }; problems: unknown[] };
  /** Re-bundles the copy (after an edit) and returns the bundled document. */
  bundle(): { status: number | null; stderr: string; doc: any };
  repo: string;
}

export function adoptDrafts(draftDir: string, repo: string): Adopted {
  for (const part of ['openapi', 'lint']) cpSync(join(root, part), join(repo, part), { recursive: true });
  cpSync(join(root, 'redocly.yaml'), join(repo, 'redocly.yaml'));
  cpSync(join(root, '.redocly.lint-ignore.yaml'), join(repo, '.redocly.lint-ignore.yaml'));
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));
  const rootFile = join(repo, 'openapi/openapi.yaml');
  const doc = parse(readFileSync(rootFile, 'utf8'));
  for (const file of allFiles(draftDir)) {
    const rel = relative(draftDir, file);
    const text = readFileSync(file, 'utf8');
    const path = /^# DRAFT for (\S+):/.exec(text)![1]!;
    cpSync(file, join(repo, 'openapi/paths', rel));
    doc.paths[path] = { $ref: `paths/${rel}` };
    const tag = /declare the tag "([^"]+)"/.exec(text)?.[1];
    if (tag && !doc.tags.some((t: { name: string }) => t.name === tag)) doc.tags.push({ name: tag, description: `Observed ${tag} endpoints.` });
  }
  writeFileSync(rootFile, stringify(doc, { lineWidth: 0 }));
  const bin = join(root, 'node_modules/.bin/redocly');
  const lint = spawnSync(bin, ['lint', '--config', 'redocly.yaml', '--format', 'json'], { cwd: repo, encoding: 'utf8' });
  const bundled = join(repo, 'bundle.json');
  return {
    rootDoc: doc,
    lint: JSON.parse(lint.stdout),
    repo,
    bundle() {
      const res = spawnSync(bin, ['bundle', 'openapi/openapi.yaml', '--config', 'redocly.yaml', '-o', bundled], { cwd: repo, encoding: 'utf8' });
      return { status: res.status, stderr: res.stderr, doc: res.status === 0 ? JSON.parse(readFileSync(bundled, 'utf8')) : undefined };
    },
  };
}
