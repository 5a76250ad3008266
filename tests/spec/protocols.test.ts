/**
 * The "Protocols" section of the vendor inventory (issue 21): every documented path and method
 * of HTTP, ICA, MSSQL, RDP, SSH, Telnet and VNC is in the bundled spec, with the facts that
 * matter most: 7.x connection policies are writable only for RDP and SSH, MSSQL starts at 6.4,
 * options have a 6.x and a 7.x shape, and the seven protocols share one schema per shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathShape, type InventoryEntry } from '../../scripts/inventory.js';
import { satisfiesRange } from '../../src/model/versions.js';
import { buildSpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { deref, loadBundled, operations, root, type Json } from './lib.js';

/** The inventory's Protocols section (tests/spec/vendor-inventory.json, one home for the inventory). */
const PROTOCOLS_SECTION = 'Protocols (HTTP, ICA, MSSQL, RDP, SSH, Telnet, VNC)';
const INVENTORY = (JSON.parse(readFileSync(join(root, 'tests/spec/vendor-inventory.json'), 'utf8')) as { entries: InventoryEntry[] }).entries.filter(
  (e) => e.section === PROTOCOLS_SECTION,
);
const PROTOCOLS = ['http', 'ica', 'mssql', 'rdp', 'ssh', 'telnet', 'vnc'];
const isProtocolPath = (p: string) => PROTOCOLS.some((proto) => p === `/api/configuration/${proto}` || p.startsWith(`/api/configuration/${proto}/`));

const inRange = (version: string, range: string) => satisfiesRange(range, version);

describe('the Protocols section', () => {
  const doc = loadBundled();
  const ops = operations(doc).filter((o) => isProtocolPath(o.path));

  it('has every path and method of the inventory, and no other under the protocols', () => {
    const expected = INVENTORY.flatMap((e) => [...e.explicit, ...e.generic].map((m) => `${m} ${e.path}`));
    const actual = ops.map((o) => `${o.method.toUpperCase()} ${pathShape(o.path)}`);
    expect(expected).toHaveLength(100);
    expect(actual.sort()).toEqual(expected.sort());
  });

  it('gives every operation a vendor source, versions, a tag of its protocol and the shared errors', () => {
    const problems = ops.flatMap(({ path, method, op }) => {
      const p: string[] = [];
      const where = `${method.toUpperCase()} ${path}`;
      if (op['x-sps-source']?.kind !== 'vendor') p.push(`${where}: source is not vendor`);
      if (typeof op['x-sps-versions'] !== 'string') p.push(`${where}: no x-sps-versions`);
      const proto = path.split('/')[3]!;
      if (op.tags?.[0]?.toLowerCase() !== proto) p.push(`${where}: tag ${op.tags?.[0]} is not ${proto}`);
      const codes = Object.keys(op.responses ?? {});
      for (const c of ['401', '403', '404']) if (!codes.includes(c)) p.push(`${where}: no ${c}`);
      if (method !== 'get') {
        for (const c of ['400', '409']) if (!codes.includes(c)) p.push(`${where}: no ${c}`);
        const params = (op.parameters ?? []).map((x: Json) => deref(doc, x).name);
        if (!params.includes('X-Token')) p.push(`${where}: no X-Token parameter`);
      }
      return p;
    });
    expect(problems).toEqual([]);
  });

  it('lets 7.x write connection policies of RDP and SSH only', () => {
    const writes = ops.filter((o) => o.method !== 'get' && /\/connections(\/|$)/.test(o.path));
    const in7 = writes.filter((o) => inRange('7.1', o.op['x-sps-versions'])).map((o) => o.path.split('/')[3]);
    expect(new Set(in7)).toEqual(new Set(['rdp', 'ssh']));
    // reading connection policies stays possible in 7.x for every protocol that lists them
    const reads = ops.filter((o) => o.method === 'get' && o.path.endsWith('/connections'));
    expect(
      reads
        .filter((o) => inRange('7.1', o.op['x-sps-versions']))
        .map((o) => o.path.split('/')[3])
        .sort(),
    ).toEqual(['ica', 'mssql', 'rdp', 'ssh', 'telnet', 'vnc']);
  });

  it('starts MSSQL at 6.4', () => {
    const mssql = ops.filter((o) => o.path.startsWith('/api/configuration/mssql'));
    expect(mssql.length).toBeGreaterThan(0);
    expect(mssql.filter((o) => inRange('6.3', o.op['x-sps-versions']) || !inRange('6.4', o.op['x-sps-versions']))).toEqual([]);
  });

  it('answers every channel, connection, settings and authentication policy of every protocol with one shared schema', () => {
    const schemaRef = (o: { op: Json }) => o.op.responses['200'].content['application/json'].schema.$ref as string;
    for (const [list, entity] of [
      ['channel_policies', 'ChannelPolicyEntity'],
      ['connections', 'ConnectionPolicyEntity'],
      ['settings_policies', 'SettingsPolicyEntity'],
      ['authentication_policies', 'AuthenticationPolicyEntity'],
    ] as const) {
      const gets = ops.filter((o) => o.method === 'get' && o.path.endsWith(`/${list}/{id}`));
      expect(gets.length, list).toBeGreaterThan(0);
      expect(new Set(gets.map(schemaRef)), list).toEqual(new Set([`#/components/schemas/${entity}`]));
    }
    const options = ops.filter((o) => o.method === 'get' && o.path.endsWith('/options'));
    expect(options).toHaveLength(7);
    expect(new Set(options.map(schemaRef))).toEqual(new Set(['#/components/schemas/ProtocolOptionsEntity']));
  });

  describe('options shapes', () => {
    const model = buildSpecModel(doc as never);
    const validator = createValidator(model);
    const v = (name: string, body: unknown) => validator.validate(`#/components/schemas/${name}`, body).errors;
    const sps6 = {
      audit: { cleanup: { enabled: false }, timestamping: { selection: 'local', signing_interval: 30 } },
      service: { enabled: true, log_level: 4 },
    };
    const sps7 = { channel_database_cleanup: { enabled: true, days: 30 }, service: { enabled: false } };

    it('accept the 6.x shape and the 7.x shape, each as its own branch with its versions', () => {
      expect(v('ProtocolOptions', sps6)).toEqual([]);
      expect(v('ProtocolOptions', sps7)).toEqual([]);
      expect(v('ProtocolOptions6x', sps7)).not.toEqual([]);
      expect(v('ProtocolOptions7x', sps6)).not.toEqual([]);
      const schemas = (doc as Json).components.schemas as Json;
      expect(schemas.ProtocolOptions6x['x-sps-versions']).toBe('<7.0');
      expect(schemas.ProtocolOptions7x['x-sps-versions']).toBe('>=7.0');
    });

    it('reject a body of neither shape and wrong types', () => {
      expect(v('ProtocolOptions', { service: { enabled: true } })).not.toEqual([]);
      expect(v('ProtocolOptions', { channel_database_cleanup: { days: 'thirty' } })).not.toEqual([]);
    });
  });
});
