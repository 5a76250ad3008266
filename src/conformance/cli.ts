#!/usr/bin/env node
/**
 * `sps-conformance`: checks an SPS REST API (or, without --url, a Prism mock of the spec)
 * against the contract. Exit codes (docs/safety.md has the table): 0 conformant, 1 violations
 * found, 2 could not run or incomplete (usage error, unreachable target, TLS failure, wrong
 * credentials, something selected not checked, a failed rollback, stopped by --deadline),
 * 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM (after rolling back any transaction the run opened).
 */
import { realpathSync, writeFileSync } from 'node:fs';
import { shellQuote } from './curl.js';
import { TransactionLedger } from './transaction-ledger.js';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parseCommandLine, positiveInt, positiveNumber, readPasswordFile, timeoutFlag } from '../shared/cli-options.js';
import { discoverMain } from '../discover/cli.js';
import { SecretRegistry } from '../redact.js';
import { baselineFromResults, renderBaseline } from './baseline.js';
import { UsageError } from '../shared/cli-options.js';
import { createProgressPrinter, ensureWritableDir, ensureWritableFile, renderSummary, writeReports } from './report/index.js';
import { DEFAULTS, nodeLock, runConformance, type ConformanceOptions, type ConformanceReport } from './runner.js';
import type { NodeLock } from './report/report.js';
import { checksHelp } from './checks/index.js';
import { loadRolesFile } from './roles.js';

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stderrIsTTY?: boolean;
  /** Aborted on SIGINT/SIGTERM (the reason names the signal). */
  signal?: AbortSignal;
  /** Secrets to redact; main() adds the password and the run adds session ids. */
  secrets?: SecretRegistry;
  /** Every live node client of the run, with its transaction state (the entry point keeps it for a cut-short exit). */
  ledger?: TransactionLedger;
}

/** Time of day as `HH:MM:SS` (local time) of an ISO time. */
function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

/**
 * The final line per node of a live run: rolled back, nothing opened, or where a lock may be
 * held, until when, and the commands that release it now (login, then DELETE /api/transaction;
 * the password from its environment variable, never printed).
 */
export function lockLines(locks: Array<{ node: string; lock: NodeLock | undefined }>): string[] {
  const out: string[] = [];
  for (const { node, lock } of locks) {
    if (!lock) continue;
    if (lock.state === 'nothing opened') out.push(`Lock: ${node}: nothing opened`);
    else if (lock.state === 'rolled back')
      out.push(`Lock: ${node}: rolled back (${lock.opened} transaction${lock.opened === 1 ? '' : 's'} opened, every one rolled back)`);
    else {
      out.push(`Lock: may be held on ${node} until ${clock(lock.until!)} (when SPS cancels the transaction by itself); to release it now:`);
      for (const c of lock.release ?? []) out.push(`    ${c}`);
    }
  }
  return out;
}

