/**
 * What the test beside each check (`src/conformance/checks/<file>.test.ts`) uses: the proof that
 * the check can fail ({@link failsOnItsFixture}: every registered check calls it, see
 * tests/conformance/registry.test.ts) and recorded answers of the fixture spec.
 */
import { expect, it } from 'vitest';
import type { CheckContext, CheckDefinition, Exchange } from '../../../src/conformance/check-api.js';
import { runConformance } from '../../../src/conformance/runner.js';
import { startSimulator } from '../../../src/simulator/index.js';
import type { ConformanceOptions } from '../../../src/conformance/options.js';
import type { ConformanceReport } from '../../../src/conformance/report/report.js';
import { type Break, FIXTURE_SPEC, startBreakableSps } from './breakable-sps.js';
import { type CheckFixture, live } from './exchange.js';

export const TIMEZONE = '/api/configuration/datetime/timezone';

/** A conformant GET timezone body of the fixture spec. */
export const goodTimezone = {
  body: 'Europe/Budapest',
  key: 'timezone',
  meta: {
    href: TIMEZONE,
    parent: '/api/configuration/datetime',
    first: '/api/configuration/datetime/ntp_servers',
    last: TIMEZONE,
    previous: '/api/configuration/datetime/ntp_servers',
    next: null,
    transaction: '/api/transaction',
  },
};

/** The documented 401 body of a secured read of the fixture spec. */
export const unauthenticated = (path: string): unknown => ({
  error: { type: 'Unauthenticated', message: 'Log in first.', details: { path } },
  meta: { href: path, parent: '/api/configuration/datetime' },
});

/** The outcomes of the rows `check` gives for one exchange. */
export function outcomes(check: CheckDefinition, ctx: CheckContext, ex: Exchange): string[] {
  return check.run(ctx, ex).map((r) => r.outcome);
}

/** The simulator part of a {@link CheckFixture}. */
type SimulatorFixture = Extract<CheckFixture, { simulator: unknown }>['simulator'];

/** One run against a simulator started with the fixture's switches (closed after the run). */
export async function runOnSimulator(fixture: SimulatorFixture, options: Partial<ConformanceOptions>): Promise<ConformanceReport> {
  const { switches, nodeSwitches, cluster } = fixture;
  const sim = await startSimulator({
    nodes: nodeSwitches?.length ?? 1,
    ...(cluster ? { cluster } : {}),
    ...(switches ? { switches } : {}),
    ...(nodeSwitches ? { nodeSwitches } : {}),
  });
  try {
    return await runConformance({
      urls: sim.nodes.map((n) => n.url),
      username: sim.users.admin.username,
      password: sim.users.admin.password,
      caFile: sim.caFile!,
      ...fixture.options,
      ...options,
    });
  } finally {
    await sim.close();
  }
}

/** One run against the breakable SPS stand-in on the fixture spec with `breaks` (closed after the run). */
export async function runOnBreakableSps(breaks: Break[], options: Partial<ConformanceOptions>): Promise<ConformanceReport> {
  const sps = await startBreakableSps({ breaks });
  try {
    return await runConformance({ specFile: FIXTURE_SPEC, urls: [sps.url], username: 'admin', password: sps.password, timeoutMs: 3000, ...options });
  } finally {
    await sps.close();
  }
}

/**
 * Declares the test that proves `check` can fail: on the fixture's exchange, or in a run of only
 * that check against the simulator with switches of its catalogue or the breakable SPS stand-in,
 * `check` (and no other) fails with a message matching `fixture.message`.
 */
export function failsOnItsFixture(check: CheckDefinition, fixture: CheckFixture): void {
  const name = check.name;
  it(`fails on its fixture (${name})`, async () => {
    if ('exchange' in fixture) {
      const rows = check.run(fixture.context ?? live, fixture.exchange);
      const failed = rows.filter((r) => r.outcome === 'failed');
      expect(failed.map((r) => r.check)).toEqual([name]);
      expect(failed[0]!.message).toMatch(fixture.message);
      return;
    }
    const report =
      'simulator' in fixture
        ? await runOnSimulator(fixture.simulator, { only: [name] })
        : await runOnBreakableSps(fixture.breakableSps.breaks, { ...fixture.breakableSps.options, only: [name] });
    const failed = report.results.filter((r) => r.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(new Set(failed.map((r) => r.check))).toEqual(new Set([name]));
    expect(failed.map((r) => r.message).join('\n')).toMatch(fixture.message);
  });
}
