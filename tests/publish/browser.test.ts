/**
 * Opens the two published pages in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core; `npm test` installs it through `pretest` when it is missing) and reads
 * them the way a person would:
 *
 * - the API reference built by `npm run docs` lists every operation of the bundled spec
 *   (summary and method, in the sidebar group of its tag) and renders an operation page;
 * - the conformance `report.html` of a run (the `sps-conformance` CLI, in process) against a
 *   server that breaks the contract in one planted way shows that failed check, visibly, by
 *   name, with the word "failed" (not by colour alone).
 *
 * Both pages are served from a node:http server on 127.0.0.1; every other request the pages
 * make is refused and recorded, so the test also proves the pages need no network.
 * Screenshots go to .tmp/publish-*.png.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDocs } from '../../scripts/docs.js';
import { main as conformanceCli } from '../../src/conformance/cli.js';
import { HTTP_METHODS } from '../../src/shared/index.js';

// The few browser globals that the functions run inside Chromium use (the project's tsconfig
// has no DOM lib; these declarations are local to this module).
interface PageElement {
  innerText: string;
  getBoundingClientRect(): { width: number; height: number; bottom: number };
  querySelector(selector: string): PageElement | null;
}
declare const document: { body: PageElement; querySelectorAll(selector: string): ArrayLike<PageElement> };
declare const window: { innerHeight: number };
declare function getComputedStyle(el: PageElement): { color: string; visibility: string };

const root = fileURLToPath(new URL('../../', import.meta.url));
const CHROMIUM = process.env.SPS_CHROMIUM ?? '/usr/bin/chromium';
/** Flags that keep Chromium off the network (playwright adds --headless and a fresh profile). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type Json = Record<string, any>;
const spec = JSON.parse(readFileSync(join(root, 'generated/sps-api.json'), 'utf8')) as Json;
interface Op {
  operationId: string;
  method: string;
  path: string;
  summary: string;
  tag: string;
}
const operations: Op[] = Object.entries<Json>(spec.paths).flatMap(([path, item]) =>
  HTTP_METHODS.filter((m) => item[m]).map((m) => ({
    operationId: item[m].operationId as string,
    method: m.toUpperCase(),
    path,
    summary: item[m].summary as string,
    tag: (item[m].tags as string[])[0]!,
  })),
);
const tags = [...new Set(operations.map((o) => o.tag))];
/** A page with the whole spec takes a few seconds to open in a busy 2-core machine. */
const PAGE_TEST_TIMEOUT = 90_000;

let siteDir: string;
let server: http.Server;
let baseUrl: string;
let browser: Browser;
/** Requests the pages tried to send anywhere but our server. */
const offsite: string[] = [];

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json', '.png': 'image/png' };

function serve(dir: string): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
    const file = join(dir, rel.endsWith('/') || rel === '' ? join(rel, 'index.html') : rel);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

async function openPage(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    offsite.push(url);
    return route.abort('internetdisconnected');
  });
  await page.goto(`${baseUrl}${path}`, { waitUntil: 'load' });
  return page;
}

/**
 * A target that logs in like SPS but answers the timezone setting with a number where the
 * contract has a string: the planted `response_schema` failure.
 */
function startBrokenTarget(): Promise<http.Server> {
  const s = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const json = (status: number, value: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
    };
    if (path === '/api/authentication') {
      json(
        200,
        { meta: { href: path, parent: '/api', transaction: '/api/transaction' } },
        {
          'set-cookie': 'session_id=0123456789abcdef0123456789abcdef01234567; Path=/; HttpOnly',
        },
      );
    } else if (path === '/api/configuration/datetime/timezone') {
      json(200, { body: 42, key: 'timezone', meta: { href: path, parent: '/api/configuration/datetime' } });
    } else {
      json(404, { error: { type: 'ObjectNotFound', message: 'not found' }, meta: { href: path, parent: '/api' } });
    }
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

async function closeServer(s: http.Server | undefined): Promise<void> {
  if (!s) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}

/** Runs `sps-conformance --only getTimezone` against the broken target into `dir`. */
async function produceFailingReport(dir: string): Promise<{ code: number; output: string }> {
  const target = await startBrokenTarget();
  const chunks: string[] = [];
  const sink = {
    write: (c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    },
  } as unknown as NodeJS.WritableStream;
  try {
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    const code = await conformanceCli(['--url', url, '--username', 'admin', '--only', 'getTimezone', '--report-dir', dir], {
      env: { SPS_PASSWORD: 'not-a-real-password' },
      stdout: sink,
      stderr: sink,
    });
    return { code, output: chunks.join('') };
  } finally {
    await closeServer(target);
  }
}

let failingRun: { code: number; output: string };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run \`sh scripts/ensure-chromium.sh\` (npm test runs it as pretest)`);
  }
  siteDir = mkdtempSync(join(tmpdir(), 'sps-publish-'));
  await buildDocs({ spec: join(root, 'generated/sps-api.yaml'), outDir: join(siteDir, 'docs') });
  failingRun = await produceFailingReport(join(siteDir, 'report'));
  server = await serve(siteDir);
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  mkdirSync(join(root, '.tmp'), { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await closeServer(server);
  if (siteDir) rmSync(siteDir, { recursive: true, force: true });
});

