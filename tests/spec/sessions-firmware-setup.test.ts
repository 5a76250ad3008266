/**
 * Issue 22 (contract part): the facts of the sessions, firmware, setup and plugin areas that a
 * client or a conformance run relies on, asserted on the bundled spec.
 */
import { describe, expect, it } from 'vitest';
import { deref, loadBundled, operations } from './lib.js';

const doc = loadBundled();
const ops = operations(doc);
const byId = new Map(ops.map((o) => [o.op.operationId as string, o]));
const op = (id: string) => {
  const found = byId.get(id);
  if (!found) throw new Error(`${id} is not in the spec`);
  return found;
};

describe('sessions, firmware, setup and plugins', () => {
  it('marks every operation that changes the appliance as never sent, with a reason', () => {
    const changing = [
      'uploadFirmware',
      'upgradeFirmware',
      'testFirmware',
      'fetchFirmware',
      'cancelFirmwareFetch',
      'deleteFirmwareSlot',
      'completeSetup',
      'uploadPlugin',
    ];
    for (const id of changing) expect(op(id).op['x-sps-never-send'], id).toMatch(/\w+ \w+/);
    // Reads stay sendable.
    const marked = ops.filter((o) => 'x-sps-never-send' in o.op).map((o) => o.op.operationId as string);
    expect(marked.sort()).toEqual([...changing].sort());
    expect(ops.filter((o) => o.method === 'get' && 'x-sps-never-send' in o.op)).toEqual([]);
  });

  it('paginates the session search: limit (default 500), offset, fields, q, start, end; meta with match_count', () => {
    const search = op('searchSessions').op;
    const params = (search.parameters as object[]).map((p) => deref(doc, p as never));
    expect(params.map((p) => `${p.in}:${p.name}`).sort()).toEqual(['query:end', 'query:fields', 'query:limit', 'query:offset', 'query:q', 'query:start']);
    expect(params.find((p) => p.name === 'limit')!.schema.default).toBe(500);
    expect(search.responses['400']).toBeDefined();
    const meta = deref(doc, doc.components.schemas.PageMeta);
    const own = meta.allOf.find((s: { properties?: object }) => s.properties);
    expect(own.required.sort()).toEqual(['limit', 'match_count', 'offset']);
    expect(Object.keys(own.properties).sort()).toEqual(['fields', 'limit', 'match_count', 'offset']);
    expect(op('getSessionSnapshot').op['x-sps-versions']).toBe('>=7.4');
  });

  it('the audit trail is a binary file, never JSON, with its follow mode', () => {
    const trail = op('downloadAuditTrail');
    expect(doc.paths[trail.path]['x-sps-kind']).toBe('file');
    expect(Object.keys(trail.op.responses['200'].content)).toEqual(['application/octet-stream']);
    const format = (trail.op.parameters as object[]).map((p) => deref(doc, p as never)).find((p) => p.name === 'format');
    expect(format?.schema.enum).toEqual(['srs']);
  });

  it('uploads take the media types of the vendor pages (firmware: multipart field firmware; plugin: a zip)', () => {
    const fw = op('uploadFirmware').op.requestBody.content;
    expect(Object.keys(fw)).toEqual(['multipart/form-data']);
    expect(deref(doc, fw['multipart/form-data'].schema).required).toEqual(['firmware']);
    expect(Object.keys(op('uploadPlugin').op.requestBody.content)).toEqual(['application/zip']);
  });

  it('the firmware actions name their own error types; the wizard answers 303 and needs no session', () => {
    for (const id of ['testFirmware', 'upgradeFirmware']) {
      expect(deref(doc, op(id).op.responses['400'])['x-error-types']).toEqual(['IncompleteRequestBodyError', 'ResourceNotFound', 'FirmwareTestFailed']);
    }
    expect(Object.keys(op('completeSetup').op.responses)).toContain('303');
    expect(op('completeSetup').op.security).toEqual([]);
    expect(op('getSetup').op.security).toEqual([]);
  });
});
