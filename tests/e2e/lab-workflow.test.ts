/**
 * A lab workflow through the typed client: three simulated SPS nodes form a cluster. Every
 * request goes through `prism proxy --errors` (one per node), which turns any answer that breaks
 * the spec into a 500, and every answer is also checked here with Ajv against the documented
 * schema of its operation and status. So the simulator's answers are proven to satisfy the spec
 * on the paths that change state, not only on reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Middleware } from 'openapi-fetch';
import { createSpsClient, type SpsClient } from '../../src/client/index.js';
import { startPrism, type PrismHandle } from '../../src/conformance/prism.js';
import { DEFAULT_SPEC_FILE, documentedResponse, loadSpec } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const spec = loadSpec();
const validator = createValidator(spec);
const ADMIN = { username: 'admin', password: 'lab-Admin-pw-7731' };

/** Violations seen by the Ajv middleware: `<METHOD> <schemaPath> <status>: <problem>`. */
const violations: string[] = [];
let checkedResponses = 0;

const validating: Middleware = {
  async onResponse({ request, response, schemaPath }) {
    const op = spec.operations.find((o) => o.method === request.method && o.path === schemaPath);
    const where = `${request.method} ${schemaPath} ${response.status}`;
    if (response.headers.get('sl-violations')) violations.push(`${where}: prism: ${response.headers.get('sl-violations')}`);
    const documented = op ? documentedResponse(op, response.status) : undefined;
    if (!documented) {
      violations.push(`${where}: status not documented`);
      return undefined;
    }
    const pointer = documented.json?.schemaPointer;
    if (pointer) {
      const outcome = validator.validate(pointer, await response.clone().json());
      if (!outcome.valid) violations.push(`${where}: ${outcome.errors.join('; ')}`);
    }
    checkedResponses++;
    return undefined;
  },
};

let sim: SimulatorHandle;
const proxies: PrismHandle[] = [];
const clients: SpsClient[] = [];

