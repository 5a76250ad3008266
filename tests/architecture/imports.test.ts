/**
 * The import rules of src/ (`.dependency-cruiser.cjs`, issue 19): no cycle anywhere, checks
 * import only the check floor, their helpers and the operation model, and the floor imports
 * nothing of the machinery. Part of `npm test`; `npm run depcheck` prints the same findings.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

/** The violations depcruise finds under `dir` with `config`, as `rule: from -> to` lines. */
async function violations(dir: string, config: string): Promise<Violation[]> {
  const { stdout } = await run(DEPCRUISE, [dir, '--config', config, '--output-type', 'json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> } };
  return result.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to }));
}

const show = (vs: Violation[]): string => vs.map((v) => `${v.rule}: ${v.from} -> ${v.to}`).join('\n');

describe('import rules of src/', () => {
  it('has no cycle, no check importing the machinery, no machinery under the floor', async () => {
    const found = await violations('src', '.dependency-cruiser.cjs');
    expect(show(found), 'fix these imports (npm run depcheck shows the cycles in full)').toBe('');
  }, 120_000);

  it('the rules do catch a check that imports the runner, and a cycle', async () => {
    // A copy of the rules run on a made-up tree: proves the test above could fail.
    const dir = mkdtempSync(join(ROOT, '.depcruise-probe-'));
    const rel = dir.slice(ROOT.length + 1);
    try {
      const config = readFileSync(join(ROOT, '.dependency-cruiser.cjs'), 'utf8').replaceAll("'^src/", `'^${rel}/src/`);
      writeFileSync(join(dir, 'rules.cjs'), config);
      mkdirSync(join(dir, 'src', 'conformance', 'checks'), { recursive: true });
      writeFileSync(join(dir, 'src', 'conformance', 'runner.ts'), "import { a } from './checks/bad.js';\nexport const r = a;\n");
      writeFileSync(join(dir, 'src', 'conformance', 'checks', 'bad.ts'), "import { r } from '../runner.js';\nexport const a = 1;\nexport const b = r;\n");
      const found = await violations(join(rel, 'src'), join(rel, 'rules.cjs'));
      expect(found.map((v) => v.rule).sort()).toEqual(expect.arrayContaining(['checks-stand-on-the-floor', 'no-cycles']));
      expect(found.some((v) => v.from.endsWith('checks/bad.ts') && v.to.endsWith('runner.ts'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
