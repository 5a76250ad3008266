/**
 * The different value of the write check (src/conformance/different-value.ts): one small change
 * that fits the request schema, and never a change to a reference, a key or a secret, nor to
 * an object that holds one.
 */
import { describe, expect, it } from 'vitest';
import { buildSpecModel, type OperationModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { differentRequestBody } from '../../src/conformance/different-value.js';

const Reference = {
  type: 'object',
  required: ['key', 'meta'],
  properties: { key: { type: 'string' }, meta: { type: 'object', required: ['href'], properties: { href: { type: 'string' } } } },
};

function derive(schema: unknown, current: unknown, examples: Record<string, unknown> = {}) {
  const doc = {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/x': {
        get: { operationId: 'getX', responses: { '200': { description: 'ok' } } },
        put: {
          operationId: 'updateX',
          requestBody: {
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/X' },
                examples: Object.fromEntries(Object.entries(examples).map(([k, v]) => [k, { value: v }])),
              },
            },
          },
          responses: { '200': { description: 'ok' } },
        },
      },
    },
    components: { schemas: { X: schema, Reference } },
  };
  const model = buildSpecModel(doc);
  const put = model.operations.find((o) => o.operationId === 'updateX') as OperationModel;
  return differentRequestBody(model, createValidator(model), put, current);
}

describe('differentRequestBody', () => {
  it('flips a boolean', () => {
    const r = derive({ type: 'object', properties: { enabled: { type: 'boolean' }, name: { type: 'string' } } }, { enabled: true, name: 'a' });
    expect(r).toEqual({ ok: true, value: { body: { enabled: false, name: 'a' }, change: '/enabled flipped from true to false' } });
  });

  it('takes another enum member, and only one that fits the schema', () => {
    const r = derive({ type: 'object', properties: { mode: { type: 'string', enum: ['a', 'b', 'c'], not: { const: 'b' } } } }, { mode: 'a' });
    expect(r.ok && r.value.body).toEqual({ mode: 'c' });
  });

  it('adds a documented list entry that is not in the list yet, or removes the last one', () => {
    const schema = { type: 'array', items: { type: 'string' } };
    expect(derive(schema, ['x'], { two: ['x', 'y'] })).toMatchObject({ ok: true, value: { body: ['x', 'y'] } });
    expect(derive(schema, ['x', 'y'], { two: ['x', 'y'] })).toMatchObject({ ok: true, value: { body: ['x'] } });
  });

  it('respects minItems: no removal that would break the schema', () => {
    const r = derive({ type: 'array', minItems: 1, items: { type: 'string' } }, ['only']);
    expect(r).toEqual({ ok: false, reason: 'no different value fits the request schema' });
  });

  it('never varies an object that holds a reference, a key or a secret', () => {
    const ref = derive(
      { type: 'object', properties: { enabled: { type: 'boolean' }, target: { oneOf: [{ type: 'string' }, { $ref: '#/components/schemas/Reference' }] } } },
      { enabled: false, target: 'abc' },
    );
    expect(ref).toMatchObject({ ok: false, reason: expect.stringContaining('target holds a reference, key or secret') });
    const key = derive(
      { type: 'object', properties: { enabled: { type: 'boolean' }, gpg_public_key: { type: ['object', 'null'] } } },
      { enabled: false, gpg_public_key: null },
    );
    expect(key).toMatchObject({ ok: false, reason: expect.stringContaining('gpg_public_key') });
    const secret = derive({ type: 'object', properties: { on: { type: 'boolean' }, password: { type: 'string' } } }, { on: true });
    expect(secret.ok).toBe(false);
  });

  it('varies a sibling object that holds no reference', () => {
    const r = derive(
      {
        type: 'object',
        properties: {
          a: { type: 'object', properties: { ref: { $ref: '#/components/schemas/Reference' } } },
          b: { type: 'object', properties: { on: { type: 'boolean' } } },
        },
      },
      { a: {}, b: { on: false } },
    );
    expect(r).toMatchObject({ ok: true, value: { body: { a: {}, b: { on: true } }, change: '/b/on flipped from false to true' } });
  });
});
