/**
 * The command line: flags, exit codes, one-line reasons for exit 2, and no secret in any
 * output or report.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { ownLines, readReports, runCli, tempDir } from './helpers/cli.js';
import { FIXTURE_SPEC, startBreakableSps, type BreakableSps } from './helpers/breakable-sps.js';
import { refusedUrl } from '../helpers/servers.js';

const PLANTED = 'Pl4nted-Zebra-Secret-8813!';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

let sps: BreakableSps | undefined;
afterEach(async () => {
  await sps?.close();
  sps = undefined;
});

function expectOneLineReason(stderr: string, pattern: RegExp): void {
  const lines = ownLines(stderr);
  expect(lines[0]).toMatch(/^sps-conformance: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(stderr).not.toContain('internal error');
}

describe('usage', () => {
  it('--help lists every flag and the exit codes', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--url',
      '--username',
      '--password-file',
      '--ca',
      '--insecure',
      '--timeout',
      '--concurrency',
      '--only',
      '--skip',
      '--strict',
      '--allow-writes',
      '--report-dir',
      '--help',
    ]) {
      expect(run.stdout).toContain(flag);
    }
    expect(run.stdout).toContain('SPS_PASSWORD');
    expect(run.stdout).toMatch(/Checks \(passes when[^\n]*\n {2}status_code {2}[^\n]+\n( {2}[a-z_]+ {2}[^\n]+\n)* {2}write_roundtrip {2}/);
    expect(run.stdout).toMatch(/Exit codes: 0 conformant, 1 violations found, 2 could not run/);
  });

  it.each([
    [['--password', PLANTED], /--password is not accepted/],
    [[`--password=${PLANTED}`], /--password is not accepted/],
    [[`--pasword=${PLANTED}`], /unknown option '--pasword=…'/],
    [['--timeout-ms', 'soon'], /--timeout-ms must be a positive integer/],
    [['--url', 'http://127.0.0.1:9'], /needs --username/],
    [['--only', 'NoSuchTag', '--spec', FIXTURE_SPEC], /--only "NoSuchTag" is not a tag, an operationId or a check name/],
    [['--allow-writes', '--spec', FIXTURE_SPEC], /--allow-writes needs --url/],
  ])('%j -> exit 2 with a one-line reason', async (args, reason) => {
    const out = new Sink();
    const err = new Sink();
    const code = await main(args as string[], { env: {}, stdout: out, stderr: err });
    expect(code).toBe(2);
    expectOneLineReason(err.text, reason as RegExp);
    expect(err.text.trim().split('\n')).toHaveLength(1);
    expect(out.text + err.text).not.toContain(PLANTED);
  });

  it('refuses --password in the real process too, without echoing it', async () => {
    const run = await runCli(['--password', PLANTED]);
    expect(run.code).toBe(2);
    expectOneLineReason(run.stderr, /--password is not accepted/);
    expect(run.stdout + run.stderr).not.toContain(PLANTED);
  });
});

describe('could not run', () => {
  it('an unreachable host -> exit 2 naming the node', async () => {
    const url = await refusedUrl();
    const run = await runCli(['--url', url, '--username', 'admin', '--spec', FIXTURE_SPEC, '--report-dir', tempDir()], { env: { SPS_PASSWORD: PLANTED } });
    expect(run.code).toBe(2);
    expectOneLineReason(run.stderr, new RegExp(`could not run: node ${new URL(url).host}: unreachable: connection failed \\(ECONNREFUSED\\)`));
    expect(run.stdout + run.stderr).not.toContain(PLANTED);
  });

  it('a wrong password -> exit 2, and the password given appears nowhere', async () => {
    sps = await startBreakableSps();
    const dir = tempDir();
    const run = await runCli(['--url', sps.url, '--username', 'admin', '--spec', FIXTURE_SPEC, '--report-dir', dir], { env: { SPS_PASSWORD: PLANTED } });
    expect(run.code).toBe(2);
    expectOneLineReason(
      run.stderr,
      /could not run: node 127\.0\.0\.1:\d+: wrong credentials: GET \/api\/authentication answered 401 application\/json AuthenticationFailure/,
    );
    const outputs = [run.stdout, run.stderr, ...Object.values(readReports(dir))].join('\n');
    expect(outputs).not.toContain(PLANTED);
    expect(outputs).not.toContain(Buffer.from(`admin:${PLANTED}`).toString('base64'));
  });
});

describe('secrets', () => {
  it('a planted password and the session ids never appear in stdout, stderr or a report', async () => {
    sps = await startBreakableSps({ password: PLANTED, breaks: ['extra-property'] });
    const dir = tempDir();
    const pwFile = join(dir, 'password.txt');
    writeFileSync(pwFile, `${PLANTED}\n`);
    const env = { SPS_URL: sps.url, SPS_USERNAME: 'admin', SPS_PASSWORD: PLANTED };
    const first = await runCli(['--spec', FIXTURE_SPEC, '--allow-writes', '--strict', '--report-dir', join(dir, 'a')], { env });
    const second = await runCli(['--url', sps.url, '--username', 'admin', '--password-file', pwFile, '--spec', FIXTURE_SPEC, '--report-dir', join(dir, 'b')]);
    expect(first.code).toBe(1); // --strict turns the undocumented property into a failure, so failure messages are printed too
    expect(second.code).toBe(0);
    expect(sps.logins).toBe(2);
    const sessions = sps.sessionIds();
    expect(sessions).toHaveLength(2);
    const outputs = [
      first.stdout,
      first.stderr,
      second.stdout,
      second.stderr,
      ...Object.values(readReports(join(dir, 'a'))),
      ...Object.values(readReports(join(dir, 'b'))),
    ].join('\n');
    expect(outputs).toContain('Not conformant'); // the outputs are really there
    expect(outputs).toContain('-u "admin:$SPS_PASSWORD" -c sps-cookies.txt'); // reproductions log in into a cookie jar, the password a placeholder
    expect(outputs).not.toContain('$SPS_SESSION_ID'); // no session id the user could not get
    for (const secret of [PLANTED, Buffer.from(`admin:${PLANTED}`).toString('base64'), encodeURIComponent(PLANTED), ...sessions]) {
      expect(outputs).not.toContain(secret);
    }
    expect(outputs).not.toMatch(/authorization: basic [a-z0-9+/=]{8,}/i);
  }, 60_000);
});
