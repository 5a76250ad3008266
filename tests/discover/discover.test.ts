import { specGetPaths } from '../../src/discover/run.js';
import { loadSpec } from '../../src/model/operations.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { discoverMain } from '../../src/discover/cli.js';
import { isCollection, normalisePath } from '../../src/discover/crawl.js';
import { inferSchema, placeholderExample } from '../../src/discover/infer.js';
import { draftFileName } from '../../src/discover/drafts.js';
import { formatProblems, root, validateExamples } from '../spec/lib.js';
import { adoptDrafts, allFiles } from './adopt-drafts.js';
import { BINARY_BYTES, POLICY_IDS, SECRETS, SESSION_IDS, USER, startFakeNode, type FakeNode } from './fake-node.js';

const nodes: FakeNode[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

async function node(opts: Parameters<typeof startFakeNode>[0] = {}): Promise<FakeNode> {
  const n = await startFakeNode(opts);
  nodes.push(n);
  return n;
}

async function discover(
  args: string[],
  env: Record<string, string> = { SPS_PASSWORD: SECRETS.password },
  signal?: AbortSignal,
  onStderr?: (text: string) => void,
) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => {
    stderr += c.toString();
    onStderr?.(c.toString());
  });
  const code = await discoverMain(args, { env, stdout: out, stderr: err, ...(signal ? { signal } : {}) });
  return { code, stdout, stderr };
}

/** What the crawl must fetch on a fake node, derived from its route table: every route except the unsampled instances. */
function expectedPaths(n: FakeNode, sample = 3): string[] {
  const skippedPolicies = POLICY_IDS.slice(sample).map((id) => `/api/configuration/policies/backup_policies/${id}`);
  const skippedSessions = SESSION_IDS.slice(sample).flatMap((id) => [`/api/audit/sessions/${id}`, `/api/audit/sessions/${id}/audit_trail`]);
  const skip = new Set([...skippedPolicies, ...skippedSessions]);
  return [...n.routes.keys(), '/api/authentication'].filter((p) => !skip.has(p)).sort();
}

function readReport(dir: string): any {
  return JSON.parse(readFileSync(join(dir, 'discovery.json'), 'utf8'));
}

const COVERED = [
  '/api',
  '/api/authentication',
  '/api/authentication/login_methods',
  '/api/cluster',
  '/api/configuration',
  '/api/configuration/datetime',
  '/api/configuration/datetime/ntp_servers',
  '/api/configuration/datetime/timezone',
  '/api/configuration/management',
  '/api/configuration/policies',
  '/api/configuration/policies/backup_policies',
  ...POLICY_IDS.slice(0, 3).map((id) => `/api/configuration/policies/backup_policies/${id}`),
  '/api/info',
  '/api/transaction',
  // Part 3 of the contract (issue 22) covers the session search, a session and its audit trail.
  '/api/audit/sessions',
  ...SESSION_IDS.slice(0, 3).flatMap((id) => [`/api/audit/sessions/${id}`, `/api/audit/sessions/${id}/audit_trail`]),
];

