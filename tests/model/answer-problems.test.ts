/**
 * answerProblems (src/model/validate.ts): the one answer-checker, used by the simulator's tests.
 */
import { describe, expect, it } from 'vitest';
import { loadSpec, type OperationModel } from '../../src/model/operations.js';
import { answerProblems, createValidator } from '../../src/model/validate.js';

const model = loadSpec();
const validator = createValidator(model);
const op = (method: string, path: string): OperationModel => {
  const found = model.operations.find((o) => o.method === method && o.path === path);
  if (!found) throw new Error(`${method} ${path} is not in the spec`);
  return found;
};
const TZ = '/api/configuration/datetime/timezone';

describe('answerProblems', () => {
  it('passes a documented status with a body valid for its schema', () => {
    expect(answerProblems(validator, op('GET', TZ), 200, { body: 'UTC', key: 'timezone', meta: { href: TZ } })).toEqual([]);
  });

  it('names a body that breaks the schema, with the operation and status', () => {
    const problems = answerProblems(validator, op('GET', TZ), 200, { body: 42, key: 'timezone', meta: { href: TZ } });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith(`GET ${TZ} 200: `))).toBe(true);
    expect(problems.join('\n')).toMatch(/\/body/);
  });

  it('names an undocumented status', () => {
    expect(answerProblems(validator, op('DELETE', '/api/transaction'), 409, {})).toEqual(['DELETE /api/transaction: status 409 is not documented']);
  });

  it('checks the items of a list (a node id that is not a UUID)', () => {
    const badStatus = { items: [{ key: 'not-a-uuid', meta: { href: '/api/cluster/status/x' } }], meta: { href: '/api/cluster/status' } };
    expect(answerProblems(validator, op('GET', '/api/cluster/status'), 200, badStatus).length).toBeGreaterThan(0);
  });

  it('has nothing to say about an answer without a body', () => {
    expect(answerProblems(validator, op('GET', TZ), 200, undefined)).toEqual([]);
  });
});
