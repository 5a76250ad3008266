/**
 * The runner's mock (src/conformance/mock/server.ts) answers exactly what `prism mock` answers:
 * a mock run on the bundled spec goes through a comparing proxy that sends every request to
 * both and compares status, headers and body; plus requests no operation of the spec matches,
 * a templated path next to a concrete one, and a dynamic answer (faker, loaded on first use).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrism, type PrismHandle } from '../../src/conformance/prism.js';
import { runConformance } from '../../src/conformance/runner.js';
import { tempDir } from './helpers/cli.js';

const BUNDLED = new URL('../../generated/sps-api.json', import.meta.url).pathname;
/** Headers that differ between any two servers (time, connection handling). */
const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function ask(base: string, method: string, url: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Answer> {
  const res = await fetch(`${base}${url}`, { method, headers, ...(body && body.length > 0 ? { body } : {}) });
  const out: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (!VOLATILE.has(k)) out[k] = v;
  });
  return { status: res.status, headers: out, body: await res.text() };
}

/** A proxy that sends each request to `a` and `b`, answers with `a`'s answer and notes every difference. */
async function comparingProxy(
  a: string,
  b: string,
): Promise<{ url: string; compared: () => number; differences: string[]; answers: Answer[]; close(): Promise<void> }> {
  const differences: string[] = [];
  const answers: Answer[] = [];
  let compared = 0;
  const read = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res(Buffer.concat(chunks)));
    });
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const body = await read(req);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length'].includes(k)) headers[k] = v;
        const [x, y] = await Promise.all([ask(a, req.method!, req.url!, headers, body), ask(b, req.method!, req.url!, headers, body)]);
        compared++;
        answers.push(x);
        const where = `${req.method} ${req.url} (prefer: ${headers.prefer ?? '-'}, cookie: ${headers.cookie ? 'yes' : 'no'})`;
        if (x.status !== y.status) differences.push(`${where}: status ${x.status} vs ${y.status}`);
        if (JSON.stringify(x.headers) !== JSON.stringify(y.headers))
          differences.push(`${where}: headers ${JSON.stringify(x.headers)} vs ${JSON.stringify(y.headers)}`);
        if (x.body !== y.body) differences.push(`${where}: body ${x.body.slice(0, 200)} vs ${y.body.slice(0, 200)}`);
        res.writeHead(x.status, x.headers);
        res.end(x.body);
      } catch (err) {
        differences.push(`${req.method} ${req.url}: ${(err as Error).message}`);
        res.writeHead(599);
        res.end();
      }
    })();
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, compared: () => compared, differences, answers, close: () => new Promise((res) => server.close(() => res())) };
}