/** The final lines from the ledger itself (when the run did not end with a report). */
export function ledgerLockLines(ledger: TransactionLedger): string[] {
  const nodes = [...new Set(ledger.clients.map((c) => c.label))];
  return lockLines(nodes.map((node) => ({ node, lock: nodeLock(ledger, node) })));
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
  (--roles FILE names one password_env variable or password_file per account)

Selectors for --only/--skip: a tag ("Date and time"), an operationId (getTimezone) or a
check name (auth_failure); repeat the flag or separate values with commas.

${checksHelp()}

Documented fact or our reading: a response that breaks only a rule the spec marks as our
reading (x-sps-source kind reading; it passes the vendor-only view of the spec) is a warning
that says "breaks our reading: ..., not a documented fact"; --strict makes it a failure, as
it does for undocumented_properties. The summary counts these readings-only warnings separately.

Known deviations: --baseline FILE (YAML or JSON, { entries: [ { check, operationId or path,
message (regex), node, reason, expires: YYYY-MM-DD } ] }) accepts the failures an entry
matches until it expires: they are reported as "accepted" and do not fail the run. An
expired entry fails again, naming the entry; an entry that matches nothing is a warning
("no longer seen on this appliance: remove it"). --write-baseline FILE writes this run's
failures as a starting baseline (reason to fill in, expiry 90 days out).

Exit codes: 0 conformant, 1 violations found, 2 could not run or incomplete (usage error,
unreachable target, TLS failure, wrong credentials, something selected that could not be
checked, writes asked for but not done, a failed rollback, stopped by --deadline),
129/130/143 stopped by SIGHUP/SIGINT/SIGTERM. However a run stops, requests in flight are
aborted and every node with a transaction of this run gets its rollback (bounded) before the
exit; a signal repeated within a second is the same keypress; a later one exits at once
and names the node that may stay locked. A live run ends with one "Lock:" line per node.

Safety: one login per node per run; writes only with --allow-writes, each setting in its
own transaction that is always rolled back (never committed): a different valid value (a
boolean flipped, another documented value, one list entry added or removed), read back and
found in the change log, or the value just read where no different value is safe (references,
keys, secrets); nothing is written when another session holds the configuration lock;
operations that change cluster membership are never sent. Passwords, session ids, PSKs and Authorization headers
never appear in the output or the reports.
The auth_failure probe logs in once per node as a made-up user name
(sps-conformance-probe-<random hex>) with a random password, never as a real account.
--roles FILE: one login per listed account and node; reads it may use, a GET for each read it
may not use and, only with --allow-writes, the same-value PUT inside its own transaction
(always rolled back) for each write it may not use; passwords only via password_env or
password_file, never in the file.
`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function buildProgram(io: CliIo): Command {
  const program = new Command('sps-conformance')
    .description('Check an SPS REST API, or a Prism mock of the contract, against the OpenAPI contract.')
    .option('--url <url>', 'node to check (repeat once per node); default: start a Prism mock', collect)
    .option('--username <name>', 'user to log in as (or SPS_USERNAME)')
    .option('--password-file <file>', 'file whose first line is the password (or set SPS_PASSWORD)')
    .option('--ca <file>', "PEM CA certificate(s) to trust for the nodes' HTTPS certificates")
    .option('--insecure', 'do not verify TLS certificates (explicit opt-in)')
    .option('--timeout <seconds>', `per-request timeout in seconds (default ${DEFAULTS.timeoutMs / 1000})`, positiveNumber('--timeout'))
    .option('--timeout-ms <ms>', 'deprecated: use --timeout <seconds>', positiveInt('--timeout-ms'))
    .option(
      '--concurrency <n>',
      `requests in flight per node (default ${DEFAULTS.concurrency}; appliances are production systems)`,
      positiveInt('--concurrency'),
    )
    .option('--only <selector>', 'only these tags, operationIds or checks (repeatable, comma separated)', collect)
    .option('--skip <selector>', 'skip these tags, operationIds or checks (repeatable, comma separated)', collect)
    .option('--strict', 'treat undocumented properties (undocumented_properties warnings) and readings-only warnings as failures')
    .option('--roles <file>', 'roles file (YAML or JSON): accounts to check, what each may and may not do (access_control)')
    .option('--allow-writes', 'write each setting (a different valid value) inside a transaction that is always rolled back')
    .option('--deadline <seconds>', 'stop after this many seconds: roll back, report what ran, exit 2', positiveNumber('--deadline'))
    .option('--baseline <file>', 'known deviations (YAML or JSON): matching failures are accepted until their entry expires')
    .option('--write-baseline <file>', "write this run's failures as a starting baseline (reason to fill in, expiry 90 days out)")
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
type ParsedOptions = Pick<ConformanceOptions, 'username' | 'insecure' | 'concurrency' | 'only' | 'skip' | 'strict' | 'allowWrites' | 'mockUrl'> & {
  deadline?: number;
  /** `--timeout` (seconds). */
  timeout?: number;
  /** `--timeout-ms`, the former spelling. */
  timeoutMs?: number;
} & {
  url?: string[];
  passwordFile?: string;
  ca?: string;
  reportDir: string;
  spec?: string;
  roles?: string;
  baseline?: string;
  writeBaseline?: string;
};

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
    return fail(
      '--password is not accepted (a password on the command line ends up in shell history and process lists): set SPS_PASSWORD or use --password-file FILE',
    );
  }
  const program = buildProgram(io);
  const parsed = parseCommandLine<ParsedOptions>(program, argv, fail);
  if ('exit' in parsed) return parsed.exit;
  const opts = parsed.opts;
  const deprecated = (message: string): void => void io.stderr.write(`sps-conformance: deprecated: ${message}\n`);
  let timeoutMs: number | undefined;
  try {
    timeoutMs = timeoutFlag(opts, deprecated);
  } catch (err) {
    return fail((err as Error).message);
  }

  // Checked before the first request: the folders the run writes to at the end.
  try {
    ensureWritableDir(opts.reportDir);
  } catch (err) {
    return fail(`--report-dir ${opts.reportDir}: cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was sent`);
  }
  if (opts.writeBaseline) {
    try {
      ensureWritableFile(opts.writeBaseline);
    } catch (err) {
      return fail(
        `--write-baseline ${opts.writeBaseline}: cannot write it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing was sent`,
      );
    }
  }

  const ledger = io.ledger ?? new TransactionLedger();
  let report: ConformanceReport;
  const printer = createProgressPrinter(io.stderr, io.stderrIsTTY === true);
  try {
    const urls = opts.url ?? (io.env.SPS_URL ? io.env.SPS_URL.split(/[\s,]+/).filter(Boolean) : []);
    const username = opts.username ?? io.env.SPS_USERNAME;
    const password = opts.passwordFile ? readPasswordFile(opts.passwordFile) : io.env.SPS_PASSWORD;
    const roles = opts.roles ? loadRolesFile(opts.roles, io.env) : undefined;
    report = await runConformance({
      urls,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(opts.ca ? { caFile: opts.ca } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.skip ? { skip: opts.skip } : {}),
      strict: opts.strict === true,
      allowWrites: opts.allowWrites === true,
      ...(opts.deadline !== undefined ? { deadlineSeconds: opts.deadline } : {}),
      ...(opts.spec ? { specFile: opts.spec } : {}),
      ...(opts.mockUrl ? { mockUrl: opts.mockUrl } : {}),
      ...(roles ? { roles } : {}),
      ...(opts.baseline ? { baselineFile: opts.baseline } : {}),
      ...(io.signal ? { signal: io.signal } : {}),
      ...(opts.passwordFile ? { passwordPlaceholder: `$(head -n1 ${shellQuote(opts.passwordFile)})` } : {}),
      ledger,
      onProgress: printer.onProgress,
      onDeprecation: deprecated,
      secrets,
    });
  } catch (err) {
    printer.done();
    if (err instanceof UsageError) return fail(err.message);
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    const code = fail(`internal error: ${msg.split('\n')[0]}`);
    // The runner rolled back before it threw: say what is left on each node.
    for (const line of ledgerLockLines(ledger)) io.stderr.write(`${secrets.redact(line)}\n`);
    return code;
  } finally {
    printer.done();
  }

  if (report.fatal) {
    // The reason comes first, on one line; the reports still record what was seen.
    io.stderr.write(`sps-conformance: could not run: ${secrets.redact(report.fatal)}\n`);
  } else {
    // The report comes back from runConformance redacted (once, when the run was over).
    io.stdout.write(renderSummary(report));
  }
  let exitCode = report.exitCode;
  if (opts.writeBaseline && !report.fatal) {
    const written = baselineFromResults(report.results);
    try {
      writeFileSync(opts.writeBaseline, renderBaseline(written, opts.writeBaseline), 'utf8');
      io.stdout.write(
        `Baseline: ${written.entries.length} entr${written.entries.length === 1 ? 'y' : 'ies'} written to ${opts.writeBaseline} (fill in each reason)\n`,
      );
    } catch (err) {
      io.stderr.write(
        `sps-conformance: could not write the baseline ${opts.writeBaseline}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
      );
      if (exitCode === 0) exitCode = 2;
    }
  }
  if (report.aborted) {
    io.stderr.write(
      `sps-conformance: stopped by ${report.aborted}: requests in flight aborted, every transaction this run opened rolled back (see the Lock lines); the reports show what ran (exit ${report.exitCode})\n`,
    );
  }
  try {
    const files = await withTimeout(writeReports(report, opts.reportDir), REPORT_WRITE_BOUND_MS, `no end after ${REPORT_WRITE_BOUND_MS / 1000} s`);
    (report.fatal ? io.stderr : io.stdout).write(`Reports: ${files.join(', ')}\n`);
  } catch (err) {
    io.stderr.write(`sps-conformance: could not write the reports to ${opts.reportDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
    if (exitCode === 0 || exitCode === 1) exitCode = 2;
  }
  // Last: one line per live node about its configuration lock.
  // (A run that could not use any node opened nothing: its one line stays the reason.)
  const held = report.targets.some((t) => t.lock?.state === 'may be held');
  const lines = report.fatal && !held ? [] : lockLines(report.targets.filter((t) => t.kind === 'live').map((t) => ({ node: t.node, lock: t.lock })));
  for (const line of lines) (held ? io.stderr : io.stdout).write(`${secrets.redact(line)}\n`);
  return exitCode;
}

/** The longest the three report files may take to write before the run gives up on them. */
const REPORT_WRITE_BOUND_MS = 60_000;

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
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

/** Signals within this long of the first are the same keypress (relayed by npm, a shell, tsx). */
export const SAME_KEYPRESS_MS = 1_000;
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

if (isEntryPoint()) {
  const controller = new AbortController();
  const secrets = new SecretRegistry();
  const ledger = new TransactionLedger();
  // A closed terminal (SIGHUP) must not turn a write to it into a crash before the rollback.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const say = (line: string): void => void process.stderr.write(`${secrets.redact(line)}\n`);
  let first: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    const now = Date.now();
    if (!first) {
      first = { signal, at: now };
      say(`\nsps-conformance: ${signal} received: stopping, rolling back every transaction this run opened (requests in flight aborted)...`);
      controller.abort(signal);
      return;
    }
    // npm, a shell or tsx passing the terminal's signal on: the same keypress, not a second request.
    if (now - first.at < SAME_KEYPRESS_MS) return;
    const held = ledgerLockLines(ledger).filter((l) => !l.startsWith('Lock: ') || l.startsWith('Lock: may be held'));
    say(`sps-conformance: ${signal} again: exiting without waiting for the rollback${held.length > 0 ? '' : '; no transaction of this run is open'}`);
    for (const line of held) say(line);
    process.exit(SIGNAL_EXIT[first.signal] ?? 130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // An exception outside the run's own error handling takes the same path: stop, roll back, exit 2.
  const onCrash = (reason: unknown): void => {
    const msg = reason instanceof Error ? reason.message : String(reason);
    say(`sps-conformance: internal error: ${msg.split('\n')[0] ?? ''}; stopping and rolling back`);
    if (!controller.signal.aborted) controller.abort('an internal error');
    const timer = setTimeout(() => {
      for (const line of ledgerLockLines(ledger)) say(line);
      process.exit(2);
    }, 15_000);
    timer.unref();
    process.exitCode = 2;
  };
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
  const code = await main(process.argv.slice(2), {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    signal: controller.signal,
    secrets,
    ledger,
  });
  // Flush, then exit: a socket left half-open by a hanging target must not keep the process alive.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
