/** plan/request.ts: what an operation's ordinary request carries, from its spec. */
import { describe, expect, it } from 'vitest';
import { toCurl } from '../../src/conformance/curl.js';
import { acceptFor, requestBodyFor, requiredQuery } from '../../src/conformance/plan/request.js';
import { loadSpec } from '../../src/model/operations.js';

const model = loadSpec();
const op = (id: string) => {
  const o = model.operation(id);
  if (!o) throw new Error(`no ${id}`);
  return o;
};

describe('the ordinary request of an operation', () => {
  it('carries the required query parameters from their examples, and only those', () => {
    const q = new URLSearchParams(requiredQuery(op('getPluginIntegrity')).slice(1));
    expect(q.get('plugin_type')).toBe('aa');
    expect(q.get('key')).toMatch(/\S/);
    expect(q.has('ops')).toBe(false); // optional
    expect(requiredQuery(op('searchSessions'))).toBe(''); // every parameter optional
  });

  it('accepts the documented binary type of a download besides JSON', () => {
    expect(acceptFor(op('downloadAuditTrail'))).toBe('application/json, application/octet-stream');
    expect(acceptFor(op('searchSessions'))).toBe('application/json');
  });

  it('sends a multipart form with a made-up file for a firmware upload, shown as curl -F', () => {
    const { raw, body } = requestBodyFor(model, op('uploadFirmware'));
    expect(body).toBeUndefined();
    expect(raw?.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const boundary = raw!.contentType.split('boundary=')[1]!;
    expect(raw!.body).toContain(`--${boundary}\r\nContent-Disposition: form-data; name="firmware"; filename="sps.iso"`);
    expect(raw!.body.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(raw!.curl).toEqual({ form: [{ name: 'firmware', file: 'sps.iso' }] });
    expect(toCurl({ method: 'POST', url: 'https://sps/api/upload/firmware', form: [{ name: 'firmware', file: 'sps.iso' }] })).toContain('-F firmware=@sps.iso');
  });

  it('sends a raw upload in its own media type, shown as --data-binary @file', () => {
    const { raw } = requestBodyFor(model, op('uploadPlugin'));
    expect(raw?.contentType).toBe('application/zip');
    expect(raw?.curl).toEqual({ file: 'upload.zip' });
  });

  it('sends JSON bodies from their first example, as before', () => {
    const put = model.operations.find(
      (o) => o.method === 'PUT' && o.requestBody?.mediaType === 'application/json' && Object.keys(o.requestBody.examples).length > 0,
    )!;
    const first = Object.values(put.requestBody!.examples)[0];
    expect(requestBodyFor(model, put)).toEqual({ body: first });
  });
});
