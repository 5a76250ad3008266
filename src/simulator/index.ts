/**
 * Stateful SPS appliance simulator: `startSimulator()` starts N nodes on loopback, each with its
 * own sessions, configuration lock, committed/staged state and cluster membership.
 */
import { randomBytes } from 'node:crypto';
import type { ApplianceApi } from './appliance/context.js';
import { ClusterRegistry } from './appliance/registry.js';
import { formCluster } from './handlers/cluster.js';
import { createSimulatorTls, type SimTls } from './certs.js';
import { systemClock } from './clock.js';
import { DEFAULT_SPS_VERSION, loadSimSpec } from './engine/spec.js';
import { applySwitches } from './catalogue.js';
import { checkBehaviour, SimNodeRuntime } from './node.js';
import { buildRouteTree } from './routes/table.js';
import type { SimBehaviour, SimulatorHandle, SimulatorOptions, SimUsers } from './types.js';

export { createManualClock, systemClock, type ManualClock } from './clock.js';
export { ROLE_PRIVILEGES } from './appliance/privileges.js';
export { DEFAULT_FIRMWARE_VERSION } from './handlers/info.js';
export { DEFAULT_SPS_VERSION } from './engine/spec.js';
export { SWITCHES, applySwitches, parseSwitch, spelling, type Caught, type CatchRun, type SwitchEntry, type SwitchName } from './catalogue.js';
export type * from './types.js';

export const DEFAULT_SESSION_IDLE_SECONDS = 1200;
export const DEFAULT_TRANSACTION_SECONDS = 600;

/** A random password for a local sandbox user. */
export function randomPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** `over` on top of `base`; privilege bugs are merged one by one. */
function mergeBehaviour(base: SimBehaviour, over: SimBehaviour): SimBehaviour {
  const bugs = { ...base.privilegeBugs, ...over.privilegeBugs };
  return { ...base, ...over, ...(Object.keys(bugs).length > 0 ? { privilegeBugs: bugs } : {}) };
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const count = opts.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new RangeError('nodes must be an integer from 1 to 32');
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new RangeError('the simulator only listens on 127.0.0.1');
  const portBase = opts.portBase ?? 0;
  if (!Number.isInteger(portBase) || portBase < 0 || portBase + count - 1 > 65535) throw new RangeError('invalid portBase');
  const users: SimUsers = opts.users ?? {
    admin: { username: 'admin', password: randomPassword() },
    auditor: { username: 'auditor', password: randomPassword() },
    operator: { username: 'operator', password: randomPassword() },
  };
  const useHttps = opts.https ?? true;
  const tls: SimTls | undefined = useHttps ? await createSimulatorTls() : undefined;
  const registry = new ClusterRegistry<ApplianceApi>();
  const spsVersion = opts.spsVersion ?? opts.firmwareVersion ?? DEFAULT_SPS_VERSION;
  const spec = loadSimSpec(
    { ...(opts.specFile !== undefined ? { specFile: opts.specFile } : {}), ...(opts.specDocument !== undefined ? { specDocument: opts.specDocument } : {}) },
    spsVersion,
  );
  const routes = buildRouteTree(spec, { beyondContract: opts.beyondContract === true });
  const runtimes: SimNodeRuntime[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const switched = applySwitches([...(opts.switches ?? []), ...(opts.nodeSwitches?.[i] ?? [])]);
      const behaviour = checkBehaviour(mergeBehaviour({ ...opts.behaviour, ...opts.nodeBehaviours?.[i] }, switched.behaviour));
      const node = new SimNodeRuntime({
        index: i + 1,
        host,
        port: portBase === 0 ? 0 : portBase + i,
        ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
        users,
        clock: opts.clock ?? systemClock,
        sessionIdleSeconds: opts.sessionIdleSeconds ?? DEFAULT_SESSION_IDLE_SECONDS,
        transactionSeconds: opts.transactionSeconds ?? DEFAULT_TRANSACTION_SECONDS,
        firmwareVersion: opts.firmwareVersion ?? spsVersion,
        spec,
        behaviour,
        registry,
        routes,
        ...(opts.onRequestLog ? { log: opts.onRequestLog } : {}),
      });
      for (const fault of switched.faults) node.server.faults.set('*', fault);
      runtimes.push(node);
      await node.listen();
      registry.add(node.appliance);
    }
    if (opts.cluster) formCluster(runtimes.map((n) => n.appliance));
  } catch (e) {
    await Promise.all(runtimes.map((n) => n.close()));
    await tls?.cleanup();
    throw e;
  }

  let closed: Promise<void> | undefined;
  const handle: SimulatorHandle = {
    nodes: runtimes.map((n) => n.facade()),
    users,
    close: () => {
      closed ??= (async () => {
        await Promise.all(runtimes.map((n) => n.close()));
        await tls?.cleanup();
      })();
      return closed;
    },
  };
  if (tls) {
    handle.caFile = tls.caFile;
    handle.caPem = tls.caPem;
  }
  return handle;
}
