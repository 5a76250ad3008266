/**
 * The bench row for `sps-conformance discover`: a crawl of a 1-node simulator that serves what a
 * real node serves beyond the contract (`beyondContract: true`, HTTPS), in process, with the
 * crawl's defaults (concurrency 2, 3 items sampled per collection, --max-requests 500).
 *
 *   import { benchDiscover } from './bench/discover.js';
 *   const { endpoints, requests, wallMs } = await benchDiscover();
 *
 * `endpoints`: endpoint templates found (the report's `totals.found`); `requests`: requests the
 * node received (its own counter, the login included); `wallMs`: the crawl's wall time, from
 * the first request to the classified report (the simulator's start and stop not included).
 * Run alone: `npx tsx scripts/bench/discover.ts`.
 */
import { pathToFileURL } from 'node:url';
import { runDiscovery } from '../../src/discover/run.js';
import { SecretRegistry } from '../../src/redact.js';
import { startSimulator } from '../../src/simulator/index.js';

export interface DiscoverBench {
  endpoints: number;
  requests: number;
  wallMs: number;
}

export async function benchDiscover(): Promise<DiscoverBench> {
  const password = 'bench-discover-password';
  const sim = await startSimulator({
    nodes: 1,
    beyondContract: true,
    users: { admin: { username: 'admin', password }, auditor: { username: 'auditor', password } },
  });
  try {
    const node = sim.nodes[0]!;
    node.resetStats();
    const started = performance.now();
    const { report } = await runDiscovery({ urls: [node.url], username: 'auditor', password, caFile: sim.caFile!, secrets: new SecretRegistry() });
    const wallMs = Math.round(performance.now() - started);
    if (report.exit_code !== 0) throw new Error(`the discovery bench crawl ended with exit ${report.exit_code}: ${report.messages.join('; ')}`);
    return { endpoints: report.totals.found, requests: node.stats.requests, wallMs };
  } finally {
    await sim.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchDiscover().then(
    (r) => process.stdout.write(`discover (1-node simulator, beyond the contract): ${r.endpoints} endpoints, ${r.requests} requests, ${r.wallMs} ms\n`),
    (e: unknown) => {
      process.stderr.write(`bench discover: ${(e as Error).message}\n`);
      process.exit(1);
    },
  );
}
