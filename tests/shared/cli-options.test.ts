/** The helpers both command lines share (src/shared/cli-options.ts, src/shared/html.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { positiveInt, readPasswordFile, safeCommanderMessage, UsageError } from '../../src/shared/cli-options.js';
import { htmlEscape } from '../../src/shared/html.js';

describe('shared command-line helpers', () => {
  it('positiveInt accepts 1.. and names the option otherwise', () => {
    const parse = positiveInt('--max-requests');
    expect(parse('12')).toBe(12);
    for (const bad of ['0', '-1', '1.5', '1e3', '', 'ten'])
      expect(() => parse(bad), bad).toThrow(new InvalidArgumentError('--max-requests must be a positive integer'));
  });

  it('safeCommanderMessage never echoes what followed an option name', () => {
    expect(safeCommanderMessage("error: unknown option '--pasword=hunter2-secret'\n(Did you mean --password-file?)")).toBe("unknown option '--pasword=…'");
  });

  it('readPasswordFile reads the first line, a UsageError (the one class of both CLIs) otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-options-'));
    try {
      const file = join(dir, 'pw');
      writeFileSync(file, 's3cret-line\nsecond\n');
      expect(readPasswordFile(file)).toBe('s3cret-line');
      writeFileSync(file, '\nsecond\n');
      expect(() => readPasswordFile(file)).toThrow(UsageError);
      expect(() => readPasswordFile(join(dir, 'missing'))).toThrow(/cannot read it \(ENOENT\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('htmlEscape escapes the five characters', () => {
    expect(htmlEscape(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});
