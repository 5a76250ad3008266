/**
 * Every vendor sample body, restated as a fixture (secrets faked), validates against the spec.
 * A fixture is `tests/spec/vendor-samples/<area>/<name>.json`:
 *   { "page": "<vendor page URL or seeds/<file>>", "version": "<SPS version of the page>",
 *     "operationId": "<operation>", "status": "200" | "request", "body": <the sample> }
 * `status: "request"` validates a request body sample; a number validates the JSON answer of
 * that documented status. The test fails naming the fixture, the page and the problems.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildSpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { loadBundled, root } from './lib.js';

interface Fixture {
  page: string;
  version: string;
  operationId: string;
  status: string;
  body: unknown;
}

const dir = join(root, 'tests/spec/vendor-samples');

function fixtureFiles(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? fixtureFiles(join(d, e.name)) : e.name.endsWith('.json') ? [join(d, e.name)] : [],
  );
}

function sampleProblems(model: ReturnType<typeof buildSpecModel>, f: Fixture): string[] {
  const op = model.operation(f.operationId);
  if (!op) return [`operation ${f.operationId} is not in the spec`];
  const pointer = f.status === 'request' ? op.requestBody?.schemaPointer : op.responses.find((r) => r.status === String(f.status))?.json?.schemaPointer;
  if (!pointer) return [`${f.operationId} documents no JSON ${f.status === 'request' ? 'request body' : `answer for status ${f.status}`}`];
  const outcome = createValidator(model).validate(pointer, f.body);
  return outcome.errors;
}

describe('vendor samples', () => {
  const model = buildSpecModel(loadBundled() as never);
  const files = fixtureFiles(dir);

  it('are there, each well-formed (page, version, operationId, status, body)', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const f = JSON.parse(readFileSync(file, 'utf8')) as Partial<Fixture>;
      const missing = (['page', 'version', 'operationId', 'status', 'body'] as const).filter((k) => f[k] === undefined);
      expect(missing, relative(root, file)).toEqual([]);
    }
  });

  it('every vendor sample validates against the spec', () => {
    const failures = files.flatMap((file) => {
      const f = JSON.parse(readFileSync(file, 'utf8')) as Fixture;
      const problems = sampleProblems(model, f);
      return problems.length ? [`${relative(root, file)} (${f.page}): ${problems.join('; ')}`] : [];
    });
    expect(failures).toEqual([]);
  });

  it('fails a sample that breaks the spec, naming the problem', () => {
    const broken: Fixture = {
      page: 'test',
      version: '7.0',
      operationId: 'getTimezone',
      status: '200',
      body: { key: 'timezone', body: 42, meta: { href: '/api/configuration/datetime/timezone' } },
    };
    expect(sampleProblems(model, broken).join(' ')).toMatch(/\/body: must be string/);
    expect(sampleProblems(model, { ...broken, operationId: 'noSuchOperation' })).toEqual(['operation noSuchOperation is not in the spec']);
  });
});
