/** The route table is derived from the spec: the router and every directory come from it. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Reply } from '../../src/simulator/appliance/context.js';
import { loadSimSpec } from '../../src/simulator/engine/spec.js';
import { BEYOND, buildRouteTree, HANDLED, servedRoutes } from '../../src/simulator/routes/table.js';
import { RouteTree } from '../../src/simulator/routes/tree.js';
import { buildSpecModel, DEFAULT_SPEC_FILE, readSpecDocument } from '../../src/model/operations.js';
import { satisfiesRange, versionView } from '../../src/model/versions.js';
import { initialState } from '../../src/simulator/state/seed.js';

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
    const state = initialState(loadSimSpec({}, '7.5.1'));
    expect(tree.children('/api', state)).toEqual(['a', 'b']);
    expect(tree.children('/api/a', state)).toEqual(['deep']);
    expect(tree.children('/api/b', state)).toEqual(['x', 'y']);
    expect(tree.children('/api/b/x', state)).toBeUndefined();
    expect(tree.router.match('DELETE', '/api/b')).toEqual({ kind: 'methodNotAllowed', allowed: ['GET', 'PUT'] });
  });

  it('gives the simulator its directories from the spec', () => {
    const spec = loadSimSpec({}, '7.5.1');
    const tree = buildRouteTree(spec);
    const state = initialState(spec);
    const below = (dir: string): string[] =>
      [
        ...new Set(
          spec.model.pathTemplates
            .filter((t) => t.startsWith(`${dir}/`) && t !== '/api/info')
            .map((t) => t.slice(dir.length + 1).split('/')[0] as string)
            .filter((s) => !s.startsWith('{')),
        ),
      ].sort();
    expect(tree.children('/api', state)).toEqual(below('/api'));
    expect(tree.children('/api/configuration', state)).toEqual(below('/api/configuration'));
    expect(tree.children('/api/cluster', state)).toEqual(below('/api/cluster'));
    // A {param} child lists the keys the state holds (seeded from the examples).
    const nics = tree.children('/api/configuration/network/nics', state) ?? [];
    expect(nics.length).toBeGreaterThan(0);
    expect(nics.every((k) => /^nic\d+$/.test(k))).toBe(true);
  });

  it('lists the beyond-contract rows in their parents only when they are served', () => {
    const spec = loadSimSpec({}, '7.5.1');
    const state = initialState(spec);
    const tree = buildRouteTree(spec, { beyondContract: true });
    expect(tree.children('/api', state)).toEqual(expect.arrayContaining(['authentication', 'cluster', 'configuration', 'setup', 'transaction']));
    expect(tree.children('/api/cluster', state)).toContain('spp');
    expect(servedRoutes(spec).some((r) => r.beyond)).toBe(false);
    expect(buildRouteTree(spec).children('/api/cluster', state)).not.toContain('spp');
  });

  it('has GET only beyond the contract', () => {
    expect(BEYOND.length).toBeGreaterThan(20);
    expect(BEYOND.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe.skipIf(!existsSync(DEFAULT_SPEC_FILE))('route table against the spec', () => {
  it('has one route per spec operation, and nothing the spec lacks besides the rows marked beyond the contract', () => {
    const spec = buildSpecModel(versionView(readSpecDocument(DEFAULT_SPEC_FILE), '7.5.1'))
      .operations.map((o) => `${o.method} ${o.path}`)
      .sort();
    const sim = loadSimSpec({}, '7.5.1');
    const rows = servedRoutes(sim, { beyondContract: true });
    const all = rows.map((r) => `${r.method} ${r.path}`);
    expect(new Set(all).size).toBe(all.length);
    // Without beyondContract: exactly the operations the version documents.
    const contract = servedRoutes(sim)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    expect(contract).toEqual([...spec].sort());
    expect(servedRoutes(sim).some((r) => r.beyond)).toBe(false);
    // With it: every documented operation still answered, plus the rows beyond the contract.
    const shape = (op: string): string => op.replace(/\{[^}]+\}/g, '{}');
    const allShapes = all.map(shape);
    expect(spec.filter((op) => !allShapes.includes(shape(op)))).toEqual([]);
    // Every handled operation is one the spec documents.
    expect(HANDLED.map((r) => `${r.method} ${r.path}`).filter((op) => !spec.includes(op))).toEqual([]);
  });

  it('serves only what the node version documents', () => {
    const v69 = servedRoutes(loadSimSpec({}, '6.9')).map((r) => `${r.method} ${r.path}`);
    const v75 = servedRoutes(loadSimSpec({}, '7.5.1')).map((r) => `${r.method} ${r.path}`);
    expect(v75).toContain('GET /api/configuration/management/system_backup');
    expect(v69).not.toContain('GET /api/configuration/management/system_backup');
    expect(v69).not.toContain('GET /api/authentication/login_methods');
    expect(v69).toContain('GET /api/configuration/management/exported_configuration_encryption');
    const sim69 = loadSimSpec({}, '6.9');
    for (const op of sim69.model.operations) expect(satisfiesRange(op.versions, '6.9'), `${op.method} ${op.path}`).toBe(true);
  });
});
