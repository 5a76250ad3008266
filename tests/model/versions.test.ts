/** src/model/versions.ts: ranges, node versions, release lines and the version view of a document. */
import { describe, expect, it } from 'vitest';
import { buildSpecModel, loadSpec } from '../../src/model/operations.js';
import { createDocumentValidator } from '../../src/model/validate.js';
import { coerceVersion, intersectsLine, isReleaseLine, notDocumentedReason, parseRange, satisfiesRange, versionView } from '../../src/model/versions.js';

describe('versions', () => {
  it('parses ranges and coerces what appliances report', () => {
    expect(parseRange('>=6.0 <7.0')).toBe('>=6.0.0 <7.0.0-0');
    expect(parseRange('not a range')).toBeUndefined();
    expect(coerceVersion('7.1.1')).toBe('7.1.1');
    expect(coerceVersion('6.9')).toBe('6.9.0');
    expect(coerceVersion('7.4.0-lts (build 1234)')).toBe('7.4.0');
    expect(coerceVersion('SPS 7.5.1')).toBe('7.5.1');
    expect(coerceVersion('unknown')).toBeUndefined();
  });

  it('tests a node version and a release line against a range', () => {
    expect(satisfiesRange('>=7.0', '6.9')).toBe(false);
    expect(satisfiesRange('>=7.0', '7.0')).toBe(true);
    expect(satisfiesRange('>=6.0 <7.0', '6.10.2')).toBe(true);
    expect(satisfiesRange('>=5.7 <6.0 || >=7.3', '6.5')).toBe(false);
    expect(satisfiesRange(undefined, '6.5')).toBe(true);
    expect(isReleaseLine('6.x')).toBe(true);
    expect(isReleaseLine('7')).toBe(true);
    expect(isReleaseLine('7.4')).toBe(false);
    expect(intersectsLine('>=6.9', '6.x')).toBe(true);
    expect(intersectsLine('>=7.0', '6.x')).toBe(false);
    expect(intersectsLine('>=5.7 <6.0', '6.x')).toBe(false);
    expect(notDocumentedReason('>=7.0', '6.9')).toBe('not documented for SPS 6.9: x-sps-versions >=7.0');
  });

  it('cuts operations, properties and branches a version lacks, keeping the pointers of the rest', () => {
    const doc = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/old': { get: { 'x-sps-versions': '>=5.7 <7.0', responses: { '200': { description: 'ok' } } } },
        '/both': {
          get: { 'x-sps-versions': '>=6.0', responses: { '200': { description: 'ok' } } },
          put: { 'x-sps-versions': '>=7.0', responses: { '200': { description: 'ok' } } },
        },
      },
      components: {
        schemas: {
          Options: {
            type: 'object',
            required: ['audit', 'channel_database_cleanup'],
            properties: {
              name: { type: 'string' },
              audit: { type: 'object', 'x-sps-versions': '<7.0' },
              channel_database_cleanup: { type: 'object', 'x-sps-versions': '>=7.0' },
            },
          },
          Shape: {
            oneOf: [
              { type: 'string', 'x-sps-versions': '<7.0' },
              { type: 'integer', 'x-sps-versions': '>=7.0' },
            ],
          },
        },
      },
    };
    const frozen = JSON.stringify(doc);
    const v69 = versionView(doc, '6.9');
    const v74 = versionView(doc, '7.4');
    const line6 = versionView(doc, '6.x');
    expect(JSON.stringify(doc)).toBe(frozen); // pure
    expect(Object.keys(v69.paths)).toEqual(['/old', '/both']);
    expect(Object.keys(v74.paths)).toEqual(['/both']);
    expect(Object.keys(v74.paths['/both'])).toEqual(['get', 'put']);
    expect(Object.keys(v69.paths['/both'])).toEqual(['get']);
    expect(Object.keys(line6.paths['/both'])).toEqual(['get']);
    expect(Object.keys(v69.components.schemas.Options.properties)).toEqual(['name', 'audit']);
    expect(v69.components.schemas.Options.required).toEqual(['audit']);
    expect(Object.keys(v74.components.schemas.Options.properties)).toEqual(['name', 'channel_database_cleanup']);
    // A removed branch keeps its place, so #/components/schemas/Shape/oneOf/1 still points at the integer branch.
    expect(v74.components.schemas.Shape.oneOf[1]).toBe(doc.components.schemas.Shape.oneOf[1]);
    const val69 = createDocumentValidator(v69);
    const val74 = createDocumentValidator(v74);
    expect(val69.validate('#/components/schemas/Shape', 'x').valid).toBe(true);
    expect(val69.validate('#/components/schemas/Shape', 3).valid).toBe(false);
    expect(val74.validate('#/components/schemas/Shape', 3).valid).toBe(true);
    expect(val74.validate('#/components/schemas/Shape', 'x').valid).toBe(false);
    expect(val74.validate('#/components/schemas/Options', { channel_database_cleanup: {} }).valid).toBe(true);
    expect(val69.validate('#/components/schemas/Options', { channel_database_cleanup: {} }).valid).toBe(false);
  });

  it('exposes each operation range in the operation model, and the bundled spec cuts cleanly', () => {
    const model = loadSpec();
    expect(model.operations.every((o) => o.versions !== undefined && parseRange(o.versions) !== undefined)).toBe(true);
    const v6 = buildSpecModel(versionView(model.document, '6.9'));
    expect(v6.operations.every((o) => satisfiesRange(o.versions, '6.9'))).toBe(true);
    expect(v6.operations.length).toBeLessThan(model.operations.length);
  });
});