describe('discover against a fake SPS node', () => {
  it('finds every endpoint, once each, with GET only and one login; samples collections; classifies against the spec', async () => {
    const n = await node();
    const reportDir = tmp('disc-report-');
    const draftDir = tmp('disc-drafts-');
    const res = await discover(['--url', `${n.url}/api`, '--username', USER, '--report-dir', reportDir, '--draft-dir', draftDir]);
    expect(res.stderr).not.toMatch(/could not run/);
    expect(res.code).toBe(0);

    expect(n.logins).toBe(1);
    expect(new Set(n.log.map((r) => r.method))).toEqual(new Set(['GET']));
    const fetched = n.log.map((r) => r.path);
    expect(fetched.length).toBe(new Set(fetched).size); // each path once, cycles and fragments included
    // Besides the links: the spec's own GET paths no directory links to (reported only when served).
    const extra = specGetPaths(loadSpec());
    expect(extra).toContain('/api/transaction/changes');
    expect([...fetched].sort()).toEqual([...new Set([...expectedPaths(n), ...extra])].sort());

    const report = readReport(reportDir);
    const eps = report.nodes[0].endpoints as any[];
    expect(eps.map((e) => e.path).sort()).toEqual(expectedPaths(n));
    expect(
      eps
        .filter((e) => e.in_spec)
        .map((e) => e.path)
        .sort(),
    ).toEqual([...COVERED].sort());
    const byPath = new Map(eps.map((e) => [e.path, e]));
    expect(byPath.get('/api/configuration/datetime/timezone')).toMatchObject({ status: 200, shape: 'object', operationId: 'getTimezone' });
    expect(byPath.get('/api')).toMatchObject({ shape: 'directory', operationId: 'listApiEndpoints' });
    expect(byPath.get('/api/configuration/policies/backup_policies')).toMatchObject({ shape: 'list', in_spec: true });
    expect(byPath.get('/api/audit/sessions')).toMatchObject({ shape: 'list', in_spec: true, operationId: 'searchSessions' });
    expect(byPath.get('/api/configuration/restricted')).toMatchObject({ status: 403, in_spec: false });
    expect(byPath.get('/api/cluster/spp')).toMatchObject({ status: 500 });
    expect(byPath.get('/api/troubleshooting/support-bundle/download')).toMatchObject({
      status: 200,
      content_type: 'application/x-tar',
      body_skipped: 'not-json',
    });
    expect(byPath.get('/api/audit/huge_report')).toMatchObject({ status: 200, shape: 'other', body_skipped: 'too-large' });
    expect(byPath.get(`/api/audit/sessions/${SESSION_IDS[0]}`)).toMatchObject({ template: '/api/audit/sessions/{sessionId}' });
    expect(report.nodes[0].version).toBe('7.5.1');
    expect(report.nodes[0].collections).toEqual(
      expect.arrayContaining([
        { path: '/api/audit/sessions', listed: SESSION_IDS.length, sampled: SESSION_IDS.slice(0, 3).map((id) => `/api/audit/sessions/${id}`) },
        expect.objectContaining({ path: '/api/configuration/policies/backup_policies', listed: POLICY_IDS.length }),
      ]),
    );
    // The spec's GET paths the node does not serve: /api/cluster/nodes and the rest of the cluster interface, for example.
    expect(report.nodes[0].spec_not_listed).toContain('/api/cluster/nodes');
    expect(report.nodes[0].spec_not_listed).not.toContain('/api/configuration/datetime/timezone');
    expect(report.nodes[0].spec_not_listed).not.toContain('/api/configuration/policies/backup_policies/{policyId}');
    // Totals count endpoint templates: the sampled policies and sessions count once each.
    const templates = new Set(eps.filter((e) => e.status !== 404).map((e) => e.template));
    expect(report.totals.found).toBe(templates.size);
    expect(report.totals.covered).toBe(new Set(eps.filter((e) => e.in_spec).map((e) => e.template)).size);
    expect(report.totals.covered + report.totals.not_covered).toBe(report.totals.found);

    // The big download was abandoned, not read.
    expect(n.binaryBytesSent).toBeLessThan(BINARY_BYTES);
    expect(res.stdout).toMatch(/Total: \d+ endpoints found, \d+ covered by the contract, \d+ not covered/);
    expect(res.stdout).toMatch(/\/api\/configuration\/management\/mail_relay\s+200\s+application\/json\S*\s+object\s+NO/);

    // No secret anywhere in the output, the reports or the drafts.
    const secrets = [...Object.values(SECRETS), ...n.sessionIds];
    const texts = [
      res.stdout,
      res.stderr,
      ...allFiles(reportDir).map((f) => readFileSync(f, 'utf8')),
      ...allFiles(draftDir).map((f) => readFileSync(f, 'utf8')),
    ];
    for (const s of secrets) for (const t of texts) expect(t.includes(s), `secret ${s.slice(0, 6)}…`).toBe(false);
    const html = readFileSync(join(reportDir, 'discovery.html'), 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('<tr class="uncovered"><td><code>/api/configuration/management/mail_relay</code>');

    // One draft per uncovered template that answered 2xx, in the repo's layout.
    const drafts = allFiles(draftDir)
      .map((f) => relative(draftDir, f))
      .sort();
    expect(drafts).toEqual(
      [
        'audit/audit.yaml',
        'audit/huge_report.yaml',
        'large/large.yaml',
        ...[...n.routes.keys()].filter((p) => p.startsWith('/api/large/')).map((p) => `large/${p.slice('/api/large/'.length)}.yaml`),
        'management/mail_relay.yaml',
        'starling/starling.yaml',
        'troubleshooting/support-bundle.yaml',
        'troubleshooting/support-bundle_download.yaml',
        // openapi/paths/troubleshooting/troubleshooting.yaml is /api/configuration/troubleshooting: the draft of /api/troubleshooting takes the next free name.
        'troubleshooting/troubleshooting_2.yaml',
      ].sort(),
    );
    const email = parse(readFileSync(join(draftDir, 'management/mail_relay.yaml'), 'utf8'));
    expect(email.get['x-sps-source']).toEqual({ kind: 'observed', version: '7.5.1', node: 'node1' });
    expect(email.get.description).toMatch(/not documented/);
    const media = email.get.responses['200'].content['application/json'];
    expect(media.schema.properties.body.properties.port).toEqual({ type: 'integer' });
    expect(media.schema.properties.body.properties.admin).toEqual({ type: 'null' });
    expect(JSON.stringify(media.schema)).not.toMatch(/"enum"|"additionalProperties":false/);
    expect(media.examples.observed.value.body).toMatchObject({
      username: 'string',
      password: 'string',
      port: 0,
      tls: true,
      smtp_server: { selection: 'string', value: 'string' },
    });
    // A session is covered by the contract now: matched to its template, no draft.
    expect(byPath.get(`/api/audit/sessions/${SESSION_IDS[0]}`)).toMatchObject({
      in_spec: true,
      spec_path: '/api/audit/sessions/{id}',
      operationId: 'getSession',
    });
    expect(byPath.get(`/api/audit/sessions/${SESSION_IDS[0]}/audit_trail`)).toMatchObject({ in_spec: true, operationId: 'downloadAuditTrail' });
  });

  it('moved into a copy of openapi/, the drafts pass the lint and the example validation', async () => {
    const n = await node();
    const draftDir = tmp('disc-drafts-');
    const res = await discover(['--url', n.url, '--username', USER, '--report-dir', tmp('disc-report-'), '--draft-dir', draftDir]);
    expect(res.code).toBe(0);
    const { rootDoc, lint, bundle, repo } = adoptDrafts(draftDir, tmp('disc-repo-'));
    expect(lint.problems).toEqual([]);
    expect(lint.totals).toMatchObject({ errors: 0, warnings: 0 });
    const bundled = bundle();
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(bundled.doc.paths['/api/configuration/management/mail_relay']).toBeDefined();
    expect(formatProblems(validateExamples(bundled.doc, rootDoc))).toBe('');

    // The same check fails when a draft's example does not fit its schema.
    const email = join(repo, 'openapi/paths/management/mail_relay.yaml');
    writeFileSync(email, readFileSync(email, 'utf8').replace(/port: 0/, 'port: not-a-number'));
    const problems = validateExamples(bundle().doc, rootDoc);
    expect(problems.map((p) => p.file)).toEqual(['openapi/paths/management/mail_relay.yaml']);
    // The whole spec is linted once and bundled twice (the drafts must pass beside all of it).
    // Measured 2026-12-03: 44 s alone at load average 17 on 2 cores (lint 3.7 s CPU, a bundle
    // 2.2 s CPU), 108 s beside tests/discover/simulator.test.ts; not measurable unloaded here.
  }, 150_000);

  it('several nodes: one report with the node x endpoint differences', async () => {
    const a = await node({ version: '7.5.1' });
    const b = await node({ version: '7.4.0', extra: { '/api/health_status': { cpu: 3 } } });
    const reportDir = tmp('disc-report-');
    const res = await discover(['--url', a.url, '--url', b.url, '--username', USER, '--report-dir', reportDir]);
    expect(res.code).toBe(0);
    expect(a.logins).toBe(1);
    expect(b.logins).toBe(1);
    const report = readReport(reportDir);
    expect(report.nodes.map((x: any) => x.version)).toEqual(['7.5.1', '7.4.0']);
    expect(report.differences).toEqual([{ template: '/api/health_status', in_spec: true, status: { node1: null, node2: 200 } }]);
    expect(res.stdout).toMatch(/\/api\/health_status\s+yes\s+-\s+200/);
  });

  it('classifies against --spec: a path the document lacks is not covered', async () => {
    const n = await node();
    const spec = JSON.parse(readFileSync(join(root, 'generated/sps-api.json'), 'utf8'));
    delete spec.paths['/api/configuration/datetime/timezone'];
    const specFile = join(tmp('disc-spec-'), 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const reportDir = tmp('disc-report-');
    expect((await discover(['--url', n.url, '--username', USER, '--spec', specFile, '--report-dir', reportDir])).code).toBe(0);
    const eps = readReport(reportDir).nodes[0].endpoints as any[];
    expect(eps.find((e) => e.path === '/api/configuration/datetime/timezone')).toMatchObject({ in_spec: false });
    expect(eps.find((e) => e.path === '/api/configuration/datetime/ntp_servers')).toMatchObject({ in_spec: true, operationId: 'getNtpServers' });
  });

  it('stops on SIGINT with exit 130 and a report of what was found', async () => {
    const n = await node();
    const controller = new AbortController();
    const reportDir = tmp('disc-report-');
    const res = await discover(['--url', n.url, '--username', USER, '--report-dir', reportDir, '--concurrency', '1'], undefined, controller.signal, (t) => {
      if (t.includes('logged in')) controller.abort('SIGINT');
    });
    expect(res.code).toBe(130);
    expect(n.log.length).toBeLessThan(expectedPaths(n).length);
    expect(readReport(reportDir).nodes[0].fatal).toBe('stopped by SIGINT');
  });

  it('refuses --password without echoing it, and needs --url', async () => {
    const r1 = await discover(['--url', 'http://127.0.0.1:1', '--username', USER, '--password', 'hunter2-secret']);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--password is not accepted/);
    expect(r1.stderr).not.toContain('hunter2-secret');
    const r2 = await discover(['--username', USER]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--url is required/);
    const help = await discover(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--max-requests <n>/);
  });
});

describe('discover building blocks', () => {
  it('drops fragments and queries and keeps only paths under /api', () => {
    expect(normalisePath('/api/a/b#frag')).toBe('/api/a/b');
    expect(normalisePath('/api/a?x=1')).toBe('/api/a');
    expect(normalisePath('/apiary')).toBeUndefined();
    expect(normalisePath(null)).toBeUndefined();
  });

  it('tells collections of objects by id from directories of named endpoints', () => {
    expect(
      isCollection([
        { key: 'timezone', meta: { href: '/x/timezone' } },
        { key: 'ntp_servers', meta: { href: '/x/ntp_servers' } },
      ]),
    ).toBe(false);
    expect(
      isCollection([
        { key: '1001', meta: {} },
        { key: '1002', meta: {} },
      ]),
    ).toBe(true);
    expect(isCollection([{ key: 'nic1', body: {}, meta: {} }])).toBe(true);
  });

  it('infers required only where always present, widens types, never enums', () => {
    const s = inferSchema([{ a: 1, b: 'x' }, { a: 2.5 }, { a: 3, b: null }]);
    expect(s).toEqual({
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: ['null', 'string'] } },
      required: ['a'],
    });
    expect(placeholderExample({ a: 'secret', n: 7, ok: false, list: ['x', 'y'] })).toEqual({ a: 'string', n: 0, ok: false, list: ['string'] });
  });

  it('names draft files like openapi/paths/', () => {
    expect(draftFileName('/api/configuration/datetime/timezone')).toBe('datetime/timezone.yaml');
    expect(draftFileName('/api/cluster/nodes/{nodeId}')).toBe('cluster/nodes_{nodeId}.yaml');
    expect(draftFileName('/api/configuration')).toBe('navigation/configuration.yaml');
    expect(draftFileName('/api')).toBe('navigation/api.yaml');
    expect(draftFileName('/api/info')).toBe('info/info.yaml');
  });
});
