import { afterEach, describe, expect, it } from 'vitest';
import { createSpsClient, normalizeTransactionStatus, SpsApiError, type SpsClient } from '../../src/client/index.js';
import { sendJson, startFakeSps, type FakeSps, type FakeSpsOptions } from '../helpers/fake-sps.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: FakeSpsOptions = {}): Promise<{ sps: FakeSps; client: SpsClient }> {
  const sps = await startFakeSps(options);
  cleanups.push(() => sps.close());
  const client = createSpsClient({ baseUrl: sps.url, username: 'admin', password: 'admin-password' });
  cleanups.push(() => client.close());
  return { sps, client };
}

describe('normalizeTransactionStatus', () => {
  it('reads the 7.x shape (doc sample)', () => {
    const raw = {
      body: { commit_message: 'optional', status: 'closed' },
      key: 'transaction',
      meta: { href: '/api/transaction', parent: '/api' },
    };
    expect(normalizeTransactionStatus(raw)).toEqual({ status: 'closed', commitMessage: 'optional', shape: '7.x', raw });
  });

  it('reads the 6.x shape (doc sample)', () => {
    const raw = { key: 'transaction', meta: { href: '/api/transaction', parent: '/api' }, transaction: { status: 'closed' } };
    expect(normalizeTransactionStatus(raw)).toEqual({ status: 'closed', shape: '6.x', raw });
  });

  it('reads remaining_seconds and the changes link from meta', () => {
    const s = normalizeTransactionStatus({
      body: { status: 'open', commit_message: 'required' },
      meta: { href: '/api/transaction', remaining_seconds: 600, changes: '/api/transaction/changes' },
    });
    expect(s).toMatchObject({ status: 'open', commitMessage: 'required', remainingSeconds: 600, changesHref: '/api/transaction/changes' });
  });

  it('rejects bodies with neither shape and unknown status values', () => {
    expect(() => normalizeTransactionStatus({ key: 'transaction', meta: {} })).toThrow(/neither/);
    expect(() => normalizeTransactionStatus({ body: { status: 'pending' } })).toThrow(/pending/);
    expect(() => normalizeTransactionStatus('open')).toThrow();
  });
});

describe('transaction helpers', () => {
  it('open() POSTs with Content-Length: 0 (SPS answers 411 without a body length)', async () => {
    const { sps, client } = await setup();
    await client.transactions.open();
    const [post] = sps.requestsTo('POST', '/api/transaction');
    expect(post?.headers['content-length']).toBe('0');
    expect(post?.body).toBe('');
    expect(sps.opens).toBe(1);
  });

  it('status() normalises the 7.x shape', async () => {
    const { client } = await setup({ transactionShape: '7.x', commitMessage: 'required' });
    expect(await client.transactions.status()).toMatchObject({ status: 'closed', commitMessage: 'required', shape: '7.x' });
    await client.transactions.open();
    const open = await client.transactions.status();
    expect(open).toMatchObject({ status: 'open', commitMessage: 'required', remainingSeconds: 600 });
    expect(open.raw).toMatchObject({ key: 'transaction', body: { status: 'open' } });
  });

  it('status() normalises the 6.x shape', async () => {
    const { client } = await setup({ transactionShape: '6.x' });
    await client.transactions.open();
    const s = await client.transactions.status();
    expect(s).toMatchObject({ status: 'open', remainingSeconds: 600, shape: '6.x' });
    expect(s.commitMessage).toBeUndefined();
  });

  it('status() with an unrecognised body -> SpsApiError', async () => {
    const { sps, client } = await setup();
    sps.override('GET', '/api/transaction', ({ res }) => sendJson(res, 200, { key: 'transaction', meta: { href: '/api/transaction' } }));
    const err = await client.transactions.status().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SpsApiError);
    expect((err as SpsApiError).status).toBe(200);
  });

  it('changes() returns the changes array', async () => {
    const { sps, client } = await setup();
    const change = { type: 'replace', path: '/api/configuration/datetime/timezone', old_value: 'UTC', new_value: 'Europe/Budapest' };
    sps.changes = [change];
    expect(await client.transactions.changes()).toEqual([change]);
  });

  it('commit() PUTs {status: "commit"} with the message only when given', async () => {
    const { sps, client } = await setup();
    await client.transactions.commit();
    await client.transactions.commit('change NTP servers');
    expect(sps.commits).toEqual([{ status: 'commit' }, { status: 'commit', message: 'change NTP servers' }]);
    const puts = sps.requestsTo('PUT', '/api/transaction');
    expect(puts[0]?.headers['content-type']).toBe('application/json');
  });

  it('rollback() sends DELETE /api/transaction', async () => {
    const { sps, client } = await setup();
    await client.transactions.open();
    await client.transactions.rollback();
    expect(sps.rollbacks).toBe(1);
    expect(sps.transactionState).toBe('closed');
  });
});

describe('withTransaction', () => {
  it('rolls back after a normal return without commit and returns the value', async () => {
    const { sps, client } = await setup();
    const value = await client.withTransaction(async (tx) => {
      expect((await tx.status()).status).toBe('open');
      return 42;
    });
    expect(value).toBe(42);
    expect(sps.opens).toBe(1);
    expect(sps.rollbacks).toBe(1);
    expect(sps.commits).toHaveLength(0);
  });

  it('rolls back when the callback throws and rethrows the original error', async () => {
    const { sps, client } = await setup();
    const boom = new Error('callback failed');
    const err = await client
      .withTransaction(async () => {
        throw boom;
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBe(boom);
    expect(sps.rollbacks).toBe(1);
  });

  it('does not roll back after a commit', async () => {
    const { sps, client } = await setup();
    const value = await client.withTransaction(async (tx) => {
      await tx.commit('done');
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(sps.commits).toEqual([{ status: 'commit', message: 'done' }]);
    expect(sps.rollbacks).toBe(0);
    expect(sps.requestsTo('DELETE', '/api/transaction')).toHaveLength(0);
  });

  it('a failing rollback does not hide the callback error', async () => {
    const { sps, client } = await setup();
    sps.override('DELETE', '/api/transaction', ({ res }) => sendJson(res, 500, { error: { type: 'InternalError' } }));
    const boom = new Error('original');
    const err = await client
      .withTransaction(() => {
        throw boom;
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBe(boom);
    expect(sps.requestsTo('DELETE', '/api/transaction')).toHaveLength(1);
  });

  it('a failed commit rolls back and surfaces the commit error', async () => {
    const { sps, client } = await setup();
    sps.override('PUT', '/api/transaction', ({ res }) => sendJson(res, 400, { error: { type: 'SemanticError', message: 'configuration is invalid' } }));
    const err = await client
      .withTransaction(async (tx) => {
        await tx.commit();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(SpsApiError);
    expect((err as SpsApiError).type).toBe('SemanticError');
    expect(sps.rollbacks).toBe(1);
  });

  it('does not roll back twice after an explicit rollback', async () => {
    const { sps, client } = await setup();
    await client.withTransaction(async (tx) => {
      await tx.rollback();
    });
    expect(sps.rollbacks).toBe(1);
  });
});
