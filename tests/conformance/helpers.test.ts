import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toCurl, shellQuote } from '../../src/conformance/curl.js';
import { UsageError } from '../../src/shared/cli-options.js';
import { runLimited } from '../../src/conformance/limit.js';
import { renderHtml } from '../../src/conformance/report/html.js';
import { renderJunit, xmlEscape } from '../../src/conformance/report/junit.js';
import { normaliseBaseUrl, transactionState, type ConformanceReport } from '../../src/conformance/runner.js';
import { buildSelection } from '../../src/conformance/selection.js';
import {
  isClusterMembership,
  notSentReason,
  operationRole,
  referencesToKeys,
  sameValue,
  sameValueRequestBody,
  stripReadOnly,
} from '../../src/conformance/write-safety.js';
import { buildSpecModel, fillPath, loadSpec, matchesTemplate, parentPath } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';

const model = loadSpec(fileURLToPath(new URL('./fixtures/mini-spec.yaml', import.meta.url)));
const validator = createValidator(model);
const op = (id: string) => model.operation(id)!;

describe('paths', () => {
  it('fills, matches and climbs path templates', () => {
    expect(fillPath('/api/cluster/nodes/{nodeId}', { nodeId: 'a b' })).toBe('/api/cluster/nodes/a%20b');
    expect(matchesTemplate('/api/cluster/nodes/{nodeId}', '/api/cluster/nodes/x')).toBe(true);
    expect(matchesTemplate('/api/cluster/nodes/{nodeId}', '/api/cluster/nodes/x/y')).toBe(false);
    expect(parentPath('/api/configuration/datetime')).toBe('/api/configuration');
    expect(parentPath('/api')).toBeUndefined();
  });

  it('normalises target URLs and refuses credentials in them', () => {
    expect(normaliseBaseUrl('https://sps.example.com/')).toBe('https://sps.example.com');
    expect(normaliseBaseUrl('https://sps.example.com:8443/api/')).toBe('https://sps.example.com:8443');
    expect(() => normaliseBaseUrl('https://admin:secret@sps.example.com')).toThrow(UsageError);
    expect(() => normaliseBaseUrl('ftp://sps')).toThrow(UsageError);
    expect(() => normaliseBaseUrl('not a url')).toThrow(UsageError);
  });
});

