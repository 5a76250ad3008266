/**
 * Documented fact or our reading, in the runner: a response that fails the full schema but
 * passes the vendor-only view (src/model/vendor-view.ts) is a readings-only warning ("breaks our
 * reading: ..., not a documented fact"), a failure with --strict; a vendor fact broken still
 * fails. Checked per exchange on the bundled spec, on a small in-memory spec for headers, and
 * end to end against the simulator answering a reading differently (`readingVariant`).
 */
import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { errorBody } from '../../src/conformance/checks/error-body.js';
import { metaLinks } from '../../src/conformance/checks/meta-links.js';
import { responseHeaders } from '../../src/conformance/checks/response-headers.js';
import { responseSchema } from '../../src/conformance/checks/response-schema.js';
import { runConformance } from '../../src/conformance/runner.js';
import type { CheckContext, Exchange } from '../../src/conformance/check-api.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { buildSpecModel, DEFAULT_SPEC_FILE, loadSpec, type SpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { createJudge } from '../../src/model/verdict.js';
import { readReports, runCli, tempDir } from './helpers/cli.js';

const HAVE_SPEC = existsSync(DEFAULT_SPEC_FILE);

function contextFor(model: SpecModel, strict = false): CheckContext {
  const validator = createValidator(model);
  return { model, validator, judge: createJudge(model, validator), target: 'live', strict, sessionCookieName: 'session_id' };
}

function answer(model: SpecModel, operationId: string, status: number, body: unknown, headers: Record<string, string> = {}): Exchange {
  const op = model.operation(operationId)!;
  const bodyText = JSON.stringify(body);
  return {
    node: 'sps1',
    target: 'live',
    op,
    probe: 'normal',
    method: op.method,
    path: op.path,
    response: { status, headers: { 'content-type': 'application/json', ...headers }, setCookies: [], bodyText, json: body, durationMs: 1 },
    curl: 'curl https://sps1/api',
  };
}

const apiBody = (meta: Record<string, unknown>) => ({
  items: [{ key: 'configuration', meta: { href: '/api/configuration' } }],
  meta: { href: '/api', transaction: '/api/transaction', ...meta },
});

