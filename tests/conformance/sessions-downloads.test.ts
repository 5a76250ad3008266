/**
 * Part 3 against the simulator: the session search pages as documented (the `pagination`
 * check passes, and fails on each broken-pagination switch naming the endpoint), no
 * `x-sps-never-send` operation is ever sent (the simulator counts every request to one), every
 * report lists them as never sent, and no audit-trail byte reaches any report file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../src/conformance/runner.js';
import type { CheckResult } from '../../src/conformance/check-api.js';
import { createCrawlHttp } from '../../src/discover/http.js';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { AUDIT_TRAIL_MARKER, sessionsOf } from '../../src/simulator/handlers/audit.js';
import { loadSpec } from '../../src/model/operations.js';

const CLI = join(process.cwd(), 'src', 'conformance', 'cli.ts');
const PASSWORD = 'part3-test-password';
const model = loadSpec();
const neverSend = model.operations.filter((o) => o.neverSend !== undefined);
const PART3_TAGS = new Set(['Sessions', 'Reporting', 'Plugins', 'Health', 'Firmware', 'Setup']);
const part3 = new Set(model.operations.filter((o) => o.tags.some((t) => PART3_TAGS.has(t))).map((o) => o.operationId));

async function runCli(sim: SimulatorHandle, extra: string[]): Promise<{ code: number | null; out: string; files: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'sps-part3-'));
  try {
    const args = ['--import', 'tsx', CLI, '--url', sim.nodes[0]!.url, '--username', 'admin', '--ca', sim.caFile!, '--report-dir', dir, ...extra];
    const child = spawn(process.execPath, args, { env: { ...process.env, SPS_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    const files: Record<string, string> = {};
    for (const f of readdirSync(dir)) files[f] = readFileSync(join(dir, f), 'latin1');
    return { code, out, files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('sessions, downloads and never-sent operations against the simulator', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSimulator({ nodes: 1, users: { admin: { username: 'admin', password: PASSWORD } } });
  });
  afterAll(async () => {
    await sim.close();
  });

  for (const allowWrites of [false, true]) {
    it(`${allowWrites ? 'an --allow-writes' : 'a read-only'} run sends no never-send operation, lists each, and keeps no audit-trail byte`, async () => {
      expect(neverSend.length).toBeGreaterThan(0);
      const node = sim.nodes[0]!;
      const before = node.stats.requests;
      const run = await runCli(sim, allowWrites ? ['--allow-writes'] : []);
      expect(node.stats.requests).toBeGreaterThan(before);
      // The simulator counts every request to an x-sps-never-send operation.
      expect(node.stats.neverSend).toEqual({});
      const report = JSON.parse(run.files['report.json']!) as { results: CheckResult[] };
      for (const op of neverSend) {
        const row = report.results.find((r) => r.operationId === op.operationId && r.message.startsWith('never sent: '));
        expect(row, op.operationId).toBeDefined();
        expect(row!.message).toBe(`never sent: ${op.neverSend}`);
        expect(row!.outcome).toBe('skipped');
        for (const f of ['junit.xml', 'report.html']) expect(run.files[f], `${f} lists ${op.operationId}`).toContain(op.operationId);
      }
      // The audit trail was downloaded (a 200 octet-stream was checked), yet no byte of it is in any report.
      const trail = report.results.find((r) => r.operationId === 'downloadAuditTrail' && r.check === 'content_type' && r.outcome === 'passed');
      expect(trail?.message).toMatch(/^200: application\/octet-stream \(4096 bytes, sha256 [0-9a-f]{64}\)$/);
      for (const [name, text] of Object.entries(run.files)) expect(text.includes(AUDIT_TRAIL_MARKER), name).toBe(false);
      expect(run.out.includes(AUDIT_TRAIL_MARKER)).toBe(false);
      expect(run.out).not.toContain(PASSWORD);
      // The areas of part 3 pass, and the pagination check ran its page sequence.
      const failed = report.results.filter((r) => r.outcome === 'failed' && part3.has(r.operationId));
      expect(failed.map((r) => `${r.check} ${r.path}: ${r.message}`)).toEqual([]);
      const pages = report.results.filter((r) => r.check === 'pagination' && r.operationId === 'searchSessions' && r.outcome === 'passed');
      expect(pages.map((r) => r.path)).toEqual(
        expect.arrayContaining(['/api/audit/sessions?limit=2&offset=0', '/api/audit/sessions?limit=2&offset=1', '/api/audit/sessions?limit=not-a-number']),
      );
    }, 180_000);
  }

  it('discover abandons the audit trail unread (not JSON)', async () => {
    const http = createCrawlHttp({ insecure: true, timeoutMs: 10_000, userAgent: 'test' });
    try {
      const node = sim.nodes[0]!;
      const login = await http.get(`${node.url}/api/authentication`, { authorization: `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}` });
      const cookie = login.setCookies.map((c) => c.split(';')[0]).join('; ');
      const key = sessionsOf(node.nodeId)[0]!.key;
      const res = await http.get(`${node.url}/api/audit/sessions/${key}/audit_trail`, { cookie });
      expect(res.status).toBe(200);
      expect(res.bodySkipped).toBe('not-json');
      expect(res.json).toBeUndefined();
    } finally {
      await http.close();
    }
  });
});

describe('each broken-pagination switch fails the pagination check, naming the endpoint', () => {
  for (const broken of ['ignore-limit', 'wrong-match-count'] as const) {
    it(broken, async () => {
      const sim = await startSimulator({ nodes: 1, users: { admin: { username: 'admin', password: PASSWORD } }, behaviour: { brokenPagination: broken } });
      try {
        const report = await runConformance({ urls: [sim.nodes[0]!.url], username: 'admin', password: PASSWORD, caFile: sim.caFile!, only: ['pagination'] });
        const failed = report.results.filter((r) => r.check === 'pagination' && r.outcome === 'failed');
        expect(failed.length).toBeGreaterThan(0);
        expect(failed.some((r) => r.operationId === 'searchSessions' && r.path.startsWith('/api/audit/sessions'))).toBe(true);
        const expected = broken === 'ignore-limit' ? /items on a page of limit 2|more than its meta.limit/ : /match_count does not agree across pages/;
        expect(failed.map((r) => r.message).join('\n')).toMatch(expected);
        expect(sim.nodes[0]!.stats.neverSend).toEqual({});
      } finally {
        await sim.close();
      }
    }, 120_000);
  }
});