describe('curl', () => {
  it('reproduces a request with the secrets as shell variables', () => {
    const line = toCurl({
      method: 'PUT',
      url: 'https://sps/api/configuration/datetime/timezone',
      headers: { 'Content-Type': 'application/json' },
      body: '"Europe/Budapest"',
      cookie: { name: 'session_id', valuePlaceholder: '$SPS_SESSION_ID' },
      ca: '/tmp/ca file.pem',
    });
    expect(line).toBe(
      `curl -sS -i -X PUT --cacert '/tmp/ca file.pem' -b "session_id=$SPS_SESSION_ID" -H 'Content-Type: application/json' --data-raw '"Europe/Budapest"' https://sps/api/configuration/datetime/timezone`,
    );
    expect(
      toCurl({ method: 'GET', url: 'https://sps/api/authentication', basic: { username: 'ad"min', passwordPlaceholder: '$SPS_PASSWORD' }, insecure: true }),
    ).toBe(`curl -sS -i -k -u "ad\\"min:$SPS_PASSWORD" https://sps/api/authentication`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});

describe('selection', () => {
  it('selects by tag, operationId and check name, case-insensitively', () => {
    const s = buildSelection(model, ['date and time', 'auth_required'], ['updateTimezone']);
    expect(s.includesOperation(op('getTimezone'))).toBe(true);
    expect(s.includesOperation(op('updateTimezone'))).toBe(false);
    expect(s.includesOperation(op('listApiEndpoints'))).toBe(false);
    expect(s.includesCheck('auth_required')).toBe(true);
    expect(s.includesCheck('undocumented_properties')).toBe(false);
  });

  it('rejects a selector that names nothing', () => {
    expect(() => buildSelection(model, ['Dates'])).toThrow(/not a tag, an operationId or a check name/);
  });
});

describe('write safety rules', () => {
  it('never sends cluster membership changes or commits, and only PUTs settings back', () => {
    const all = model.operations;
    expect(isClusterMembership(op('promoteClusterNode'))).toBe(true);
    expect(isClusterMembership(op('updateClusterNode'))).toBe(true);
    expect(operationRole(op('updateTimezone'), all)).toBe('setting-put');
    expect(operationRole(op('createNtpServer'), all)).toBe('other-write');
    expect(operationRole(op('commitTransaction'), all)).toBe('transaction-commit');
    expect(operationRole(op('openTransaction'), all)).toBe('transaction-open');
    expect(operationRole(op('logIn'), all)).toBe('login');
    expect(notSentReason('cluster-membership', true)).toMatch(/never sent/);
    expect(notSentReason('transaction-commit', true)).toMatch(/never commits/);
    expect(notSentReason('setting-put', false)).toMatch(/--allow-writes/);
    expect(notSentReason('setting-put', true)).toBeUndefined();
  });

  it('turns embedded references into keys and drops read-only properties', () => {
    const got = { enabled: true, listen_address: { key: 'nic1.interfaces.a.addresses.b', meta: { href: '/api/configuration/network/nics/nic1#x' } } };
    expect(referencesToKeys(got)).toEqual({ enabled: true, listen_address: 'nic1.interfaces.a.addresses.b' });
    expect(sameValue(got, { listen_address: 'nic1.interfaces.a.addresses.b', enabled: true })).toBe(true);
    const doc = {
      openapi: '3.1.0',
      paths: {},
      components: {
        schemas: {
          Key: { type: 'object', required: ['public_key'], properties: { public_key: { type: 'string' }, fingerprint: { type: 'string', readOnly: true } } },
          Enc: { type: 'object', properties: { key: { oneOf: [{ $ref: '#/components/schemas/Key' }, { type: 'null' }] } } },
        },
      },
    };
    const m = buildSpecModel(doc);
    const v = createValidator(m);
    expect(stripReadOnly(m, v, { key: { public_key: 'k', fingerprint: 'f' } }, '#/components/schemas/Enc')).toEqual({ key: { public_key: 'k' } });
  });

  it('builds the same-value PUT body, or says why it cannot', () => {
    expect(sameValueRequestBody(model, validator, op('updateTimezone'), 'Europe/Budapest')).toEqual({ ok: true, body: 'Europe/Budapest' });
    const bad = sameValueRequestBody(model, validator, op('updateNtpServers'), [{ selection: 'dns', value: 'x' }]);
    expect(bad.ok).toBe(false);
  });

  it('reads both transaction status shapes', () => {
    expect(transactionState({ body: { status: 'open' } })).toBe('open');
    expect(transactionState({ transaction: { status: 'closed' } })).toBe('closed');
    expect(transactionState({ error: { type: 'x' } })).toBeUndefined();
  });
});

describe('runLimited', () => {
  it('never runs more than the limit and waits for started tasks before failing', async () => {
    let running = 0;
    let peak = 0;
    const finished: number[] = [];
    const tasks = Array.from({ length: 6 }, (_, i) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      finished.push(i);
      if (i === 1) throw new Error('boom');
      return i;
    });
    await expect(runLimited(2, tasks)).rejects.toThrow('boom');
    expect(peak).toBe(2);
    expect(running).toBe(0);
    expect(finished.length).toBeLessThan(6);
  });
});

describe('reports', () => {
  const report: ConformanceReport = {
    summary: { passed: 1, failed: 1, warnings: 0, skipped: 1, accepted: 0, readingWarnings: 0, readingFailures: 0 },
    targets: [{ node: 'n1', url: 'https://n1', kind: 'live', loggedIn: true, transactionAtStart: 'closed', writes: 'not requested', requests: 3, notes: [] }],
    results: [
      { check: 'status_code', operationId: 'getTimezone', method: 'GET', path: '/api/x', node: 'n1', outcome: 'passed', message: 'ok', curl: 'curl x' },
      {
        check: 'meta_links',
        operationId: 'getTimezone',
        method: 'GET',
        path: '/api/x',
        node: 'n1',
        outcome: 'failed',
        message: 'meta.href is "<script>"',
        curl: "curl 'x&y'",
      },
      { check: 'not_found', operationId: 'getTimezone', method: 'GET', path: '/api/x', node: 'n1', outcome: 'skipped', message: 'why\u0001', curl: '' },
    ],
    coverage: {
      rows: [
        {
          operationId: 'getTimezone',
          method: 'GET',
          path: '/api/x',
          cells: [
            { status: '200', exercised: true, countable: true },
            { status: '404', exercised: false, countable: true },
          ],
        },
      ],
      exercised: 1,
      total: 2,
      percent: 50,
    },
    matrix: { n1: { status_code: 'passed', meta_links: 'failed', not_found: 'skipped' } },
    spec: { file: 'x', title: 'T', version: '1' },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 10,
    exitCode: 1,
  };

  it('writes valid, escaped JUnit XML', () => {
    const xml = renderJunit(report);
    expect(xml).toContain('<failure message="meta.href is &quot;&lt;script&gt;&quot;"');
    expect(xml).toContain('<skipped message="why"/>');
    expect(xml).not.toContain('<script>');
    expect(xmlEscape('a&b')).toBe('a&amp;b');
  });

  it('writes a self-contained HTML page with the matrices and marked failures', () => {
    const html = renderHtml(report);
    expect(html).toContain('<tr class="failed">');
    expect(html).toContain('id="matrix"');
    expect(html).toContain('id="coverage"');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/<link |src="http/);
  });
});
