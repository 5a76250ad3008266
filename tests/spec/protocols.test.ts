/**
 * The "Protocols" section of the vendor inventory (issue 21): every documented path and method
 * of HTTP, ICA, MSSQL, RDP, SSH, Telnet and VNC is in the bundled spec, with the facts that
 * matter most: 7.x connection policies are writable only for RDP and SSH, MSSQL starts at 6.4,
 * options have a 6.x and a 7.x shape, and the seven protocols share one schema per shape.
 */
import { describe, expect, it } from 'vitest';
import { buildSpecModel } from '../../src/spec/model.js';
import { createValidator } from '../../src/spec/validate.js';
import { deref, loadBundled, operations, type Json } from './lib.js';

/** The inventory's Protocols table, restated: path, documented methods and (+) generic ones. */
const INVENTORY: Record<string, string> = {
  '/api/configuration/http': 'GET',
  '/api/configuration/http/channel_policies': 'GET +POST',
  '/api/configuration/http/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/http/options': 'GET +PUT',
  '/api/configuration/http/settings_policies': 'GET +POST',
  '/api/configuration/ica': 'GET',
  '/api/configuration/ica/channel_policies': 'GET +POST',
  '/api/configuration/ica/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/ica/connections': 'GET',
  '/api/configuration/ica/options': 'GET +PUT',
  '/api/configuration/ica/settings_policies': 'GET +POST',
  '/api/configuration/ica/settings_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/mssql': 'GET',
  '/api/configuration/mssql/authentication_policies': 'GET +POST',
  '/api/configuration/mssql/channel_policies': 'GET +POST',
  '/api/configuration/mssql/connections': 'GET',
  '/api/configuration/mssql/connections/{id}': 'GET',
  '/api/configuration/mssql/options': 'GET +PUT',
  '/api/configuration/mssql/settings_policies': 'GET +POST',
  '/api/configuration/rdp': 'GET',
  '/api/configuration/rdp/channel_policies': 'GET +POST',
  '/api/configuration/rdp/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/rdp/connections': 'GET +POST',
  '/api/configuration/rdp/connections/{id}': 'GET +PUT +DELETE',
  '/api/configuration/rdp/domain_membership': 'GET +PUT',
  '/api/configuration/rdp/options': 'GET +PUT',
  '/api/configuration/rdp/settings_policies': 'GET +POST',
  '/api/configuration/rdp/settings_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/ssh': 'GET',
  '/api/configuration/ssh/authentication_policies': 'GET +POST',
  '/api/configuration/ssh/authentication_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/ssh/channel_policies': 'GET +POST',
  '/api/configuration/ssh/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/ssh/connections': 'GET +POST',
  '/api/configuration/ssh/connections/{id}': 'GET +PUT +DELETE',
  '/api/configuration/ssh/options': 'GET +PUT',
  '/api/configuration/ssh/settings_policies': 'GET +POST',
  '/api/configuration/ssh/settings_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/telnet': 'GET',
  '/api/configuration/telnet/channel_policies': 'GET +POST',
  '/api/configuration/telnet/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/telnet/connections': 'GET',
  '/api/configuration/telnet/connections/{id}': 'GET',
  '/api/configuration/telnet/connections/@order': 'GET +PUT',
  '/api/configuration/telnet/options': 'GET +PUT',
  '/api/configuration/vnc': 'GET',
  '/api/configuration/vnc/channel_policies': 'GET +POST',
  '/api/configuration/vnc/channel_policies/{id}': 'GET +PUT +DELETE',
  '/api/configuration/vnc/connections': 'GET',
  '/api/configuration/vnc/connections/{id}': 'GET',
  '/api/configuration/vnc/options': 'GET +PUT',
};
const PROTOCOLS = ['http', 'ica', 'mssql', 'rdp', 'ssh', 'telnet', 'vnc'];
const isProtocolPath = (p: string) => PROTOCOLS.some((proto) => p === `/api/configuration/${proto}` || p.startsWith(`/api/configuration/${proto}/`));

/** Whether a version such as "7.1" satisfies an `x-sps-versions` range (">=6.0 <7.0 || >=7.4"). */
export function inRange(version: string, range: string): boolean {
  const cmp = (a: string, b: string) => {
    const x = a.split('.').map(Number);
    const y = b.split('.').map(Number);
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
    return 0;
  };
  return range.split('||').some((alt) =>
    alt.trim().split(/\s+/).every((c) => {
      const m = /^(>=|<=|>|<|=)?(.+)$/.exec(c)!;
      const d = cmp(version, m[2]!);
      return { '>=': d >= 0, '<=': d <= 0, '>': d > 0, '<': d < 0, '=': d === 0 }[m[1] ?? '='] ?? false;
    }),
  );
}

describe('the Protocols section', () => {
  const doc = loadBundled();
  const ops = operations(doc).filter((o) => isProtocolPath(o.path));

  it('reads version ranges as the lint writes them', () => {
    expect(inRange('6.9', '>=6.0 <7.0')).toBe(true);
    expect(inRange('7.0', '>=6.0 <7.0')).toBe(false);
    expect(inRange('6.10', '>=6.4')).toBe(true);
    expect(inRange('6.3', '>=6.4')).toBe(false);
    expect(inRange('7.5', '<6.0 || >=7.4')).toBe(true);
  });

  it('has every path and method of the inventory, and no other under the protocols', () => {
    const expected = Object.entries(INVENTORY).flatMap(([path, methods]) => methods.split(' ').map((m) => `${m.replace('+', '')} ${path}`));
    const actual = ops.map((o) => `${o.method.toUpperCase()} ${o.path}`);
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
    expect(reads.filter((o) => inRange('7.1', o.op['x-sps-versions'])).map((o) => o.path.split('/')[3]).sort()).toEqual(['ica', 'mssql', 'rdp', 'ssh', 'telnet', 'vnc']);
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
    const sps6 = { audit: { cleanup: { enabled: false }, timestamping: { selection: 'local', signing_interval: 30 } }, service: { enabled: true, log_level: 4 } };
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
