import { startSimulator } from './src/simulator/index.js';
import { runConformance } from './src/conformance/runner.js';
for (const behaviour of [{}, { ignorePuts: true }, { emptyChangeLog: true }]) {
  const sim = await startSimulator({ users: { admin: { username: 'admin', password: 'pw-test-123' } }, behaviour });
  const before = JSON.stringify(sim.nodes[0]!.state.committedConfig());
  const t = Date.now();
  const r = await runConformance({ urls: [sim.nodes[0]!.url], username: 'admin', password: 'pw-test-123', caFile: sim.caFile, allowWrites: true, only: ['write_roundtrip'] });
  console.log(JSON.stringify(behaviour), r.exitCode, Date.now() - t, 'ms', r.targets[0]?.writes, r.targets[0]?.requests);
  for (const x of r.results.filter((x) => x.check === 'write_roundtrip')) console.log(' ', x.outcome, x.method, x.path, x.message);
  console.log('unchanged', before === JSON.stringify(sim.nodes[0]!.state.committedConfig()), sim.nodes[0]!.state.openTransaction());
  await sim.close();
}
