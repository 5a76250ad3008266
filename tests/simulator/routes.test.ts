/** The route table is the one list of operations: the router and every directory come from it. */
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/simulator/appliance/context.js';
import { ROUTES, buildRouteTree, servedRoutes } from '../../src/simulator/routes/table.js';
import { RouteTree } from '../../src/simulator/routes/tree.js';
import { initialState } from '../../src/simulator/state/seed.js';
import { SpecChecker, specAvailable } from './spec-check.js';

const ok = (): Reply => ({ status: 200, body: {} });

describe('route tree', () => {
  it('derives the children of a directory from the routes below it', () => {
    const tree = new RouteTree([
      { method: 'GET', path: '/api', fn: ok },
      { method: 'GET', path: '/api/b', fn: ok },
      { method: 'PUT', path: '/api/b', fn: ok },
      { method: 'GET', path: '/api/a/deep/er', fn: ok },
      { method: 'GET', path: '/api/hidden', fn: ok, public: true, unlisted: true },
      { method: 'GET', path: '/api/b/{id}', fn: ok, keys: () => ['y', 'x'] },
    ]);
    const state = initialState({ index: 1 });
    expect(tree.children('/api', state)).toEqual(['a', 'b']);
    expect(tree.children('/api/a', state)).toEqual(['deep']);
    expect(tree.children('/api/b', state)).toEqual(['x', 'y']);
    expect(tree.children('/api/b/x', state)).toBeUndefined();
    expect(tree.router.match('DELETE', '/api/b')).toEqual({ kind: 'methodNotAllowed', allowed: ['GET', 'PUT'] });
  });

  it('gives the simulator its directories from the one table', () => {
    const tree = buildRouteTree();
    const state = initialState({ index: 1 });
    expect(tree.children('/api', state)).toEqual(['authentication', 'cluster', 'configuration', 'transaction']);
    expect(tree.children('/api/configuration', state)).toEqual(['datetime', 'local_services', 'management', 'network', 'policies']);
    expect(tree.children('/api/configuration/datetime', state)).toEqual(['ntp_servers', 'timezone']);
    expect(tree.children('/api/configuration/network/nics', state)).toEqual(['nic1', 'nic2', 'nic3']);
    expect(tree.children('/api/configuration/policies/backup_policies', state)).toEqual(
      Object.keys(state.configuration.policies.backup_policies).sort(),
    );
    expect(tree.children('/api/cluster', state)).toEqual(['configuration_sync', 'join_request', 'nodes', 'promote', 'status']);
  });

  it('lists the beyond-contract rows in their parents only when they are served', () => {
    const state = initialState({ index: 1 });
    const tree = buildRouteTree({ beyondContract: true });
    expect(tree.children('/api', state)).toEqual(['audit', 'authentication', 'cluster', 'configuration', 'firmware', 'setup', 'starling', 'transaction', 'troubleshooting']);
    expect(tree.children('/api/cluster', state)).toEqual(['configuration_sync', 'join_request', 'nodes', 'promote', 'spp', 'status']);
    expect(tree.children('/api/configuration/reporting', state)).toHaveLength(40);
    expect(buildRouteTree().children('/api/audit', state)).toBeUndefined();
    expect(servedRoutes().some((r) => r.beyond)).toBe(false);
  });

  it('has GET only beyond the contract', () => {
    const beyond = ROUTES.filter((r) => r.beyond);
    expect(beyond.length).toBeGreaterThan(20);
    expect(beyond.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe.skipIf(!specAvailable())('route table against the spec', () => {
  it('has one route per spec operation, and nothing the spec lacks besides the rows marked beyond the contract', () => {
    const spec = new SpecChecker().operations().sort();
    const all = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(all).size).toBe(all.length);
    const contract = ROUTES.filter((r) => !r.beyond).map((r) => `${r.method} ${r.path}`);
    expect(spec.filter((op) => !contract.includes(op))).toEqual([]);
    expect(contract.filter((op) => !spec.includes(op))).toEqual([]);
    // A row marked beyond the contract that the spec documents is a mislabelled row.
    expect(ROUTES.filter((r) => r.beyond).map((r) => `${r.method} ${r.path}`).filter((op) => spec.includes(op))).toEqual([]);
  });
});
