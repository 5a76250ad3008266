import { startSimulator } from '../../src/simulator/index.js';
/**
 * The check registry is the one list of checks: this walks it and fails for a check without a
 * failing fixture (fixtures/checks/<check>.ts), for a README checks table or a `--help` that
 * differs from it, and for a check whose name is not its file name.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKS, FORMER_NAMES, checksTable } from '../../src/conformance/checks/index.js';
import { runConformance } from '../../src/conformance/runner.js';
import { buildSelection } from '../../src/conformance/selection.js';
import { FIXTURE_SPEC, startBreakableSps, type BreakableSps } from './helpers/breakable-sps.js';
import { PassThrough } from 'node:stream';
import { main } from '../../src/conformance/cli.js';
import { live, model, type CheckFixture } from './helpers/exchange.js';

const root = (rel: string): string => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

let sps: BreakableSps | undefined;
afterEach(async () => {
  await sps?.close();
  sps = undefined;
});

describe('the check registry', () => {
  it('names every check in snake_case after its file', () => {
    for (const c of CHECKS) {
      expect(c.name).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(existsSync(root(`src/conformance/checks/${c.name}.ts`)), `src/conformance/checks/${c.name}.ts`).toBe(true);
      expect(c.passes.split('\n')).toHaveLength(1);
      expect(c.probes.length).toBeGreaterThan(0);
    }
    expect(new Set(CHECKS.map((c) => c.name)).size).toBe(CHECKS.length);
  });

  it('is the checks table of docs/conformance.md (written by npm run generate)', () => {
    const docs = readFileSync(root('docs/conformance.md'), 'utf8');
    const start = docs.indexOf('| check | passes when | mock |');
    expect(start).toBeGreaterThan(0);
    const lines = docs.slice(start).split('\n');
    const table = lines
      .slice(
        0,
        lines.findIndex((l) => !l.startsWith('|')),
      )
      .join('\n');
    expect(table, 'docs/conformance.md checks table: run npm run generate').toBe(checksTable());
  });

  it('is what --help lists', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (d: Buffer) => (text += d.toString()));
    expect(await main(['--help'], { env: {}, stdout, stderr: new PassThrough() })).toBe(0);
    for (const c of CHECKS) expect(text).toContain(`  ${c.name}  `);
    expect(text).toContain('--spec <file>');
    expect(text).toContain('--mock-url <url>');
  });

  it('keeps former names working in --only/--skip, with one deprecation notice each', () => {
    const notices: string[] = [];
    const sel = buildSelection(model, ['status_code_conformance,STATUS_CODE_CONFORMANCE'], ['meta_conformance'], (m) => notices.push(m));
    expect(sel.includesCheck('status_code')).toBe(true);
    expect(sel.includesCheck('content_type')).toBe(false);
    expect(notices).toEqual([
      expect.stringMatching(/^--only status_code_conformance: the check is now named status_code/),
      expect.stringMatching(/^--skip meta_conformance: the check is now named meta_links/),
    ]);
    expect(FORMER_NAMES.get('error_body_conformance')).toBe('error_body');
  });

  it('prints one deprecation line on stderr for a former name on the command line', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d: Buffer) => (text += d.toString()));
    const dir = mkdtempSync(join(tmpdir(), 'sps-registry-'));
    // Only a check that is a skipped row against the mock: nothing is sent, no Prism is started.
    const code = await main(
      ['--spec', FIXTURE_SPEC, '--only', 'auth_failure', '--skip', 'status_code_conformance,status_code_conformance', '--report-dir', dir],
      {
        env: {},
        stdout: new PassThrough(),
        stderr,
      },
    );
    // auth_failure cannot run against the mock: a check selected with --only that could not run
    // makes the run incomplete (exit 2, docs/safety.md), whatever the names on the command line.
    expect(code).toBe(2);
    expect(text.split('\n').filter((l) => l.includes('deprecated'))).toEqual([
      'sps-conformance: deprecated: --skip status_code_conformance: the check is now named status_code; the old name still works for now and will be removed in a later release',
    ]);
  });

  describe.each(CHECKS.map((c) => [c.name, c] as const))('%s', (name, check) => {
    it('has a fixture on which it fails', async () => {
      const file = root(`tests/conformance/fixtures/checks/${name}.ts`);
      expect(existsSync(file), `add ${file}: an exchange or a breakable SPS where ${name} fails`).toBe(true);
      const { fixture } = (await import(file)) as { fixture: CheckFixture };
      if ('exchange' in fixture) {
        const rows = check.run(fixture.context ?? live, fixture.exchange);
        const failed = rows.filter((r) => r.outcome === 'failed');
        expect(failed.map((r) => r.check)).toEqual([name]);
        expect(failed[0]!.message).toMatch(fixture.message);
      } else if ('simulator' in fixture) {
        const { switches, nodeSwitches, cluster, options } = fixture.simulator;
        const sim = await startSimulator({
          nodes: nodeSwitches?.length ?? 1,
          ...(cluster ? { cluster } : {}),
          ...(switches ? { switches } : {}),
          ...(nodeSwitches ? { nodeSwitches } : {}),
        });
        try {
          const report = await runConformance({
            urls: sim.nodes.map((n) => n.url),
            username: sim.users.admin.username,
            password: sim.users.admin.password,
            caFile: sim.caFile!,
            only: [name],
            ...options,
          });
          const failed = report.results.filter((r) => r.outcome === 'failed');
          expect(failed.length).toBeGreaterThan(0);
          expect(new Set(failed.map((r) => r.check))).toEqual(new Set([name]));
          expect(failed.map((r) => r.message).join('\n')).toMatch(fixture.message);
        } finally {
          await sim.close();
        }
      } else {
        sps = await startBreakableSps({ breaks: fixture.breakableSps.breaks });
        const report = await runConformance({
          specFile: FIXTURE_SPEC,
          urls: [sps.url],
          username: 'admin',
          password: sps.password,
          timeoutMs: 3000,
          only: [name],
          ...fixture.breakableSps.options,
        });
        const failed = report.results.filter((r) => r.outcome === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        expect(new Set(failed.map((r) => r.check))).toEqual(new Set([name]));
        expect(failed.map((r) => r.message).join('\n')).toMatch(fixture.message);
      }
    });
  });
});
