/**
 * Redaction that cannot corrupt output (issue 9): secrets are replaced in the report's values
 * before rendering, so whatever the password is, report.json parses, junit.xml and report.html
 * keep their markup (the CSS included), and the password does not appear.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';
import { readReports, runCli, tempDir, type CliRun } from './helpers/cli.js';

const USER = 'admin';
const dirs: string[] = [];

async function runWithPassword(password: string): Promise<{ run: CliRun; files: Record<string, string> }> {
  const sim: SimulatorHandle = await startSimulator({ nodes: 1, users: { admin: { username: USER, password } } });
  const dir = tempDir('sps-redaction-');
  dirs.push(dir);
  try {
    const run = await runCli(['--url', sim.nodes[0]!.url, '--username', USER, '--ca', sim.caFile!, '--report-dir', dir], {
      env: { SPS_PASSWORD: password },
    });
    return { run, files: readReports(dir) };
  } finally {
    await sim.close();
  }
}

const styleOf = (html: string): string => /<style>[\s\S]*?<\/style>/.exec(html)?.[0] ?? '';

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('reports stay valid whatever the password is', () => {
  let reference: Awaited<ReturnType<typeof runWithPassword>>;

  it('a long password: the reference run', async () => {
    reference = await runWithPassword('a-long-and-unremarkable-reference-password');
    expect(reference.run.code, reference.run.stderr).toBe(0);
    expect(styleOf(reference.files['report.html']!)).toMatch(/^<style>[\s\S]{200,}<\/style>$/);
  }, 60_000);

  const cases: Array<[string, string]> = [
    ['a one-character password', 'e'],
    ['a one-character markup password', '<'],
    ['a password with markup characters', `p<&"'w`],
    ['a password equal to the user name', USER],
  ];
  for (const [name, password] of cases) {
    it(name, async () => {
      const { run, files } = await runWithPassword(password);
      expect(run.code, run.stderr.slice(-2000)).toBe(0);
      const json = JSON.parse(files['report.json']!) as { results: unknown[]; summary: { failed: number } };
      expect(json.summary.failed).toBe(0);
      expect(json.results.length).toBe((JSON.parse(reference.files['report.json']!) as { results: unknown[] }).results.length);

      const html = files['report.html']!;
      expect(styleOf(html)).toBe(styleOf(reference.files['report.html']!));
      const junit = files['junit.xml']!;
      expect((junit.match(/<testcase /g) ?? []).length).toBe(json.results.length);
      for (const text of [html, junit]) {
        // A placeholder is text, so it is escaped like any value; a raw one would be a bogus tag.
        expect(text).not.toMatch(/<(password|username|redacted)>/);
      }
      if (password.length > 1) {
        for (const text of [run.stdout, run.stderr, ...Object.values(files)]) {
          expect(text).not.toContain(password);
          expect(text).not.toContain('p&lt;&amp;');
        }
      } else {
        // A one-character password is replaced only where it stands alone: words keep their letters.
        expect(run.stdout).toMatch(/Conformant: \d+ passed/);
        expect(html).toContain('response_schema');
      }
    }, 60_000);
  }
});
