/**
 * The catalogue of broken appliances (src/simulator/catalogue.ts), walked switch by switch: a
 * conformance run against a simulator with that switch is caught exactly as the catalogue says
 * (the named check fails or warns and no other check fails; the runner stops with exit 2; a
 * faithful switch passes), and the same run without the switch passes, so it is the switch that
 * is caught. Plus the one spelling: `parseSwitch` refuses what the catalogue does not hold.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadRolesFile, type RoleAccount } from '../../src/conformance/roles.js';
import { runConformance, type ConformanceReport } from '../../src/conformance/runner.js';
import {
  applySwitches,
  parseSwitch,
  startSimulator,
  SWITCHES,
  type CatchRun,
  type SimSwitch,
  type SimulatorHandle,
  type SwitchEntry,
  type SwitchName,
} from '../../src/simulator/index.js';
import { DEFAULT_SPEC_FILE } from '../../src/model/operations.js';

const ROLES: Record<NonNullable<CatchRun['roles']>, string> = {
  auditor: 'users:\n  auditor:\n    password_env: AU\n    may: ["GET /api/**"]\n    may_not: ["PUT /api/configuration/**", "POST /api/transaction"]\n',
  operator:
    'users:\n  operator:\n    password_env: OP\n    may: ["GET /api/configuration/**", "PUT /api/configuration/**", "POST /api/transaction"]\n    may_not: ["GET /api/cluster/**"]\n',
};

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function written(entry: SwitchEntry): SimSwitch {
  return (entry.param ? `${entry.name}=${entry.param.example}` : entry.name) as SimSwitch;
}

async function runWith(run: CatchRun, switches: SimSwitch[]): Promise<ConformanceReport> {
  const nodes = run.cluster ?? 1;
  sim = await startSimulator({
    nodes,
    cluster: run.cluster !== undefined,
    nodeSwitches: Array.from({ length: nodes }, (_, i) => (i === nodes - 1 ? switches : [])),
  });
  const s = sim;
  let roles: RoleAccount[] | undefined;
  if (run.roles) {
    const dir = mkdtempSync(join(tmpdir(), 'sps-catalogue-'));
    writeFileSync(join(dir, 'roles.yaml'), ROLES[run.roles]);
    roles = loadRolesFile(join(dir, 'roles.yaml'), { AU: s.users.auditor!.password, OP: s.users.operator!.password });
  }
  const report = await runConformance({
    urls: s.nodes.map((n) => n.url),
    username: s.users.admin.username,
    password: s.users.admin.password,
    caFile: s.caFile!,
    ...(run.allowWrites ? { allowWrites: true } : {}),
    ...(run.only ? { only: run.only } : {}),
    ...(roles ? { roles } : {}),
    ...(run.timeoutMs !== undefined ? { timeoutMs: run.timeoutMs } : {}),
  });
  // Whatever the switch, a run leaves no transaction open and commits nothing.
  for (const n of s.nodes) {
    expect(n.state.commits()).toEqual([]);
  }
  await s.close();
  sim = undefined;
  return report;
}

const failedRows = (r: ConformanceReport) => r.results.filter((x) => x.outcome === 'failed');
const show = (rows: unknown[]) => JSON.stringify(rows, null, 1).slice(0, 3000);

describe('the catalogue', () => {
  it('has one entry per name, kebab-case, and each names how it is caught', () => {
    const names = SWITCHES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    for (const s of SWITCHES) {
      expect(s.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      if (s.caught.by === 'check') expect(s.caught.check).toMatch(/^[a-z_]+$/);
    }
  });

  it('holds every name of the SimSwitch type, once each (one spelling from the type to the flag)', () => {
    // A Record over SwitchName: tsc fails here when the type gains a name this list lacks, and
    // SwitchEntry.name fails to compile for a catalogue name the type lacks.
    const inType: Record<SwitchName, true> = {
      'ignore-puts': true,
      'empty-change-log': true,
      'ignore-posts': true,
      'pagination-ignores-limit': true,
      'pagination-wrong-match-count': true,
      'accept-invalid-bodies': true,
      'parent-slash': true,
      'accept-any-password': true,
      'accept-made-up-session': true,
      'cookie-on-failed-login': true,
      'find-made-up-ids': true,
      'auditor-can-write': true,
      'operator-cannot-write': true,
      'operator-can-read-cluster': true,
      'no-login-challenge': true,
      'keep-sessions-on-cluster-commit': true,
      'lock-visibility-shared': true,
      'owner-session-only-rollback': true,
      'cluster-version-differs': true,
      'cluster-second-central': true,
      'cluster-members-differ': true,
      'cluster-wrong-central-address': true,
      'latency-ms': true,
      reset: true,
      hang: true,
      'hang-after': true,
      'html-502': true,
      'not-sps': true,
    };
    const names = SWITCHES.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(Object.keys(inType).sort());
  });

  it('parses the one spelling and refuses anything else', () => {
    expect(applySwitches(['ignore-puts', 'auditor-can-write', 'operator-can-read-cluster']).behaviour).toEqual({
      ignorePuts: true,
      privilegeBugs: { auditorCanWrite: true, operatorCanReadCluster: true },
    });
    expect(applySwitches(['hang-after=4']).faults).toEqual([{ kind: 'hang', after: 4 }]);
    expect(applySwitches(['latency-ms=20']).behaviour).toEqual({ latencyMs: 20 });
    expect(() => parseSwitch('ignorePuts')).toThrow(/unknown switch "ignorePuts" \(the catalogue: ignore-puts, /);
    expect(() => parseSwitch('latency-ms')).toThrow(/latency-ms=<n>/);
    expect(() => parseSwitch('latency-ms=0')).toThrow(/>= 1/);
    expect(() => parseSwitch('reset=3')).toThrow(/takes no value/);
    expect(() => applySwitches(['reset', 'hang'])).toThrow(/at most one fault/);
  });

  it('a switch set through startSimulator reaches the node (behaviour and fault)', async () => {
    sim = await startSimulator({ https: false, switches: ['ignore-puts', 'hang-after=1'] });
    const node = sim.nodes[0]!;
    expect(node.behaviour()).toEqual({ ignorePuts: true });
    const first = await fetch(`${node.url}/api/info`);
    expect(first.status).toBe(200);
    const second = await Promise.race([fetch(`${node.url}/api/info`).then(() => 'answered'), new Promise((r) => setTimeout(() => r('hangs'), 300))]);
    expect(second).toBe('hangs');
  });
});

describe.runIf(existsSync(DEFAULT_SPEC_FILE))('every switch is caught as the catalogue names it', () => {
  const controls = new Map<string, ConformanceReport>();

  it.each(SWITCHES.map((s) => [s.name, s] as const))(
    '%s',
    async (_name, entry) => {
      const report = await runWith(entry.run, [written(entry)]);
      const caught = entry.caught;
      if (caught.by === 'runner') {
        expect(report.exitCode, show(failedRows(report))).toBe(caught.exitCode);
        expect(report.fatal).toMatch(caught.message);
      } else if (caught.by === 'check') {
        const rows = report.results.filter((r) => r.check === caught.check && r.outcome === caught.outcome);
        expect(rows.length, show(report.results.filter((r) => r.check === caught.check))).toBeGreaterThan(0);
        expect(rows.map((r) => r.message).join('\n')).toMatch(caught.message);
        expect(new Set(failedRows(report).map((r) => r.check)), show(failedRows(report))).toEqual(
          caught.outcome === 'failed' ? new Set([caught.check]) : new Set(),
        );
        expect(report.exitCode).toBe(caught.outcome === 'failed' ? 1 : 0);
      } else {
        expect(report.exitCode, show(failedRows(report))).toBe(0);
        const warned = report.results.filter((r) => r.outcome === 'warning');
        if (caught.warning) {
          expect(warned.length).toBeGreaterThan(0);
          expect(new Set(warned.map((r) => r.check))).toEqual(new Set([caught.warning]));
        } else {
          expect(warned, show(warned)).toEqual([]);
        }
      }

      // The same run against the faithful simulator passes without a warning: the switch is what was caught.
      const key = JSON.stringify(entry.run);
      let control = controls.get(key);
      if (!control) {
        control = await runWith(entry.run, []);
        controls.set(key, control);
      }
      expect(control.exitCode, show(failedRows(control))).toBe(0);
      expect(control.results.filter((r) => r.outcome === 'warning')).toEqual([]);
    },
    120_000,
  );
});
