/** The behaviour switches: each makes a node deviate from the contract in one way. */
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, configAt, SEED_TZ, startTestSim, type TestSim } from './helpers.js';

const TZ = '/api/configuration/datetime/timezone';
const NTP = '/api/configuration/datetime/ntp_servers';

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('simulator: behaviour switches', () => {
  it('ignorePuts: a PUT answers 200 and is logged, but the stored value stays', async () => {
    t = await startTestSim({ behaviour: { ignorePuts: true } });
    const c = t.client();
    await c.login(ADMIN);
    const put = await c.put(TZ, 'UTC');
    expect(put.status).toBe(200);
    expect((await c.get(TZ)).json.body).toBe(SEED_TZ);
    expect((await c.get('/api/transaction/changes')).json.changes).toEqual([{ type: 'replace', path: TZ, old_value: SEED_TZ, new_value: 'UTC' }]);
    // Only PUT: a POST still stores, and an invalid PUT is still refused.
    expect((await c.post(NTP, { selection: 'ip', value: '192.0.2.7' })).status).toBe(201);
    expect((await c.get(NTP)).json.body).toContainEqual({ selection: 'ip', value: '192.0.2.7' });
    expect((await c.put(TZ, 42)).status).toBe(400);
    expect((await c.put('/api/transaction', { status: 'commit' })).status).toBe(200);
    expect(configAt(t.node(0).state.committedConfig(), '/api/configuration/datetime/timezone')).toBe(SEED_TZ);
  });

  it('emptyChangeLog: changes are applied but /api/transaction/changes stays empty', async () => {
    t = await startTestSim();
    t.node(0).setBehaviour({ emptyChangeLog: true });
    const c = t.client();
    await c.login(ADMIN);
    expect((await c.put(TZ, 'UTC')).status).toBe(200);
    expect((await c.get(TZ)).json.body).toBe('UTC');
    const changes = await c.get('/api/transaction/changes');
    expect(changes.status).toBe(200);
    expect(changes.json.changes).toEqual([]);
    expect(t.node(0).state.openTransaction()?.changes).toBe(1);
    t.node(0).setBehaviour({ emptyChangeLog: false });
    expect((await c.get('/api/transaction/changes')).json.changes).toHaveLength(1);
  });

  it("readingVariant 'parent-slash': GET /api carries meta.parent '/' with and without a session", async () => {
    t = await startTestSim({ nodes: 2, nodeBehaviours: [{ readingVariant: 'parent-slash' }] });
    const [c, plain] = [t.client(0), t.client(1)];
    const anonymous = await c.get('/api');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json.meta).toEqual({ href: '/api', parent: '/' });
    expect((await plain.get('/api')).json.meta).toEqual({ href: '/api' });
    await c.login(ADMIN);
    await plain.login(ADMIN);
    const withSession = await c.get('/api');
    expect(withSession.json.meta.parent).toBe('/');
    expect(withSession.json.items).toEqual((await plain.get('/api')).json.items);
    expect((await plain.get('/api')).json.meta.parent).toBeUndefined();
    // Other paths keep their parent.
    expect((await c.get('/api/configuration')).json.meta.parent).toBe('/api');
  });

  it('latencyMs delays every request, each on its own: a rollback sent last is answered after one delay', async () => {
    t = await startTestSim({ behaviour: { latencyMs: 400 } });
    const c = t.client();
    const started = performance.now();
    expect((await c.login(ADMIN)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(380);
    await c.put(TZ, 'UTC');
    expect(t.node(0).state.openTransaction()).not.toBeNull();
    // Five slow reads in flight, then the rollback.
    const reads = Array.from({ length: 5 }, () => c.get(TZ));
    const sent = performance.now();
    const rollback = await c.delete('/api/transaction');
    const took = performance.now() - sent;
    expect(rollback.status).toBe(200);
    expect(rollback.json.body.status).toBe('closed');
    expect(took).toBeGreaterThanOrEqual(380);
    expect(took).toBeLessThan(1200); // not queued behind the five reads (5 x 400 ms)
    expect(t.node(0).state.openTransaction()).toBeNull();
    await Promise.all(reads);
    t.node(0).setBehaviour({ latencyMs: 0 });
    const fast = performance.now();
    await c.get(TZ);
    expect(performance.now() - fast).toBeLessThan(300);
  });

  it('refuses an invalid switch value and reports the current switches', async () => {
    t = await startTestSim();
    expect(() => t!.node(0).setBehaviour({ latencyMs: -1 })).toThrow(/latencyMs/);
    t.node(0).setBehaviour({ ignorePuts: true });
    expect(t.node(0).behaviour()).toEqual({ ignorePuts: true });
  });
});