describe('API reference (npm run docs)', () => {
  it(
    'lists every operation of the spec, by summary and method, under its tag',
    async () => {
      const page = await openPage('/docs/');
      try {
        await page
          .getByRole('heading', { name: spec.info.title as string })
          .first()
          .waitFor({ timeout: 20_000 });
        /** operationId (lower case, as in the page's links) -> texts of its visible links */
        const listed = new Map<string, string[]>();
        for (const tag of tags) {
          // The sidebar group of a tag opens when its entry is clicked.
          await page.getByRole('link', { name: tag, exact: true }).first().click();
          const first = operations.find((o) => o.tag === tag)!;
          await page.locator(`a[href$="/${first.operationId.toLowerCase()}"]`).first().waitFor({ state: 'visible' });
          const entries = await page.evaluate(
            `Array.from(document.querySelectorAll('a[href^="#/"]'))
             .filter((a) => a.offsetParent !== null)
             .map((a) => [a.getAttribute('href'), a.innerText.replace(/\\s+/g, ' ').trim()])`,
          );
          for (const [href, text] of entries as [string, string][]) {
            const id = href.split('/').pop()!;
            listed.set(id, [...(listed.get(id) ?? []), text]);
          }
        }
        const missing = operations.filter((o) => {
          const texts = listed.get(o.operationId.toLowerCase()) ?? [];
          return !texts.some((t) => t.includes(o.summary) && t.includes(o.method));
        });
        expect(operations.length).toBeGreaterThan(0);
        expect(missing.map((o) => `${o.method} ${o.path} (${o.operationId}: ${o.summary})`)).toEqual([]);
      } finally {
        await page.close();
      }
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'renders an operation page with its method, path and responses',
    async () => {
      const op = operations.find((o) => o.path.includes('{')) ?? operations[0]!;
      const page = await openPage('/docs/');
      try {
        await page.getByRole('link', { name: op.tag, exact: true }).first().click();
        await page.locator(`a[href$="/${op.operationId.toLowerCase()}"]`).filter({ hasText: op.summary }).first().click();
        await page.getByRole('heading', { name: op.summary }).first().waitFor({ state: 'visible', timeout: 10_000 });
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a reader sees it
        const text = await page.locator('body').innerText();
        expect(text).toContain(op.path);
        const statuses = Object.keys((spec.paths as Json)[op.path][op.method.toLowerCase()].responses as Json);
        for (const status of statuses) expect(text).toContain(status);
        await page.screenshot({ path: join(root, '.tmp/publish-docs.png') });
      } finally {
        await page.close();
      }
    },
    PAGE_TEST_TIMEOUT,
  );
});

describe('conformance report.html', () => {
  it(
    'shows the planted failure as a visible failed check, by name',
    async () => {
      expect(failingRun.code, failingRun.output).toBe(1);
      const page = await openPage('/report/report.html');
      try {
        const failed = page.locator('.failed').filter({ hasText: 'response_schema' }).filter({ hasText: 'getTimezone' }).filter({ visible: true });
        await failed.first().waitFor({ state: 'visible', timeout: 10_000 });
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a reader sees it
        const text = await failed.first().innerText();
        // Not by colour alone: the outcome is written out.
        expect(text.toLowerCase()).toMatch(/\bfail(ed)?\b/);
        expect(text).toContain('/api/configuration/datetime/timezone');
        // The planted failure is drawn differently from body text (the report's error colour).
        const [rowColor, bodyColor] = await failed
          .first()
          .evaluate((el) => [getComputedStyle(el.querySelector('.failed') ?? el).color, getComputedStyle(document.body).color]);
        expect(rowColor).not.toBe(bodyColor);
        await failed.first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(root, '.tmp/publish-report.png') });
      } finally {
        await page.close();
      }
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'gives the number of failed checks at the top, before any scrolling',
    async () => {
      const json = JSON.parse(readFileSync(join(siteDir, 'report', 'report.json'), 'utf8')) as Json;
      const failedCount = json.summary.failed as number;
      expect(failedCount).toBeGreaterThan(0);
      const page = await openPage('/report/report.html');
      try {
        await page.locator('body').waitFor();
        // Short visible texts inside the first screen that give the count and say what it counts.
        const hits = await page.evaluate((n) => {
          const count = new RegExp(`(^|\\D)${n}(\\D|$)`);
          return (
            Array.from(document.querySelectorAll('body *'))
              .filter((el) => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.bottom <= window.innerHeight && getComputedStyle(el).visibility !== 'hidden';
              })
              // biome-ignore lint/performance/useDomNodeTextContent: the rendered text, as a reader sees it
              .map((el) => el.innerText.replace(/\s+/g, ' ').trim())
              .filter((t) => t.length <= 60 && count.test(t) && /fail|violation/i.test(t))
          );
        }, failedCount);
        expect(hits).not.toEqual([]);
        await page.screenshot({ path: join(root, '.tmp/publish-report-top.png') });
      } finally {
        await page.close();
      }
    },
    PAGE_TEST_TIMEOUT,
  );
});

describe('both pages', () => {
  it('needs no network: the only refused request is the optional Redocly logo', () => {
    // Redoc's "API docs by" footer fetches its logo from a CDN and hides it when that fails.
    expect(offsite.filter((u) => !/^https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini(-full)?\.svg$/.test(u))).toEqual([]);
  });
});