describe.runIf(HAVE_SPEC)('readings-only problems, per exchange (bundled spec)', () => {
  const model = loadSpec();
  const getApi = model.operations.find((o) => o.method === 'GET' && o.path === '/api')!.operationId;

  it('response_schema: meta.parent "/" on GET /api breaks only the `^/api` inference: a warning naming its source and reason, with the Ajv detail', () => {
    const [row] = responseSchema.run(contextFor(model), answer(model, getApi, 200, apiBody({ parent: '/' })));
    expect(row).toMatchObject({ outcome: 'warning', basis: 'inference', strength: 'soft' });
    expect(row!.message).toMatch(
      /^200: breaks inference from Every link in the vendor's samples: Every link in the vendor's samples starts with `\/api`.*, not a documented fact; body does not match/,
    );
    expect(row!.message).toContain('/meta/parent: must match pattern');
    expect(row!.source).toMatch(/^inference from Every link in the vendor's samples: Every link/);
  });

  it('response_schema: with --strict the same answer fails (still marked as an inference)', () => {
    const [row] = responseSchema.run(contextFor(model, true), answer(model, getApi, 200, apiBody({ parent: '/' })));
    expect(row).toMatchObject({ outcome: 'failed', basis: 'inference', strength: 'soft' });
  });

  it('response_schema: a non-string link breaks a vendor fact and fails without --strict', () => {
    const [row] = responseSchema.run(contextFor(model), answer(model, getApi, 200, apiBody({ parent: 42 })));
    expect(row).toMatchObject({ outcome: 'failed', basis: 'vendor', strength: 'fact' });
    expect(row!.source).toMatch(/^vendor pages? (https:\/\/|seeds\/)/);
    expect(row!.message).not.toContain('breaks our reading');
    expect(row!.message).toContain('/meta/parent: must be string');
  });

  it('meta_links: a parent that is not the parent path is the reading parentIsParentPath (a warning)', () => {
    const [row] = metaLinks.run(contextFor(model), answer(model, getApi, 200, apiBody({ parent: '/' })));
    expect(row).toMatchObject({ outcome: 'warning', basis: 'reading' });
    expect(row!.message).toMatch(
      /^breaks our reading: No vendor page states that `parent` is `href` without its last segment.*, not a documented fact: meta\.parent is "\/"/,
    );
    expect(row!.message).toContain('(parentIsParentPath)');
  });

  it("meta_links: a link of the wrong type is the schema's vendor fact and fails; --strict fails a reading too", () => {
    const [typeRow] = metaLinks.run(contextFor(model), answer(model, getApi, 200, apiBody({ next: 7 })));
    expect(typeRow).toMatchObject({ outcome: 'failed', basis: 'vendor' });
    expect(typeRow!.message).toContain('meta.next is 7, expected null or a path');
    const [strictRow] = metaLinks.run(contextFor(model, true), answer(model, getApi, 200, apiBody({ parent: '/' })));
    expect(strictRow).toMatchObject({ outcome: 'failed', basis: 'reading' });
  });

  it('error_body: another error.type on the 409 (a response that is our reading) is a warning; on a vendor 404 a failure', () => {
    const errorAnswer = (type: string, path: string) => ({ error: { type, message: 'no' }, meta: { href: path, parent: '/api' } });
    const [locked] = errorBody.run(contextFor(model), answer(model, 'openTransaction', 409, errorAnswer('TransactionLocked', '/api/transaction')));
    expect(locked).toMatchObject({ outcome: 'warning', basis: 'reading' });
    expect(locked!.message).toBe(
      'breaks our reading: The vendor pages describe the configuration lock but not the HTTP status or error type of the refusal; 409 ConfigurationLocked is ours (decisions.md #5), not a documented fact: 409: error.type is "TransactionLocked", documented for 409: ConfigurationLocked',
    );
    const [notFound] = errorBody.run(contextFor(model), answer(model, 'getTimezone', 404, errorAnswer('Missing', '/api/configuration/datetime/timezone')));
    expect(notFound).toMatchObject({ outcome: 'failed', basis: 'vendor' });
  });

  it('meta_links: a sub-rule the spec marks vendor fails (the rule source is read from x-sps-rules)', () => {
    const doc = structuredClone(model.document) as Record<string, any>;
    doc.components.schemas.Meta['x-sps-rules'].parentIsParentPath = { kind: 'vendor', pages: ['seeds/x.txt'] };
    const vendorModel = buildSpecModel(doc);
    const [row] = metaLinks.run(contextFor(vendorModel), answer(vendorModel, getApi, 200, apiBody({ parent: '/' })));
    expect(row).toMatchObject({ outcome: 'failed', basis: 'vendor' });
  });
});

describe('readings-only problems in headers (in-memory spec)', () => {
  const doc = {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/x': {
        get: {
          operationId: 'getX',
          'x-sps-source': { kind: 'vendor', pages: ['seeds/x.txt'] },
          responses: {
            '200': {
              description: 'ok',
              headers: {
                'X-Count': {
                  schema: { type: 'string', allOf: [{ pattern: '^[0-9]+$', 'x-sps-source': { kind: 'reading', reason: 'The samples only show digits.' } }] },
                },
              },
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
    },
  };
  const model = buildSpecModel(doc);

  it('a header value that breaks only the reading is a warning; one that breaks the vendor type fails', () => {
    const [reading] = responseHeaders.run(contextFor(model), answer(model, 'getX', 200, {}, { 'x-count': 'many' }));
    expect(reading).toMatchObject({ outcome: 'warning', basis: 'reading', strength: 'soft', source: 'our reading: The samples only show digits' });
    expect(reading!.message).toBe(
      '200: breaks our reading: The samples only show digits, not a documented fact; X-Count does not match its schema: (root): must match pattern "^[0-9]+$"',
    );
    const [strict] = responseHeaders.run(contextFor(model, true), answer(model, 'getX', 200, {}, { 'x-count': 'many' }));
    expect(strict!.outcome).toBe('failed');
    const [ok] = responseHeaders.run(contextFor(model), answer(model, 'getX', 200, {}, { 'x-count': '12' }));
    expect(ok!.outcome).toBe('passed');
    const [missing] = responseHeaders.run(contextFor(model), answer(model, 'getX', 200, {}));
    expect(missing!.outcome).toBe('failed');
  });
});

let sims: SimulatorHandle[] = [];
afterEach(async () => {
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
});

describe.runIf(HAVE_SPEC)('against the simulator answering a reading differently (readingVariant parent-slash)', () => {
  async function start(): Promise<SimulatorHandle> {
    const sim = await startSimulator({ behaviour: { readingVariant: 'parent-slash' } });
    sims.push(sim);
    return sim;
  }

  it('passes with readings-only warnings that say "breaks our reading"; --strict fails on them', async () => {
    const sim = await start();
    const node = sim.nodes[0]!;
    const base = { urls: [node.url], username: sim.users.admin.username, password: sim.users.admin.password, caFile: sim.caFile! };
    const report = await runConformance(base);
    expect(
      report.exitCode,
      JSON.stringify(
        report.results.filter((r) => r.outcome === 'failed'),
        null,
        1,
      ),
    ).toBe(0);
    const readings = report.results.filter((r) => r.strength === 'soft');
    expect(readings.length).toBeGreaterThanOrEqual(2);
    expect(new Set(readings.map((r) => r.check))).toEqual(new Set(['response_schema', 'meta_links']));
    expect(readings.filter((r) => !(r.outcome === 'warning' && r.path === '/api' && /^(\d{3}: )?breaks (our reading|inference from)/.test(r.message)))).toEqual(
      [],
    );
    expect(report.summary.readingWarnings).toBe(readings.length);

    const strict = await runConformance({ ...base, strict: true });
    expect(strict.exitCode).toBe(1);
    const failed = strict.results.filter((r) => r.outcome === 'failed' && r.strength === 'soft');
    expect(failed.map((r) => `${r.check} ${r.path}`)).toEqual(readings.map((r) => `${r.check} ${r.path}`));
    expect(strict.summary.readingFailures).toBe(failed.length);
    // Nothing else fails with --strict but undocumented_properties (the other thing --strict turns into a failure).
    expect(strict.results.filter((r) => r.outcome === 'failed' && r.strength !== 'soft').every((r) => r.check === 'undocumented_properties')).toBe(true);
  }, 90_000);

  it('every output counts them: the verdict line, report.json, report.html and junit.xml', async () => {
    const sim = await start();
    const node = sim.nodes[0]!;
    const dir = tempDir();
    const run = await runCli(['--url', node.url, '--username', sim.users.admin.username, '--ca', sim.caFile!, '--report-dir', dir], {
      env: { SPS_PASSWORD: sim.users.admin.password },
    });
    expect(run.code, run.stderr).toBe(0);
    const m = /^Conformant: \d+ passed, 0 failed, (\d+) warnings \((\d+) inferences or readings only\), 0 accepted, \d+ skipped$/m.exec(run.stdout);
    expect(m, run.stdout.slice(-400)).not.toBeNull();
    const n = Number(m![2]);
    expect(n).toBeGreaterThanOrEqual(2);
    const files = readReports(dir);
    const json = JSON.parse(files['report.json']!) as {
      summary: Record<string, number>;
      results: Array<{ basis?: string; strength?: string; source?: string }>;
    };
    expect(json.summary.readingWarnings).toBe(n);
    expect(json.results.filter((r) => r.strength === 'soft')).toHaveLength(n);
    expect(json.results.find((r) => r.basis === 'reading')!.source).toMatch(/^our reading: /);
    expect(json.results.find((r) => r.basis === 'inference')!.source).toMatch(/^inference from /);
    expect(files['report.html']).toContain(`<div class="card warning readings"><b>${n}</b>readings-only warnings</div>`);
    expect(files['report.html']).toContain('<b>reading only</b> ');
    expect(files['report.html']).toContain('<b>inference only</b> ');
    expect(files['junit.xml']).toContain(`<property name="readingWarnings" value="${n}"/>`);
    expect(files['junit.xml']).toContain('<property name="basis" value="reading"/>');
    expect(files['junit.xml']).toContain('<property name="strength" value="soft"/>');
    expect(files['junit.xml']).toContain(`(${n} readings only)`);
  }, 90_000);
});
