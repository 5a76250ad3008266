/**
 * Facts across the nodes of one run (`cluster_facts`): the simulator starts its nodes as one
 * cluster (node 1 Central Management, the others managed by it); each documented cross-node
 * fact broken by a switch fails the run naming the nodes and the values; the consistent cluster
 * passes; standalone nodes are checked alone and the report says so. A node x version table
 * heads the report.
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import { renderSummary } from '../../src/conformance/report/console.js';
import { startSimulator, type SimBehaviour, type SimulatorHandle } from '../../src/simulator/index.js';
import { DEFAULT_SPEC_FILE } from '../../src/model/operations.js';

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function run(nodeBehaviours: SimBehaviour[], cluster = true) {
  sim = await startSimulator({ nodes: nodeBehaviours.length, cluster, nodeBehaviours });
  const report = await runConformance({
    urls: sim.nodes.map((n) => n.url),
    username: sim.users.admin.username,
    password: sim.users.admin.password,
    caFile: sim.caFile!,
    only: ['Cluster', 'Appliance', 'cluster_facts'],
  });
  const rows = report.results.filter((r) => r.check === 'cluster_facts');
  return { report, rows, failed: rows.filter((r) => r.outcome === 'failed'), nodes: report.targets.map((t) => t.node) };
}

describe.runIf(existsSync(DEFAULT_SPEC_FILE))('cluster_facts against the simulator', () => {
  it('a consistent cluster of three passes; the report names the cluster and heads with node x version', async () => {
    const { report, rows, failed, nodes } = await run([{}, {}, {}]);
    expect(failed, JSON.stringify(failed, null, 1)).toEqual([]);
    expect(
      report.exitCode,
      JSON.stringify(
        report.results.filter((r) => r.outcome === 'failed'),
        null,
        1,
      ),
    ).toBe(0);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(report.clusters).toEqual([{ nodes, reason: expect.stringMatching(/^each says "in cluster" and their member lists share a node/) }]);
    const text = renderSummary(report);
    expect(text.trimStart().startsWith('Node × version:')).toBe(true);
    for (const n of nodes)
      expect(text).toMatch(new RegExp(`${n.replace(/[.]/g, '\\.')}\\s+https://\\S+\\s+7\\.5\\.1\\s+one cluster: ${nodes.join(', ').replace(/[.]/g, '\\.')}`));
  }, 120_000);

  it.each([
    ['version-differs', /the nodes of one cluster must run the same SPS version, but (\S+) says 7\.5\.1, (\S+) says 7\.4\.0/],
    ['second-central', /(\S+) lists 2 central-management nodes/],
    ['members-differ', /the nodes list different members: /],
    ['wrong-central-address', /the nodes name different Central Management nodes: .*192\.0\.2\.99/],
  ] as const)(
    '%s on one node fails the run naming the nodes',
    async (brk, message) => {
      const { report, failed, nodes } = await run([{}, { clusterBreak: brk }]);
      expect(report.exitCode).toBe(1);
      expect(failed.length).toBeGreaterThan(0);
      const text = failed.map((r) => r.message).join('\n');
      expect(text).toMatch(message);
      expect(text).toContain(`cluster of ${nodes.join(', ')}`);
      expect(failed.every((r) => r.strength === 'fact' && /doc1193447/.test(r.source ?? ''))).toBe(true);
    },
    120_000,
  );

  it('standalone nodes are checked alone, and the report says why', async () => {
    const { report, rows, nodes } = await run([{}, { clusterBreak: 'version-differs' }], false);
    expect(rows).toEqual([]);
    expect(report.clusters).toEqual(nodes.map((n) => ({ nodes: [n], reason: 'checked alone: its join status is "not configured"' })));
  }, 120_000);
});
