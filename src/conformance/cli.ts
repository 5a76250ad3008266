#!/usr/bin/env node
/**
 * `sps-conformance`: checks an SPS REST API (or, without --url, a Prism mock of the spec)
 * against the contract. Exit codes: 0 conformant, 1 violations found, 2 could not run
 * (usage error, unreachable target, TLS failure, wrong credentials, or stopped by --deadline),
 * 130/143 stopped by SIGINT/SIGTERM (after rolling back any transaction the run opened).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { discoverMain } from '../discover/cli.js';
import { SecretRegistry } from '../redact.js';
import { UsageError } from './errors.js';
import { createProgressPrinter, renderSummary, writeReports } from './report/index.js';
import { DEFAULTS, runConformance, type ConformanceOptions, type ConformanceReport } from './runner.js';
import { checksHelp } from './checks/index.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stderrIsTTY?: boolean;
  /** Aborted on SIGINT/SIGTERM (the reason names the signal). */
  signal?: AbortSignal;
  /** Secrets to redact; main() adds the password and the run adds session ids. */
  secrets?: SecretRegistry;
}

const HELP_AFTER = `
Without --url the suite runs against a Prism mock of the spec (--spec, default the bundled
one), started on a free loopback port and stopped at the end, or against an already running
\`prism mock\` of the same spec given with --mock-url. With --url it runs against real nodes
(one --url per node): read-only unless --allow-writes.

Commands:
  sps-conformance [options]            check the targets against the contract (this page)
  sps-conformance discover --help      crawl live nodes read-only and report what the
                                       contract does not cover (drafts for the missing parts)

Environment:
  SPS_URL        node URL(s), comma or space separated, when no --url is given
  SPS_USERNAME   user name, when no --username is given
  SPS_PASSWORD   password (there is deliberately no --password flag)

Selectors for --only/--skip: a tag ("Date and time"), an operationId (getTimezone) or a
check name (auth_failure); repeat the flag or separate values with commas.

${checksHelp()}

Exit codes: 0 conformant, 1 violations found, 2 could not run (usage error, unreachable
target, TLS failure, wrong credentials) or stopped by --deadline, 130/143 stopped by
SIGINT/SIGTERM (requests in flight aborted, the rollback sent at once; a second signal
exits at once).

Safety: one login per node per run; writes only with --allow-writes, each setting in its
own transaction that is always rolled back (never committed): a different valid value (a
boolean flipped, another documented value, one list entry added or removed), read back and
found in the change log, or the value just read where no different value is safe (references,
keys, secrets); nothing is written when another session holds the configuration lock;
operations that change cluster membership are never sent. Passwords, session ids, PSKs and Authorization headers
never appear in the output or the reports.
`;

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function positiveNumber(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Never echo what followed an option name: it could be a secret typed in the wrong place. */
function safeCommanderMessage(message: string): string {
  return message
    .replace(/^error:\s*/i, '')
    .replace(/'(-{1,2}[^'=\s]+)=[^']*'/g, "'$1=…'")
    .split('\n')[0]!
    .trim();
}

function buildProgram(io: CliIo): Command {
  const program = new Command('sps-conformance')
    .description('Check an SPS REST API, or a Prism mock of the contract, against the OpenAPI contract.')
    .option('--url <url>', 'node to check (repeat once per node); default: start a Prism mock', collect)
    .option('--username <name>', 'user to log in as (or SPS_USERNAME)')
    .option('--password-file <file>', 'file whose first line is the password (or set SPS_PASSWORD)')
    .option('--ca <file>', 'PEM CA certificate(s) to trust for the nodes\' HTTPS certificates')
    .option('--insecure', 'do not verify TLS certificates (explicit opt-in)')
    .option('--timeout-ms <ms>', `per-request timeout (default ${DEFAULTS.timeoutMs})`, positiveInt('--timeout-ms'))
    .option('--concurrency <n>', `requests in flight per node (default ${DEFAULTS.concurrency}; appliances are production systems)`, positiveInt('--concurrency'))
    .option('--only <selector>', 'only these tags, operationIds or checks (repeatable, comma separated)', collect)
    .option('--skip <selector>', 'skip these tags, operationIds or checks (repeatable, comma separated)', collect)
    .option('--strict', 'treat drift (undocumented properties) as failures')
    .option('--allow-writes', 'write each setting (a different valid value) inside a transaction that is always rolled back')
    .option('--deadline <seconds>', 'stop after this many seconds: roll back, report what ran, exit 2', positiveNumber('--deadline'))
    .option('--report-dir <dir>', 'where junit.xml, report.json and report.html go', './conformance-report')
    .option('--spec <file>', 'OpenAPI document (JSON or YAML) to check against (default: the bundled spec)')
    .option('--mock-url <url>', 'use this already running `prism mock` of the spec instead of starting one (no --url)')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: () => undefined, // errors are reported as one line by main()
    })
    .allowExcessArguments(false);
  return program;
}

