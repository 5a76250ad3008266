/**
 * `npm run docs` output hygiene: Redocly's boxed notices (the Node 20 end-of-life banner, the
 * "now renders with Redoc 3" notice) are dropped, real messages are kept, and a failed build
 * says what failed without the banners. The page itself is checked in browser.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { annotateVersions, buildDocs, filterRedoclyOutput, releaseLinesOf } from '../../scripts/docs.js';

const BANNER = `
    ╔═════════════════════════════════════════════════════════════════╗
    ║                                                                 ║
    ║  Deprecation warning: Node.js 20 support is ending              ║
    ║  You are using Node.js v20.20.2.                                ║
    ║                                                                 ║
    ╚═════════════════════════════════════════════════════════════════╝

`;

const tmp = mkdtempSync(join(tmpdir(), 'sps-docs-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('filterRedoclyOutput', () => {
  it('drops boxed notices and progress lines, keeps warnings and errors', () => {
    const text = `npm warn Unknown user config "nodedir". This will stop working.\n${BANNER}Found redocly.yaml and using 'openapi' options\nPrerendering docs\n\n[WARNING] something real\n${BANNER}Error: cannot read spec.yaml\n`;
    // Blank lines between kept messages collapse to one.
    expect(filterRedoclyOutput(text)).toBe('[WARNING] something real\n\nError: cannot read spec.yaml');
  });

  it('leaves output without notices unchanged', () => {
    expect(filterRedoclyOutput('line one\nline two')).toBe('line one\nline two');
  });
});

describe('buildDocs', () => {
  it("fails with Redocly's reason, without the banners, when the spec cannot be read", async () => {
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(broken, 'openapi: 3.1.0\ninfo: [this is not an info object\n');
    const err = await buildDocs({ spec: broken, outDir: join(tmp, 'out') }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/^redocly build-docs failed:/);
    expect(err!.message).not.toMatch(/[╔║╚]|Node\.js 20 support/);
    expect(err!.message.split('\n').length).toBeGreaterThan(1);
  }, 60_000);
});

describe('annotateVersions (each operation shows its SPS versions; the picker)', () => {
  it("starts each operation's description with its x-sps-versions and the introduction with the picker, leaving the input alone", () => {
    const doc = {
      info: { title: 't', version: '1', description: 'Intro.' },
      paths: {
        '/a': { get: { operationId: 'getA', 'x-sps-versions': '>=6.0 <7.0', description: 'Reads A.' } },
        '/b': { put: { operationId: 'putB', 'x-sps-versions': '>=7.0' } },
      },
    };
    const before = JSON.stringify(doc);
    const out = annotateVersions(doc, 'Version: [SPS 6.x](6.x/index.html)');
    expect(out.paths['/a'].get.description).toBe('**SPS versions:** `>=6.0 <7.0`\n\nReads A.');
    expect(out.paths['/b'].put.description).toBe('**SPS versions:** `>=7.0`');
    expect(out.info.description.startsWith('Version: [SPS 6.x](6.x/index.html)\n\nIntro.')).toBe(true);
    expect(JSON.stringify(doc)).toBe(before);
  });

  it('finds a page per release line that generated/ has a bundle for', () => {
    expect(releaseLinesOf()).toEqual(expect.arrayContaining(['6.x', '7.x']));
  });
});
