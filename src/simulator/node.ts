/**
 * One simulated node: an {@link Appliance} behind a {@link SimServer}, and the {@link SimNode}
 * facade handed to callers of `startSimulator()`.
 */
import { Appliance, emptyStats, type ApplianceOptions } from './appliance/appliance.js';
import { SimServer, type SimServerOptions } from './server/server.js';
import { sortedCopy } from './state/store.js';
import type { SimBehaviour, SimFault, SimNode, SimTransactionInfo } from './types.js';

export type NodeOptions = Omit<ApplianceOptions, 'https'> & Omit<SimServerOptions, 'index'>;

export class SimNodeRuntime {
  readonly appliance: Appliance;
  readonly server: SimServer;

  constructor(opts: NodeOptions) {
    this.appliance = new Appliance({ ...opts, https: opts.tls !== undefined });
    const appliance = this.appliance;
    this.server = new SimServer(
      {
        stats: appliance.stats,
        latencyMs: () => appliance.behaviour.latencyMs ?? 0,
        handle: (req) => appliance.handle(req),
      },
      { index: opts.index, host: opts.host, port: opts.port, ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.log ? { log: opts.log } : {}) },
    );
  }

  async listen(): Promise<void> {
    await this.server.listen();
    this.appliance.address = this.server.address;
  }

  async close(): Promise<void> {
    this.appliance.closed = true;
    await this.server.close();
  }

  transactionInfo(): SimTransactionInfo | null {
    const { appliance } = this;
    appliance.sweep();
    const tx = appliance.store.tx;
    if (!tx) return null;
    return {
      holder: appliance.sessions.get(tx.sessionId)?.handle ?? 'unknown',
      username: tx.username,
      openedAt: new Date(tx.openedAtMs).toISOString(),
      remainingSeconds: appliance.store.remainingSeconds() ?? 0,
      changes: tx.changes.length,
      implicit: tx.implicit,
    };
  }

  facade(): SimNode {
    const { appliance, server } = this;
    return {
      get url() {
        return server.url;
      },
      nodeId: appliance.nodeId,
      get address() {
        return server.address;
      },
      index: appliance.index,
      fqdn: appliance.fqdn,
      stats: appliance.stats,
      state: {
        committedConfig: () => sortedCopy(appliance.store.committed),
        openTransaction: () => this.transactionInfo(),
        commits: () => appliance.store.commits(),
        sessionCount: () => appliance.sessions.count(),
      },
      injectFault: (path: string, fault: SimFault) => server.faults.set(path, fault),
      clearFaults: () => server.faults.clear(),
      resetStats: () => {
        Object.assign(appliance.stats, emptyStats());
      },
      setBehaviour: (patch: SimBehaviour) => {
        appliance.behaviour = checkBehaviour({ ...appliance.behaviour, ...patch });
      },
      behaviour: () => structuredClone(appliance.behaviour),
    };
  }
}

/** Validates a behaviour; returns it. */
export function checkBehaviour(b: SimBehaviour): SimBehaviour {
  if (b.latencyMs !== undefined && !(Number.isFinite(b.latencyMs) && b.latencyMs >= 0)) {
    throw new RangeError('behaviour.latencyMs must be a number >= 0');
  }
  if (b.readingVariant !== undefined && b.readingVariant !== 'parent-slash') {
    throw new RangeError(`unknown behaviour.readingVariant: ${String(b.readingVariant)}`);
  }
  return b;
}