/** What commander parses: the flags under their option names where they match. */
type ParsedOptions = Pick<ConformanceOptions, 'username' | 'insecure' | 'timeoutMs' | 'concurrency' | 'only' | 'skip' | 'strict' | 'allowWrites' | 'mockUrl'> & {
  deadline?: number;
} & {
  url?: string[];
  passwordFile?: string;
  ca?: string;
  reportDir: string;
  spec?: string;
};

function readPasswordFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--password-file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const first = text.split(/\r?\n/)[0] ?? '';
  if (first === '') throw new UsageError(`--password-file ${file}: the first line is empty`);
  return first;
}

/** Runs the CLI; returns the exit code. Never throws. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'discover') return discoverMain(argv.slice(1), io);
  const secrets = io.secrets ?? new SecretRegistry();
  secrets.add(io.env.SPS_PASSWORD, 'password');
  const fail = (reason: string): number => {
    io.stderr.write(`sps-conformance: ${secrets.redact(reason)}\n`);
    return 2;
  };
  if (argv.some((a) => a === '--password' || a.startsWith('--password=') || a === '-p')) {
    return fail('--password is not accepted (a password on the command line ends up in shell history and process lists): set SPS_PASSWORD or use --password-file FILE');
  }
  const program = buildProgram(io);
  let opts: ParsedOptions;
  try {
    program.parse(argv, { from: 'user' });
    opts = program.opts<ParsedOptions>();
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      return fail(`${safeCommanderMessage(err.message)} (see --help)`);
    }
    return fail(`usage error: ${(err as Error).message}`);
  }

  let report: ConformanceReport;
  const printer = createProgressPrinter(io.stderr, io.stderrIsTTY === true);
  try {
    const urls = opts.url ?? (io.env.SPS_URL ? io.env.SPS_URL.split(/[\s,]+/).filter(Boolean) : []);
    const username = opts.username ?? io.env.SPS_USERNAME;
    const password = opts.passwordFile ? readPasswordFile(opts.passwordFile) : io.env.SPS_PASSWORD;
    report = await runConformance({
      urls,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(opts.ca ? { caFile: opts.ca } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      strict: opts.strict === true,
      allowWrites: opts.allowWrites === true,
      ...(opts.deadline !== undefined ? { deadlineSeconds: opts.deadline } : {}),
      ...(opts.spec ? { specFile: opts.spec } : {}),
      ...(opts.mockUrl ? { mockUrl: opts.mockUrl } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: printer.onProgress,
      onDeprecation: (message) => io.stderr.write(`sps-conformance: deprecated: ${message}\n`),
      secrets,
    });
  } catch (err) {
    printer.done();
    if (err instanceof UsageError) return fail(err.message);
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return fail(`internal error: ${msg.split('\n')[0]}`);
  } finally {
    printer.done();
  }

  if (report.fatal) {
    // The reason comes first, on one line; the reports still record what was seen.
    io.stderr.write(`sps-conformance: could not run: ${secrets.redact(report.fatal)}\n`);
  } else {
    io.stdout.write(renderSummary(secrets.redactValues(report)));
  }
  if (report.aborted?.includes('--deadline')) {
    io.stderr.write(`sps-conformance: stopped by ${report.aborted}: requests in flight aborted, any transaction this run opened rolled back; the reports show what ran (exit 2)\n`);
  }
  try {
    const files = await writeReports(report, opts.reportDir, secrets);
    (report.fatal ? io.stderr : io.stdout).write(`Reports: ${files.join(', ')}\n`);
  } catch (err) {
    io.stderr.write(`sps-conformance: could not write the reports to ${opts.reportDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    if (report.exitCode === 0) return 2;
  }
  return report.exitCode;
}

function isEntryPoint(): boolean {
  // Set by bin/sps-conformance.js, which loads this module on behalf of the `sps-conformance` bin.
  if ((globalThis as { spsConformanceBin?: boolean }).spsConformanceBin === true) return true;
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const controller = new AbortController();
  const secrets = new SecretRegistry();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nsps-conformance: ${signal} received: stopping, rolling back any transaction this run opened...\n`);
      controller.abort(signal);
    } else {
      process.stderr.write(`sps-conformance: second ${signal}: exiting now; a transaction this run opened may be left open\n`);
      process.exit(signal === 'SIGTERM' ? 143 : 130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('unhandledRejection', (reason) => {
    const msg = reason instanceof Error ? reason.message : String(reason);
    process.stderr.write(`sps-conformance: internal error: ${secrets.redact(msg.split('\n')[0] ?? '')}\n`);
    process.exit(2);
  });
  const code = await main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    signal: controller.signal,
    secrets,
  });
  // Flush, then exit: a socket left half-open by a hanging target must not keep the process alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
