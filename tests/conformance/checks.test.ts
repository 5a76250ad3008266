/**
 * The operation model of the fixture spec (fixtures/mini-spec.yaml), which the check tests
 * beside each check (src/conformance/checks/<file>.test.ts) record their exchanges on.
 */
import { describe, expect, it } from 'vitest';
import { model, op } from './helpers/exchange.js';

describe('operation model', () => {
  it('derives operations, security, statuses, error types and parameter examples from the spec', () => {
    expect(model.operations).toHaveLength(20);
    expect(op('logIn').security).toBe('basicAuth');
    expect(op('getTimezone').security).toBe('sessionCookie');
    expect(op('getTimezone').sessionCookieName).toBe('session_id');
    expect(op('updateTimezone').statuses).toEqual([200, 201, 400, 401, 409]);
    expect(op('getTimezone').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['Unauthenticated', 'AuthenticationFailure']);
    expect(op('logIn').responses.find((r) => r.status === '401')?.errorTypes).toEqual(['AuthenticationFailure']);
    expect(op('getClusterNode').pathParams.map((p) => [p.name, p.example])).toEqual([['nodeId', '46f97a58-4028-467d-9a22-9cfe78ae3e1c']]);
    expect(Object.keys(op('getTransaction').responses[0]!.json!.examples)).toEqual(['closed', 'legacyClosed']);
    expect(op('updateNtpServers').requestBody?.examples.default).toEqual([{ selection: 'ip', value: '192.0.2.123' }]);
  });
});
