/**
 * `npm run docs` output hygiene: Redocly's boxed notices (the Node 20 end-of-life banner, the
 * "now renders with Redoc 3" notice) are dropped, real messages are kept, and a failed build
 * says what failed without the banners. The page itself is checked in browser.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDocs, filterRedoclyOutput } from '../../scripts/docs.js';

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
  it('fails with Redocly\'s reason, without the banners, when the spec cannot be read', async () => {
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
