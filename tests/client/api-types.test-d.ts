/**
 * Type-level tests of the public client API (vitest typecheck: `tsc` over this file). A wrong
 * call must not compile: each `@ts-expect-error` fails the test when the line compiles.
 */
import { describe, expectTypeOf, it } from 'vitest';
import { createSpsClient, type SpsClient, type TransactionStatus } from '../../src/client/index.js';

declare const sps: SpsClient;

describe('createSpsClient', () => {
  it('takes the documented options and returns an SpsClient', () => {
    expectTypeOf(createSpsClient).parameter(0).toHaveProperty('baseUrl').toEqualTypeOf<string>();
    expectTypeOf(createSpsClient).returns.toEqualTypeOf<SpsClient>();
    // @ts-expect-error baseUrl is required
    createSpsClient({ username: 'admin', password: 'example-password' });
    // @ts-expect-error timeoutMs is a number
    createSpsClient({ baseUrl: 'https://sps.example.com', timeoutMs: '5s' });
  });
});

describe('typed calls of the contract', () => {
  it('GET of a documented path is typed by the spec: the timezone body is a string', async () => {
    const { data } = await sps.GET('/api/configuration/datetime/timezone');
    expectTypeOf(data).toEqualTypeOf<NonNullable<typeof data> | undefined>();
    expectTypeOf(data!.body).toEqualTypeOf<string>();
    // @ts-expect-error a path the spec does not document
    await sps.GET('/api/configuration/no_such_setting');
  });

  it('PUT takes the documented request body, and only that', async () => {
    await sps.PUT('/api/configuration/datetime/timezone', { body: 'Europe/Budapest' });
    // @ts-expect-error the timezone is a string, not a number
    await sps.PUT('/api/configuration/datetime/timezone', { body: 42 });
    // @ts-expect-error the login is GET only
    await sps.PUT('/api/authentication', {});
  });

  it('path parameters are required where the path has them', async () => {
    await sps.GET('/api/cluster/nodes/{nodeId}', { params: { path: { nodeId: 'a' } } });
    // @ts-expect-error nodeId is missing
    await sps.GET('/api/cluster/nodes/{nodeId}', { params: { path: {} } });
  });
});

describe('transaction helpers', () => {
  it('normalise the status and take an optional commit message', async () => {
    expectTypeOf(sps.transactions.status).returns.resolves.toEqualTypeOf<TransactionStatus>();
    expectTypeOf(sps.transactions.commit).parameters.toEqualTypeOf<[message?: string]>();
    const value = await sps.withTransaction(async (tx) => {
      expectTypeOf(tx.client).toEqualTypeOf<SpsClient>();
      return 42;
    });
    expectTypeOf(value).toEqualTypeOf<number>();
    // @ts-expect-error commit messages are strings
    await sps.transactions.commit(1);
  });
});
