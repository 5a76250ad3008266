import { describe, expect, it } from 'vitest';
import { collectExamples, formatProblems, loadBundled, validateExamples } from './lib.js';

const doc = loadBundled();

describe('examples', () => {
  it('every example validates against its schema (Ajv, JSON Schema 2020-12)', () => {
    const problems = validateExamples(doc);
    expect(formatProblems(problems)).toBe('');
  });

  it('checks a meaningful number of examples, from requests, responses and parameters', () => {
    const cases = collectExamples(doc);
    const kinds = new Set(cases.map((c) => c.direction));
    expect(kinds).toEqual(new Set(['request', 'response', 'parameter']));
    // 39 operations, each with at least one success example, plus shared error responses.
    expect(cases.length).toBeGreaterThan(60);
  });

  it('reports a broken example with its source file and JSON pointer', () => {
    const broken = structuredClone(doc);
    const media = broken.paths['/api/configuration/datetime/timezone'].get.responses['200'].content['application/json'];
    media.examples.default.value.body = 42; // the timezone body must be a string
    const problems = validateExamples(broken);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe('openapi/paths/datetime/timezone.yaml');
    expect(problems[0]!.pointer).toBe('#/paths/~1api~1configuration~1datetime~1timezone/get/responses/200/content/application~1json/examples/default/value');
    expect(problems[0]!.errors.join(' ')).toMatch(/\/body: must be string/);
  });

  it('catches a broken example in a shared response', () => {
    const broken = structuredClone(doc);
    delete broken.components.responses.NotFound.content['application/json'].examples.notFound.value.error.type;
    const problems = validateExamples(broken);
    expect(problems.map((p) => p.file)).toEqual(['openapi/components/responses/NotFound.yaml']);
    expect(problems[0]!.errors.join(' ')).toMatch(/must have required property 'type'/);
  });
});
