import { sameSecret } from './sessions.js';

/**
 * What the nodes of one simulator know about each other, standing in for the cluster network:
 * the Central Management node checks a join body's psk against the join request the joining
 * node generated, and join status looks at what the other side committed.
 *
 * The psk lives only here (never in the node state, the change log or any log line).
 */
export interface RegistryNode {
  nodeId: string;
  address: string;
  fqdn: string;
}

interface PendingJoin {
  nodeId: string;
  psk: string;
  centralManagementAddress: string;
}

export class ClusterRegistry<N extends RegistryNode = RegistryNode> {
  private readonly byAddress = new Map<string, N>();
  private readonly pending = new Map<string, PendingJoin>();

  add(node: N): void {
    this.byAddress.set(node.address, node);
  }

  node(address: string): N | undefined {
    return this.byAddress.get(address);
  }

  nodeById(nodeId: string): N | undefined {
    for (const n of this.byAddress.values()) if (n.nodeId === nodeId) return n;
    return undefined;
  }

  registerJoin(address: string, join: PendingJoin): void {
    this.pending.set(address, { ...join });
  }

  /** Forgets the join request of `address` if it is still the one with this psk. */
  dropJoin(address: string, psk: string): void {
    const cur = this.pending.get(address);
    if (cur && cur.psk === psk) this.pending.delete(address);
  }

  /** True when `address` has a join request for this CM with this node id and psk. */
  verifyJoin(address: string, nodeId: string, psk: string, centralManagementAddress: string): boolean {
    const cur = this.pending.get(address);
    if (!cur) return false;
    return sameSecret(cur.psk, psk) && cur.nodeId === nodeId && cur.centralManagementAddress === centralManagementAddress;
  }
}