beforeAll(async () => {
  // Like a real SPS, the simulator ends a node's sessions after a commit of its cluster interface
  // or of a promote; the typed client logs in again on its next call.
  sim = await startSimulator({ nodes: 3, https: false, users: { admin: ADMIN } });
  proxies.push(...(await Promise.all(sim.nodes.map((n) => startPrism(DEFAULT_SPEC_FILE, { proxyTo: n.url })))));
  for (const proxy of proxies) {
    const client = createSpsClient({ baseUrl: proxy.url, username: ADMIN.username, password: ADMIN.password, timeoutMs: 15_000 });
    client.api.use(validating);
    clients.push(client);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(proxies.map((p) => p.close()));
  await sim?.close();
});

/** The key of the first address of nic1, for the cluster interface's listen_address. */
async function firstNicAddress(client: SpsClient): Promise<string> {
  const { data } = await client.GET('/api/configuration/network/nics/{nicId}', { params: { path: { nicId: 'nic1' } } });
  const interfaces = data!.body!.interfaces!;
  const ifaceId = interfaces['@order']![0]!;
  const iface = interfaces[ifaceId] as { addresses: Record<string, unknown> & { '@order': string[] } };
  return `nic1.interfaces.${ifaceId}.addresses.${iface.addresses['@order'][0]}`;
}

describe('lab workflow: three nodes form a cluster through the typed client', () => {
  it('enables the cluster interface on every node', async () => {
    for (const client of clients) {
      // The simulator seeds each node from the spec's GET example, the vendor sample of an
      // enabled interface: turn it off first, so that enabling it is a change (the lab starts
      // from a node whose interface is off, its documented default).
      await client.withTransaction(async (tx) => {
        await client.PUT('/api/configuration/local_services/cluster', { body: { enabled: false } });
        await tx.commit('start from a disabled cluster interface');
      });
      const listen = await firstNicAddress(client);
      await client.withTransaction(async (tx) => {
        await client.PUT('/api/configuration/local_services/cluster', { body: { enabled: true, listen_address: listen } });
        await tx.commit('enable the cluster interface');
      });
      const { data } = await client.GET('/api/configuration/local_services/cluster');
      expect(data!.body.enabled).toBe(true);
      const la = data!.body.listen_address;
      expect(typeof la === 'string' ? la : la?.key).toBe(listen);
    }
  });

  it('promotes node 1 to Central Management and joins nodes 2 and 3', async () => {
    const [cm, ...others] = clients as [SpsClient, SpsClient, SpsClient];
    const cmAddress = sim.nodes[0]!.address;

    await cm.withTransaction(async (tx) => {
      const { data } = await cm.POST('/api/cluster/promote');
      expect(data!.body.roles).toEqual(['central-management']);
      await tx.commit('promote');
    });

    for (const node of others) {
      const before = await node.GET('/api/cluster/join_request');
      expect(before.data!.status).toBe('not configured');
      await node.transactions.open();
      const { data: join } = await node.POST('/api/cluster/join_request', { body: { central_management_address: cmAddress } });
      expect(join!.body.roles).toEqual([]);
      await cm.transactions.open();
      const { data: admitted } = await cm.POST('/api/cluster/nodes', { body: join!.body });
      expect(admitted!.key).toBe(join!.body.node_id);
      await cm.transactions.commit('admit node');
      expect((await node.GET('/api/cluster/join_request')).data!.status).toBe('in progress');
      await node.transactions.commit('join');
      const after = await node.GET('/api/cluster/join_request');
      expect(after.data!.status).toBe('in cluster');
      expect(after.data!.details?.central_management_address).toBe(cmAddress);
    }

    const { data: status } = await cm.GET('/api/cluster/status');
    expect(status!.items.map((i) => i.key).sort()).toEqual(sim.nodes.map((n) => n.nodeId).sort());
  });

  it('assigns roles on Central Management', async () => {
    const cm = clients[0]!;
    const [, n2, n3] = sim.nodes as [unknown, { nodeId: string; address: string }, { nodeId: string; address: string }];
    await cm.withTransaction(async (tx) => {
      await cm.PUT('/api/cluster/nodes/{nodeId}', {
        params: { path: { nodeId: n2.nodeId } },
        body: { address: n2.address, roles: ['managed-host', 'search-minion'] },
      });
      await cm.PUT('/api/cluster/nodes/{nodeId}', {
        params: { path: { nodeId: n3.nodeId } },
        body: { address: n3.address, roles: ['managed-host', 'search-master'] },
      });
      const changes = await tx.changes();
      expect(changes.map((c) => c.path).sort()).toEqual([`/api/cluster/nodes/${n2.nodeId}`, `/api/cluster/nodes/${n3.nodeId}`].sort());
      await tx.commit('assign roles');
    });
    const { data } = await cm.GET('/api/cluster/nodes/{nodeId}', { params: { path: { nodeId: n3.nodeId } } });
    expect(data!.body.roles).toEqual(['managed-host', 'search-master']);
    expect((await cm.transactions.status()).status).toBe('closed');
  });

  it('the checks can fail: an HTML 502 page from the node is caught as undocumented', async () => {
    const node = sim.nodes[1]!;
    node.injectFault('/api/configuration/datetime', { kind: 'html502', times: 1 });
    await expect(clients[1]!.GET('/api/configuration/datetime')).rejects.toMatchObject({ status: 502 });
    // Both layers notice: Prism's proxy (a warning header) and the Ajv middleware.
    expect(violations).toHaveLength(2);
    expect(violations[0]).toMatch(/^GET \/api\/configuration\/datetime 502: prism: .*Unable to match the returned status code/);
    expect(violations[1]).toBe('GET /api/configuration/datetime 502: status not documented');
    violations.length = 0;
  });

  it('logged in again only after the commits that drop the session, and every response satisfied the spec', () => {
    // Every node commits its cluster interface twice (off, then on: two drops); the Central
    // Management node also commits its promote (a third drop). One first login each, plus one per drop.
    expect(sim.nodes.map((n) => n.stats.logins)).toEqual([4, 3, 3]);
    expect(violations).toEqual([]);
    expect(checkedResponses).toBeGreaterThan(25);
  });
});