describe('the runner mock answers like prism mock', () => {
  let ours: PrismHandle;
  let prism: PrismHandle;
  beforeAll(async () => {
    [ours, prism] = await Promise.all([startPrism(BUNDLED), startPrism(BUNDLED, { engine: 'prism-cli' })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([ours?.close(), prism?.close()]);
  });

  it('gives the same answer to every request of a mock run on the bundled spec', async () => {
    const proxy = await comparingProxy(ours.url, prism.url);
    try {
      const report = await runConformance({ specFile: BUNDLED, mockUrl: proxy.url });
      expect(report.exitCode).toBe(0);
      expect(report.coverage.percent).toBe(100);
      // Every request of the run was compared: the documented statuses and examples, and the
      // requests without a session cookie.
      expect(proxy.compared()).toBe(report.targets[0]!.requests);
      expect(proxy.compared()).toBeGreaterThan(report.coverage.total);
      expect(proxy.differences).toEqual([]);
      // The probes without a cookie were answered by Prism's security check.
      const unauthorised = proxy.answers.filter((a) => a.status === 401 && a.headers['sl-violations']?.includes('Invalid security scheme used'));
      expect(unauthorised.length).toBeGreaterThan(10);
    } finally {
      await proxy.close();
    }
  }, 120_000);

  it('gives the same answer where no operation or no method matches, and for bad Prefer headers', async () => {
    const proxy = await comparingProxy(ours.url, prism.url);
    try {
      const cookie = { cookie: 'session_id=x', accept: 'application/json' };
      const cases: Array<[string, string, Record<string, string>]> = [
        ['GET', '/api/no/such/path', cookie],
        ['GET', '/nothing', cookie],
        ['PATCH', '/api/configuration/datetime', cookie],
        ['DELETE', '/api/authentication', {}],
        ['GET', '/api/configuration/datetime', { ...cookie, prefer: 'code=299' }],
        ['GET', '/api/configuration/datetime', { ...cookie, prefer: 'code=abc' }],
        ['GET', '/api/configuration/datetime', { ...cookie, prefer: 'code=200, example=no-such-example' }],
        ['GET', '/api/configuration/datetime/', cookie],
        ['GET', '/api/configuration/datetime?x=%zz', cookie],
      ];
      for (const [method, path, headers] of cases) {
        const res = await fetch(`${proxy.url}${path}`, { method, headers });
        await res.arrayBuffer();
      }
      expect(proxy.compared()).toBe(cases.length);
      expect(proxy.differences).toEqual([]);
      expect(proxy.answers.map((a) => a.status)).toContain(404);
      expect(proxy.answers.map((a) => a.status)).toContain(405);
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('the comparison finds a difference: a spec with one example changed', async () => {
    const spec = JSON.parse(readFileSync(BUNDLED, 'utf8')) as Record<string, any>;
    const content = spec.paths['/api/configuration/datetime'].get.responses['200'].content['application/json'];
    const first = Object.keys(content.examples)[0]!;
    content.examples[first] = { value: { changed: true } };
    const file = join(tempDir(), 'changed.json');
    writeFileSync(file, JSON.stringify(spec));
    const changed = await startPrism(file, { engine: 'prism-cli' });
    const proxy = await comparingProxy(ours.url, changed.url);
    try {
      const res = await fetch(`${proxy.url}/api/configuration/datetime`, { headers: { cookie: 'session_id=x', prefer: `code=200, example=${first}` } });
      await res.arrayBuffer();
      // The body differs (and with it the content-length header); nothing else was asked.
      expect(proxy.differences.length).toBeGreaterThan(0);
      expect(proxy.differences.every((d) => d.startsWith('GET /api/configuration/datetime '))).toBe(true);
      expect(proxy.differences.some((d) => /: body \{/.test(d))).toBe(true);
    } finally {
      await proxy.close();
      await changed.close();
    }
  }, 60_000);

  it('prefers a concrete path to a templated one, as Prism does', async () => {
    const spec = {
      openapi: '3.1.0',
      info: { title: 't', version: '1' },
      paths: {
        '/items/{id}': { get: { responses: { '200': { description: 'one', content: { 'application/json': { example: { which: 'templated' } } } } } } },
        '/items/special': { get: { responses: { '200': { description: 'one', content: { 'application/json': { example: { which: 'concrete' } } } } } } },
        '/items/{id}/{sub}': { get: { responses: { '200': { description: 'one', content: { 'application/json': { example: { which: 'two' } } } } } } },
      },
    };
    const file = join(tempDir(), 'routes.json');
    writeFileSync(file, JSON.stringify(spec));
    const [a, b] = await Promise.all([startPrism(file), startPrism(file, { engine: 'prism-cli' })]);
    const proxy = await comparingProxy(a.url, b.url);
    try {
      const bodies: string[] = [];
      for (const p of ['/items/special', '/items/42', '/items/42/7', '/items/', '/items/special/x']) {
        const res = await fetch(`${proxy.url}${p}`);
        bodies.push(await res.text());
      }
      expect(proxy.differences).toEqual([]);
      expect(JSON.parse(bodies[0]!)).toEqual({ which: 'concrete' });
      expect(JSON.parse(bodies[1]!)).toEqual({ which: 'templated' });
      expect(JSON.parse(bodies[2]!)).toEqual({ which: 'two' });
    } finally {
      await proxy.close();
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);

  it('still answers dynamic requests (faker is loaded on first use)', async () => {
    const res = await fetch(`${ours.url}/api/configuration/datetime`, { headers: { cookie: 'session_id=x', prefer: 'code=200, dynamic=true' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(typeof body).toBe('object');
    expect(Object.keys(body).length).toBeGreaterThan(0);
  }, 30_000);
});
