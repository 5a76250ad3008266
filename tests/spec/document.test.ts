import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it, vi } from 'vitest';

// Redocly lint, bundle and type generation of the whole spec (190 paths) take tens of seconds.
vi.setConfig({ testTimeout: 240_000 });
import { deref, loadBundled, operations, root } from './lib.js';

const doc = loadBundled();
const ops = operations(doc);

function redocly(args: string[], cwd = root) {
  return spawnSync(join(root, 'node_modules/.bin/redocly'), args, { cwd, encoding: 'utf8' });
}

describe('the document', () => {
  it('is a valid OpenAPI 3.1 document, split and bundled (swagger-parser)', async () => {
    const split = (await SwaggerParser.validate(join(root, 'openapi/openapi.yaml'))) as { openapi?: string };
    expect(split.openapi).toBe('3.1.0');
    const bundled = await SwaggerParser.validate(join(root, 'generated/sps-api.json'));
    expect(Object.keys(bundled.paths ?? {})).toHaveLength(Object.keys(doc.paths).length);
  });

  it('passes Redocly lint (recommended + our rules) with 0 errors and 0 warnings', () => {
    const res = redocly(['lint', '--config', 'redocly.yaml', '--format', 'json']);
    const report = JSON.parse(res.stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(res.status).toBe(0);
  });

  it('a broken spec edit fails the lint with the file and the JSON pointer of the problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sps-broken-spec-'));
    try {
      cpSync(join(root, 'openapi'), join(dir, 'openapi'), { recursive: true });
      cpSync(join(root, 'redocly.yaml'), join(dir, 'redocly.yaml'));
      cpSync(join(root, 'lint'), join(dir, 'lint'), { recursive: true });
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
      const file = join(dir, 'openapi/paths/datetime/timezone.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('body: America/New_York', 'body: 42'));
      const res = redocly(['lint', '--config', 'redocly.yaml', '--format', 'codeframe'], dir);
      expect(res.status).not.toBe(0);
      expect(res.stdout).toContain('openapi/paths/datetime/timezone.yaml');
      expect(res.stdout).toContain('#/get/responses/200/content/application~1json/examples/default/value/body');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('operationIds are unique and follow the naming rule (verb chosen by method, lowerCamelCase)', () => {
    const ids = ops.map((o) => o.op.operationId as string);
    expect(new Set(ids).size).toBe(ids.length);
    // docs/spec-conventions.md, "operationIds": the verbs each method may use.
    const verbs: Record<string, RegExp> = {
      get: /^(get|list|download|search)[A-Z][A-Za-z0-9]+$|^logIn$/,
      put: /^(update|commit)[A-Z][A-Za-z0-9]+$/,
      post: /^(create|open|promote|upload|test|upgrade|fetch|complete)[A-Z][A-Za-z0-9]+$/,
      delete: /^(delete|rollback|cancel)[A-Z][A-Za-z0-9]+$/,
    };
    const offenders = ops.filter((o) => !verbs[o.method]?.test(o.op.operationId)).map((o) => `${o.method} ${o.path} ${o.op.operationId}`);
    expect(offenders).toEqual([]);
    // Directory listings are list<Area>Endpoints.
    const directories = ops.filter((o) => {
      const schema = o.op.responses['200']?.content?.['application/json']?.schema;
      return schema !== undefined && deref(doc, schema).required?.includes('items');
    });
    expect(directories.length).toBeGreaterThan(5);
  });

  it('every operation has a tag that is declared, a summary and a description', () => {
    const declared = new Set((doc.tags as { name: string }[]).map((t) => t.name));
    for (const { path, method, op } of ops) {
      expect(op.tags?.length, `${method} ${path}`).toBe(1);
      expect(declared.has(op.tags[0]), `${method} ${path} tag ${op.tags[0]}`).toBe(true);
      expect(op.summary, `${method} ${path}`).toBeTruthy();
      expect(op.description, `${method} ${path}`).toBeTruthy();
    }
  });

  it('every response of every operation has an example', () => {
    const missing: string[] = [];
    for (const { path, method, op } of ops) {
      for (const [status, ref] of Object.entries<any>(op.responses)) {
        const resp = deref(doc, ref);
        // A redirect answers with an empty body (POST /api/setup: 303); every other answer, JSON
        // or not (a binary download), has an example of its first media type.
        if (!resp.content && /^3\d\d$/.test(status)) continue;
        const media = resp.content?.['application/json'] ?? Object.values<any>(resp.content ?? {})[0];
        const count = media ? Object.keys(media.examples ?? {}).length + ('example' in media ? 1 : 0) : 0;
        if (count === 0) missing.push(`${method} ${path} ${status}`);
      }
      if (op.requestBody) {
        const media = op.requestBody.content['application/json'] ?? Object.values<any>(op.requestBody.content)[0];
        if (Object.keys(media.examples ?? {}).length === 0) missing.push(`${method} ${path} request body`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('secures every operation with the session cookie and documents 401 for it, except the login and the pre-login reads', () => {
    expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'session_id' });
    expect(doc.components.securitySchemes.clientCertificate).toMatchObject({ type: 'mutualTLS' });
    expect(doc.security).toEqual([{ sessionCookie: [] }]);
    const own: Record<string, unknown> = {
      logIn: [{ basicAuth: [] }, { clientCertificate: [] }],
      listLoginMethods: [],
      getInfo: [{}, { sessionCookie: [] }],
      getAuthenticationTypes: [{}, { sessionCookie: [] }],
      // The Welcome Wizard runs before any user exists (vendor curl lines send no cookie).
      getSetup: [],
      completeSetup: [],
    };
    for (const { path, method, op } of ops) {
      if (op.operationId in own) {
        expect(op.security, `${method} ${path}`).toEqual(own[op.operationId]);
        continue;
      }
      expect(op.security, `${method} ${path}`).toBeUndefined();
      expect(op.responses['401'], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/api/authentication'].get.responses['401']).toBeDefined();
  });

  it('error responses are shared components that name the error types they carry', () => {
    for (const { path, method, op } of ops) {
      for (const [status, resp] of Object.entries<any>(op.responses)) {
        if (Number(status) < 400) continue;
        expect(resp.$ref, `${method} ${path} ${status}`).toMatch(/^#\/components\/responses\//);
        const shared = deref(doc, resp);
        expect(Array.isArray(shared['x-error-types']) && shared['x-error-types'].length > 0).toBe(true);
      }
    }
  });

  it('the bundle keeps named components, so generators emit named types', () => {
    const text = readFileSync(join(root, 'generated/sps-api.json'), 'utf8');
    expect(text).not.toMatch(/"\$ref": "#\/paths\//);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Meta', 'ErrorBody', 'TransactionStatus', 'ClusterNode']));
    const dts = readFileSync(join(root, 'generated/sps-api.d.ts'), 'utf8');
    expect(dts).toMatch(/^\s+ClusterNode: \{/m);
  });

  it('generated/ is up to date with openapi/ (npm run generate:check)', () => {
    const out = execFileSync(join(root, 'node_modules/.bin/tsx'), ['scripts/generate.ts', '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});
