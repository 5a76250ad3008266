/**
 * The spec-driven engine on a scratch copy of the spec: a new documented path is its spec entry
 * and its example, and nothing else (docs/adding-a-path.md). The scratch area has a collection
 * with a built-in object, an object that a setting references, a write-only collection and a
 * never-send action; the simulator serves them by the rules of their `x-sps-kind`, and the
 * runner plans and reads them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { buildSpecModel, DEFAULT_SPEC_FILE } from '../../src/model/operations.js';
import { ADMIN, startTestSim, type ApiClient, type TestSim } from './helpers.js';

const AREA = '/api/configuration/scratch';
const WIDGETS = `${AREA}/widgets`;
const SETTING = `${AREA}/setting`;
const SECRETS = `${AREA}/secrets`;
const src = { kind: 'inference', from: 'tests/simulator/engine.test.ts', reason: 'a scratch path of a test' };
const ok = (schema: unknown, example: unknown, status = '200'): Record<string, unknown> => ({
  [status]: { description: 'ok', content: { 'application/json': { schema, examples: { default: { value: example } } } } },
  '400': { $ref: '#/components/responses/BadRequest' },
  '401': { $ref: '#/components/responses/Unauthenticated' },
  '403': { $ref: '#/components/responses/Unauthorized' },
  '404': { $ref: '#/components/responses/NotFound' },
});
const ref = { oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/Reference' }] };
const widget = { type: 'object', required: ['name'], properties: { name: { type: 'string' }, peer: ref } };
const entity = (body: unknown): unknown => ({ allOf: [{ $ref: '#/components/schemas/ObjectEntity' }, { properties: { body } }] });
const op = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({
  operationId: id,
  'x-sps-versions': '>=7.0',
  'x-sps-source': src,
  tags: ['Scratch'],
  ...extra,
});
const meta = (href: string): unknown => ({ href, parent: href.slice(0, href.lastIndexOf('/')), transaction: '/api/transaction' });

/** The bundled spec plus the scratch area: what a spec author adds for a new path. */
function scratchSpec(): Record<string, any> {
  const doc = JSON.parse(readFileSync(DEFAULT_SPEC_FILE, 'utf8'));
  const widgetsList = {
    items: [
      { key: '-1', body: { name: 'built-in' }, meta: { href: `${WIDGETS}/-1` } },
      { key: 'aaaa0000bbbb1111cccc22', body: { name: 'first' }, meta: { href: `${WIDGETS}/aaaa0000bbbb1111cccc22` } },
    ],
    meta: meta(WIDGETS),
  };
  doc.paths[AREA] = {
    'x-sps-kind': 'directory',
    get: op('listScratch', { responses: ok({ $ref: '#/components/schemas/Directory' }, { items: [], meta: meta(AREA) }) }),
  };
  doc.paths[WIDGETS] = {
    'x-sps-kind': 'collection',
    get: op('listWidgets', { responses: ok({ $ref: '#/components/schemas/ObjectCollection' }, widgetsList) }),
    post: op('createWidget', {
      requestBody: { required: true, content: { 'application/json': { schema: widget, examples: { default: { value: { name: 'new' } } } } } },
      responses: ok({ $ref: '#/components/schemas/WriteResult' }, { key: 'dddd3333eeee4444ffff55', meta: meta(`${WIDGETS}/dddd3333eeee4444ffff55`) }, '201'),
    }),
  };
  doc.paths[`${WIDGETS}/{id}`] = {
    'x-sps-kind': 'object',
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    get: op('getWidget', {
      responses: {
        ...ok(entity(widget), { key: 'aaaa0000bbbb1111cccc22', body: { name: 'first' }, meta: meta(`${WIDGETS}/aaaa0000bbbb1111cccc22`) }),
        '404': { $ref: '#/components/responses/NotFound' },
      },
    }),
    put: op('updateWidget', {
      requestBody: { required: true, content: { 'application/json': { schema: widget } } },
      responses: ok(entity(widget), { key: 'k', body: { name: 'x' }, meta: meta(`${WIDGETS}/k`) }),
    }),
    delete: op('deleteWidget', { responses: ok({ $ref: '#/components/schemas/DeleteResult' }, { meta: meta(`${WIDGETS}/k`) }) }),
  };
  doc.paths[SETTING] = {
    'x-sps-kind': 'setting',
    get: op('getScratchSetting', {
      responses: ok(entity({ type: 'object', properties: { widget: ref } }), {
        key: 'setting',
        body: { widget: { key: 'aaaa0000bbbb1111cccc22', meta: { href: `${WIDGETS}/aaaa0000bbbb1111cccc22` } } },
        meta: meta(SETTING),
      }),
    }),
    put: op('updateScratchSetting', {
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', properties: { widget: { type: 'string' } } } } } },
      responses: ok(entity({ type: 'object' }), { key: 'setting', body: {}, meta: meta(SETTING) }),
    }),
  };
  doc.paths[SECRETS] = {
    'x-sps-kind': 'collection',
    post: op('createSecret', {
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
      responses: ok({ $ref: '#/components/schemas/WriteResult' }, { key: 's', meta: meta(`${SECRETS}/s`) }, '201'),
    }),
  };
  doc.paths['/api/scratch_action'] = {
    'x-sps-kind': 'action',
    post: op('testScratch', { 'x-sps-never-send': 'a scratch action a run must never send', responses: ok({ type: 'object' }, { result: 'done' }) }),
  };
  return doc;
}

