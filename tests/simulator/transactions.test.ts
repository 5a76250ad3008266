import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulator/index.js';
import { ADMIN, configAt, OPERATOR, rawRequest, SEED_TZ, seedBody, startTestSim, type ApiClient, type TestSim } from './helpers.js';

let t: TestSim | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const TZ = '/api/configuration/datetime/timezone';
const NTP = '/api/configuration/datetime/ntp_servers';

async function twoSessions(opts: Parameters<typeof startTestSim>[0] = {}): Promise<[ApiClient, ApiClient]> {
  t = await startTestSim(opts);
  const a = t.client();
  const b = t.client();
  await a.login(ADMIN);
  await b.login(ADMIN);
  return [a, b];
}

const open = (c: ApiClient) => c.raw('POST', '/api/transaction', { headers: { 'content-length': '0' } });

describe('simulator: transactions and the configuration lock', () => {
  it('opens a transaction with POST and reports it in the 7.x status shape', async () => {
    const [a] = await twoSessions();
    const closed = await a.get('/api/transaction');
    expect(closed.json).toEqual({
      body: { status: 'closed', commit_message: 'optional' },
      key: 'transaction',
      meta: { href: '/api/transaction', parent: '/api' },
    });
    const opened = await open(a);
    expect(opened.status).toBe(200);
    expect(opened.json.body.status).toBe('open');
    const status = await a.get('/api/transaction');
    expect(status.json).toEqual({
      body: { status: 'open', commit_message: 'optional' },
      key: 'transaction',
      meta: { href: '/api/transaction', parent: '/api', remaining_seconds: 600, changes: '/api/transaction/changes' },
    });
    expect(t?.node(0).state.openTransaction()).toMatchObject({ username: 'admin', implicit: false, changes: 0 });
  });

  it('locks the configuration: a second session gets 409 ConfigurationLocked on writes and on POST /api/transaction', async () => {
    t = await startTestSim();
    const a = t.client();
    const b = t.client();
    await a.login(ADMIN);
    await b.login(OPERATOR); // another user: its rollback leaves A's transaction alone
    expect((await open(a)).status).toBe(200);
    const bOpen = await open(b);
    expect(bOpen.status).toBe(409);
    expect(bOpen.json.error.type).toBe('ConfigurationLocked');
    const bPut = await b.put(TZ, 'UTC');
    expect(bPut.status).toBe(409);
    expect(bPut.json.error).toMatchObject({ type: 'ConfigurationLocked', details: { path: TZ } });
    expect((await b.put('/api/transaction', { status: 'commit' })).status).toBe(409);
    // Rolling back is safe without a transaction of one's own: B gets "closed", A keeps the lock.
    const bRollback = await b.delete('/api/transaction');
    expect(bRollback.status).toBe(200);
    expect(bRollback.json.body.status).toBe('closed');
    expect(t?.node(0).state.openTransaction()).not.toBeNull();
    // B can still read, and its own transaction status is closed.
    expect((await b.get(TZ)).status).toBe(200);
    expect((await b.get('/api/transaction')).json.body.status).toBe('closed');
    // Once A rolls back, B can open.
    expect((await a.delete('/api/transaction')).json.body.status).toBe('closed');
    expect((await open(b)).status).toBe(200);
  });

  it('opens a transaction implicitly on the first write and shows staged values only to the holder', async () => {
    const [a, b] = await twoSessions();
    const put = await a.put(TZ, 'UTC');
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ body: 'UTC', key: 'timezone', meta: { href: TZ, remaining_seconds: 600 } });
    expect(t?.node(0).state.openTransaction()).toMatchObject({ implicit: true, changes: 1 });

    const aRead = await a.get(TZ);
    expect(aRead.json.body).toBe('UTC');
    expect(aRead.json.meta.remaining_seconds).toBe(600);
    const bRead = await b.get(TZ);
    expect(bRead.json.body).toBe(SEED_TZ);
    expect(bRead.json.meta).not.toHaveProperty('remaining_seconds');
    expect(bRead.json.meta.transaction).toBe('/api/transaction');

    const changes = await a.get('/api/transaction/changes');
    expect(changes.json).toEqual({
      changes: [{ type: 'replace', path: TZ, old_value: SEED_TZ, new_value: 'UTC' }],
      meta: { href: '/api/transaction/changes', parent: '/api/transaction', transaction: '/api/transaction' },
    });
    expect((await b.get('/api/transaction/changes')).json.changes).toEqual([]);
  });

  it('rolls back to the committed configuration byte for byte', async () => {
    const [a] = await twoSessions();
    const node = t!.node(0);
    const before = JSON.stringify(node.state.committedConfig());
    await open(a);
    expect((await a.put(TZ, 'Asia/Kolkata')).status).toBe(200);
    expect((await a.post(NTP, { selection: 'ip', value: '192.0.2.10' })).status).toBe(201);
    expect((await a.get(NTP)).json.body).toHaveLength(2);
    const rb = await a.delete('/api/transaction');
    expect(rb.status).toBe(200);
    expect(rb.json.body.status).toBe('closed');
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect((await a.get(TZ)).json.body).toBe(SEED_TZ);
    expect((await a.get(NTP)).json.body).toEqual(seedBody(NTP));
    expect(node.state.openTransaction()).toBeNull();
  });

  it('commits staged changes and releases the lock', async () => {
    const [a, b] = await twoSessions();
    await a.put(TZ, 'UTC');
    await a.put(NTP, [
      { selection: 'fqdn', value: 'time.example.com' },
      { selection: 'ip', value: '192.0.2.1' },
    ]);
    const commit = await a.put('/api/transaction', { status: 'commit', message: 'tests: timezone + ntp' });
    expect(commit.status).toBe(200);
    expect(commit.json).toEqual({
      body: { status: 'closed', commit_message: 'optional' },
      key: 'transaction',
      meta: { href: '/api/transaction', parent: '/api' },
    });
    const node = t!.node(0);
    const committed = node.state.committedConfig();
    expect(configAt(committed, TZ)).toBe('UTC');
    expect(configAt(committed, NTP)).toEqual([
      { selection: 'fqdn', value: 'time.example.com' },
      { selection: 'ip', value: '192.0.2.1' },
    ]);
    expect((await b.get(TZ)).json.body).toBe('UTC');
    expect(node.state.commits()).toEqual([expect.objectContaining({ username: 'admin', message: 'tests: timezone + ntp', changes: 2 })]);
    expect((await open(b)).status).toBe(200);
  });

  it('validates the commit body', async () => {
    const [a] = await twoSessions();
    await a.put(TZ, 'UTC');
    const wrong = await a.put('/api/transaction', { status: 'apply' });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.type).toBe('InvalidRequestBody');
    const broken = await a.raw('PUT', '/api/transaction', { body: '{"status": ' });
    expect(broken.status).toBe(400);
    expect(broken.json.error.type).toBe('SyntacticError');
    expect((await a.get('/api/transaction')).json.body.status).toBe('open');
  });

  it('answers 411 LengthRequired to POST /api/transaction without a body length', async () => {
    const [a] = await twoSessions();
    const node = t!.node(0);
    const host = new URL(node.url).host;
    const noLength = await rawRequest(node.url, t!.sim.caPem, ['POST /api/transaction HTTP/1.1', `Host: ${host}`, `Cookie: ${a.cookie}`, 'Connection: close']);
    expect(noLength.status).toBe(411);
    expect(JSON.parse(noLength.body)).toMatchObject({ error: { type: 'LengthRequired' }, meta: { href: '/api/transaction' } });
    expect(node.state.openTransaction()).toBeNull();

    const withLength = await rawRequest(node.url, t!.sim.caPem, [
      'POST /api/transaction HTTP/1.1',
      `Host: ${host}`,
      `Cookie: ${a.cookie}`,
      'Content-Length: 0',
      'Connection: close',
    ]);
    expect(withLength.status).toBe(200);
    expect(JSON.parse(withLength.body).body.status).toBe('open');
  });

  it('opens with an empty body (Content-Length 0) or with {}, and refuses any other body', async () => {
    const [a, b] = await twoSessions();
    const withObject = await a.raw('POST', '/api/transaction', { body: '{}' });
    expect(withObject.status).toBe(200);
    expect(withObject.json.body.status).toBe('open');
    expect((await a.delete('/api/transaction')).status).toBe(200);
    expect((await open(b)).json.body.status).toBe('open');
    expect((await b.delete('/api/transaction')).status).toBe(200);
    for (const body of ['[]', '"open"', '{']) {
      const r = await a.raw('POST', '/api/transaction', { body });
      expect(r.status, body).toBe(400);
    }
    expect(t!.node(0).state.openTransaction()).toBeNull();
  });

  it('drops every session of the node after a commit that changes its cluster interface', async () => {
    const [a, b] = await twoSessions({ nodes: 2 });
    const other = t!.client(1);
    await other.login(ADMIN);
    // A commit of something else keeps the sessions.
    await a.put(TZ, 'UTC');
    expect((await a.put('/api/transaction', { status: 'commit' })).status).toBe(200);
    expect((await b.get(TZ)).status).toBe(200);

    const LS = '/api/configuration/local_services/cluster';
    const current = (await a.get(LS)).json.body;
    await a.put(LS, { enabled: !current.enabled, listen_address: current.listen_address.key });
    const commit = await a.put('/api/transaction', { status: 'commit' });
    expect(commit.status).toBe(200); // the commit itself is answered
    for (const c of [a, b]) {
      const r = await c.get(TZ);
      expect(r.status).toBe(401);
      expect(r.json.error.type).toBe('Unauthenticated');
    }
    expect(t!.node(0).state.sessionCount()).toBe(0);
    expect((await other.get(TZ)).status).toBe(200); // the other node keeps its sessions
    expect(t!.node(0).state.committedConfig().configuration.local_services.cluster).toMatchObject({ enabled: !current.enabled });
  });

  it('keeps the sessions after such a commit when dropSessionsOnClusterCommit is false', async () => {
    const [a] = await twoSessions({ behaviour: { dropSessionsOnClusterCommit: false } });
    await a.raw('POST', '/api/cluster/promote', { headers: { 'content-length': '0' } });
    expect((await a.put('/api/transaction', { status: 'commit' })).status).toBe(200);
    expect((await a.get(TZ)).status).toBe(200);
    t!.node(0).setBehaviour({ dropSessionsOnClusterCommit: undefined });
    const LS = '/api/configuration/local_services/cluster';
    const current = (await a.get(LS)).json.body;
    await a.put(LS, { enabled: !current.enabled, listen_address: current.listen_address.key });
    await a.put('/api/transaction', { status: 'commit' });
    expect((await a.get(TZ)).status).toBe(401);
  });

  it('counts remaining_seconds down and cancels the transaction when it runs out', async () => {
    const clock = createManualClock();
    const [a, b] = await twoSessions({ clock });
    await open(a);
    await a.put(TZ, 'Asia/Tokyo');
    expect((await a.get('/api/transaction')).json.meta.remaining_seconds).toBe(600);
    clock.advance(100_000);
    expect((await a.get('/api/transaction')).json.meta.remaining_seconds).toBe(500);
    expect((await a.get(TZ)).json.meta.remaining_seconds).toBe(500);
    clock.advance(499_500);
    expect((await a.get('/api/transaction')).json.meta.remaining_seconds).toBe(1);
    expect(t!.node(0).state.openTransaction()?.remainingSeconds).toBe(1);
    clock.advance(500);
    const after = await a.get('/api/transaction');
    expect(after.json.body.status).toBe('closed');
    expect(after.json.meta).not.toHaveProperty('remaining_seconds');
    expect((await a.get(TZ)).json.body).toBe(SEED_TZ);
    expect(t!.node(0).state.openTransaction()).toBeNull();
    // The lock is released: the other session can write now.
    expect((await b.put(TZ, 'UTC')).status).toBe(200);
  });

  it('releases the lock when the holding session expires', async () => {
    const clock = createManualClock();
    const [a, b] = await twoSessions({ clock, transactionSeconds: 7200 });
    await a.put(TZ, 'UTC');
    clock.advance(1000_000);
    expect((await b.put(TZ, 'Asia/Tokyo')).status).toBe(409);
    clock.advance(300_000); // a has been idle for 21:40, b for 5:00
    expect((await b.put(TZ, 'Asia/Tokyo')).status).toBe(200);
    expect(t!.node(0).state.openTransaction()).toMatchObject({ implicit: true, changes: 1 });
    expect((await a.get(TZ)).status).toBe(401);
    expect((await b.get(TZ)).json.body).toBe('Asia/Tokyo');
  });

  it('does not open a transaction for a rejected write', async () => {
    const [a] = await twoSessions();
    const r = await a.put(TZ, 42);
    expect(r.status).toBe(400);
    expect(r.json.error.type).toBe('InvalidRequestBody');
    expect(t!.node(0).state.openTransaction()).toBeNull();
    expect((await a.get('/api/transaction')).json.body.status).toBe('closed');
  });

  it('lockVisibility: another session reads closed by default (own-session reading) and open with the seconds left under "shared"', async () => {
    const [a, b] = await twoSessions();
    expect((await open(a)).status).toBe(200);
    expect((await b.get('/api/transaction')).json.body.status).toBe('closed');
    t!.node(0).setBehaviour({ lockVisibility: 'shared' });
    const seen = await b.get('/api/transaction');
    expect(seen.json.body.status).toBe('open');
    expect(seen.json.meta.remaining_seconds).toBeGreaterThan(0);
    expect((await open(b)).status).toBe(409);
  });

  it('a new session of the user holding the lock releases it with DELETE /api/transaction (sameUserMayRollback, default on)', async () => {
    const [a, b] = await twoSessions();
    const original = (await b.get(TZ)).json.body;
    expect(original).not.toBe('UTC');
    expect((await a.put(TZ, 'UTC')).status).toBe(200);
    expect((await b.delete('/api/transaction')).status).toBe(200);
    expect(t!.node(0).state.openTransaction()).toBeNull();
    // The staged value is gone: the committed one (the seed, whatever the spec's example is) again.
    expect((await b.get(TZ)).json.body).toBe(original);
    expect((await open(b)).status).toBe(200);
    // Switched off: only the holding session (or the timeout) releases it.
    t!.node(0).setBehaviour({ sameUserMayRollback: false });
    expect((await a.delete('/api/transaction')).status).toBe(200);
    expect((await open(b)).status).toBe(200); // B holds it again (its own)
    expect((await a.delete('/api/transaction')).status).toBe(200);
    expect(t!.node(0).state.openTransaction()).not.toBeNull();
  });

  it('releases a lock left behind once the transaction timeout has passed', async () => {
    const clock = createManualClock(Date.parse('2026-01-01T00:00:00Z'));
    const [a, b] = await twoSessions({ clock, transactionSeconds: 60, sessionIdleSeconds: 3600 });
    expect((await open(a)).status).toBe(200);
    clock.advance(59_000);
    expect((await open(b)).status).toBe(409);
    clock.advance(1_000);
    expect((await open(b)).status).toBe(200);
  });

  it('a node that stalls after N requests: hang fault with after', async () => {
    t = await startTestSim();
    const a = t.client();
    await a.login(ADMIN);
    t.node(0).injectFault('*', { kind: 'hang', after: 2 });
    expect((await a.get(TZ)).status).toBe(200);
    expect((await a.get(TZ)).status).toBe(200);
    const stalled = await Promise.race([a.get(TZ).then(() => 'answered'), new Promise((r) => setTimeout(() => r('stalled'), 300))]);
    expect(stalled).toBe('stalled');
  });
});
