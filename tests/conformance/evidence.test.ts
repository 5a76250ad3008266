/**
 * Evidence strength decides the verdict (docs/verdicts.md): a rule resting on a vendor page or
 * on SDK code fails; one resting on an inference or our reading warns, naming its source and
 * reason, and fails only with --strict. Against the simulator whose failed login carries no
 * `WWW-Authenticate` challenge (an inference from the Java SDK), through the real CLI.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { DEFAULT_SPEC_FILE } from '../../src/model/operations.js';
import { readReports, runCli, tempDir } from './helpers/cli.js';

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe.runIf(existsSync(DEFAULT_SPEC_FILE))('a failed login without the WWW-Authenticate challenge (an inference)', () => {
  it('exit 0 with one warning naming the inference; --strict: exit 1', async () => {
    sim = await startSimulator({ behaviour: { noLoginChallenge: true } });
    const node = sim.nodes[0]!;
    const dir = tempDir();
    const args = ['--url', node.url, '--username', sim.users.admin.username, '--ca', sim.caFile!, '--only', 'Authentication', '--report-dir', dir];
    const env = { SPS_PASSWORD: sim.users.admin.password };
    const run = await runCli(args, { env });
    expect(run.code, run.stdout.slice(-1500)).toBe(0);
    expect(run.stdout).toMatch(/^Conformant: \d+ passed, 0 failed, 1 warnings \(1 inferences or readings only\)/m);
    expect(run.stdout).toContain('documented header WWW-Authenticate is missing');
    expect(run.stdout).toMatch(/evidence: inference \(inference from SafeguardJava/);
    const json = JSON.parse(readReports(dir)['report.json']!) as {
      results: Array<{ outcome: string; check: string; basis?: string; strength?: string; source?: string }>;
    };
    const warned = json.results.filter((r) => r.outcome === 'warning');
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatchObject({ check: 'response_headers', basis: 'inference', strength: 'soft' });
    expect(warned[0]!.source).toMatch(/does not send credentials preemptively.*no vendor page documents the header/);

    const strict = await runCli([...args, '--strict'], { env });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^Not conformant: \d+ passed, 1 failed \(1 inferences or readings only\)/m);
  }, 120_000);

  it('the faithful simulator (with the challenge) passes without a warning; a fact-backed failure names its vendor page', async () => {
    sim = await startSimulator({ nodeBehaviours: [{}, { acceptAnyPassword: true }], nodes: 2 });
    const report = await runConformance({
      urls: sim.nodes.map((n) => n.url),
      username: sim.users.admin.username,
      password: sim.users.admin.password,
      caFile: sim.caFile!,
      only: ['Authentication'],
    });
    const [faithful, broken] = report.targets.map((t) => t.node);
    expect(report.results.filter((r) => r.node === faithful && (r.outcome === 'failed' || r.outcome === 'warning'))).toEqual([]);
    const failed = report.results.filter((r) => r.node === broken && r.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    // Every failed row shows its strength and its source.
    for (const r of failed) {
      expect(r.strength, r.message).toBe('fact');
      expect(r.source, r.message).toMatch(/^vendor pages? https:\/\/support\.oneidentity\.com\//);
    }
  }, 120_000);
});