describe('the engine serves a scratch area added to a copy of the spec', () => {
  let t: TestSim;
  let c: ApiClient;
  const dirs: string[] = [];
  beforeAll(async () => {
    t = await startTestSim({ specDocument: scratchSpec() });
    c = t.client();
    await c.login(ADMIN);
  });
  afterAll(async () => {
    await t?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('lists the new area and serves its examples as the seed', async () => {
    expect((await c.get('/api/configuration')).json.items.map((i: { key: string }) => i.key)).toContain('scratch');
    expect((await c.get(AREA)).json.items.map((i: { key: string }) => i.key)).toEqual(['secrets', 'setting', 'widgets']);
    const list = await c.get(WIDGETS);
    expect(list.status).toBe(200);
    expect(list.json.items.map((i: { key: string }) => i.key)).toEqual(['-1', 'aaaa0000bbbb1111cccc22']);
    const setting = await c.get(SETTING);
    expect(setting.json.body.widget).toEqual({ key: 'aaaa0000bbbb1111cccc22', meta: { href: `${WIDGETS}/aaaa0000bbbb1111cccc22` } });
  });

  it('creates, reads, changes and deletes an object in the transaction; refuses built-in and referenced ones', async () => {
    const before = t.node(0).state.committedConfig();
    const created = await c.post(WIDGETS, { name: 'made', peer: 'aaaa0000bbbb1111cccc22' });
    expect(created.status).toBe(201);
    const key = created.json.key as string;
    expect(key).toMatch(/^[0-9a-f]{22}$/);
    const read = await c.get(`${WIDGETS}/${key}`);
    expect(read.json.body).toEqual({ name: 'made', peer: { key: 'aaaa0000bbbb1111cccc22', meta: { href: `${WIDGETS}/aaaa0000bbbb1111cccc22` } } });
    expect((await c.put(`${WIDGETS}/${key}`, { name: 'changed' })).status).toBe(200);
    expect((await c.get(`${WIDGETS}/${key}`)).json.body).toEqual({ name: 'changed' });
    expect((await c.put(`${WIDGETS}/nope`, { name: 'x' })).status).toBe(404);
    const changes = (await c.get('/api/transaction/changes')).json.changes as Array<{ type: string; path: string }>;
    expect(changes.map((x) => `${x.type} ${x.path}`)).toEqual([`create ${WIDGETS}/${key}`, `replace ${WIDGETS}/${key}`]);
    expect((await c.delete(`${WIDGETS}/${key}`)).status).toBe(200);
    expect((await c.get(`${WIDGETS}/${key}`)).status).toBe(404);

    const builtIn = await c.delete(`${WIDGETS}/-1`);
    expect(builtIn.status).toBe(400);
    expect(builtIn.json.error.type).toBe('SemanticError');
    const referenced = await c.delete(`${WIDGETS}/aaaa0000bbbb1111cccc22`);
    expect(referenced.status).toBe(400);
    expect(referenced.json.error.type).toBe('SemanticError');
    // Once the setting no longer references it, it can go.
    expect((await c.put(SETTING, { widget: '-1' })).status).toBe(200);
    expect((await c.delete(`${WIDGETS}/aaaa0000bbbb1111cccc22`)).status).toBe(200);
    expect((await c.delete('/api/transaction')).status).toBe(200);
    expect(t.node(0).state.committedConfig()).toEqual(before);
  });

  it('refuses GET on a write-only collection, checks bodies centrally, and honours the switches', async () => {
    const list = await c.get(SECRETS);
    expect(list.status).toBe(405);
    expect(list.headers.get('allow')).toBe('POST');
    expect((await c.post(SECRETS, { value: 'fake-secret' })).status).toBe(201);
    const invalid = await c.post(WIDGETS, { peer: 'x' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.error.type).toBe('InvalidRequestBody');
    expect(invalid.json.error.details.problems.join(' ')).toMatch(/name/);

    t.node(0).setBehaviour({ acceptInvalidBodies: true });
    const stored = await c.post(WIDGETS, { peer: 'x' });
    expect(stored.status).toBe(201);
    expect((await c.get(`${WIDGETS}/${stored.json.key}`)).json.body).toMatchObject({ peer: { key: 'x' } });
    t.node(0).setBehaviour({ acceptInvalidBodies: undefined, ignorePosts: true });
    const ignored = await c.post(WIDGETS, { name: 'ghost' });
    expect(ignored.status).toBe(201);
    expect((await c.get(`${WIDGETS}/${ignored.json.key}`)).status).toBe(404);
    t.node(0).setBehaviour({ ignorePosts: undefined });
    expect((await c.delete('/api/transaction')).status).toBe(200);
  });

  it('answers an action by its example and counts a never-send operation', async () => {
    expect(t.node(0).stats.neverSend).toEqual({});
    const r = await c.raw('POST', '/api/scratch_action', { headers: { 'content-length': '0' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ result: 'done' });
    expect(t.node(0).stats.neverSend).toEqual({ testScratch: 1 });
  });

  it('is planned by the runner: the mock plan lists every (operation, status) and a read-only run reads it', async () => {
    const doc = scratchSpec();
    const model = buildSpecModel(doc);
    const planned = model.operations.filter((o) => o.path.startsWith(AREA)).flatMap((o) => o.responses.map((r) => `${o.operationId} ${r.status}`));
    expect(planned).toEqual(
      expect.arrayContaining(['listWidgets 200', 'createWidget 201', 'getWidget 404', 'deleteWidget 200', 'getScratchSetting 200', 'createSecret 201']),
    );

    const dir = mkdtempSync(join(tmpdir(), 'sps-scratch-'));
    dirs.push(dir);
    const file = join(dir, 'spec.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = new PassThrough();
    let text = '';
    out.on('data', (b: Buffer) => (text += b.toString()));
    const code = await main(
      ['--url', t.node(0).url, '--username', ADMIN.username, '--ca', t.sim.caFile!, '--spec', file, '--only', 'Scratch', '--report-dir', dir],
      {
        env: { SPS_PASSWORD: ADMIN.password },
        stdout: out,
        stderr: out,
      } as never,
    );
    expect(code, text.slice(-2000)).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    const passed = new Set(report.results.filter((x: any) => x.outcome === 'passed').map((x: any) => x.operationId));
    for (const id of ['listScratch', 'listWidgets', 'getWidget', 'getScratchSetting']) expect(passed, id).toContain(id);
  });
});
