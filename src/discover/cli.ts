/**
 * `sps-conformance discover`: a read-only crawl of live SPS nodes that reports what they serve
 * and what of it the contract covers, and writes draft path files for the rest. The main CLI
 * calls {@link discoverMain} with the arguments after `discover`. Exit codes: 0 crawl complete
 * (also with uncovered endpoints, unless --fail-on-uncovered: then 1), 2 usage error, dead
 * node or failed login (the reports still record what was found), 130/143 stopped by a signal.
 */
import { Command, Option } from 'commander';
import { parseCommandLine, positiveInt, positiveNumber, readPasswordFile, timeoutFlag, UsageError } from '../shared/cli-options.js';
import { SecretRegistry } from '../redact.js';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDrafts, writeDrafts } from './drafts.js';
import { renderConsole, writeDiscoveryReports } from './report.js';
import { DISCOVER_DEFAULTS, runDiscovery } from './run.js';

export interface DiscoverIo {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal?: AbortSignal;
  secrets?: SecretRegistry;
}

const HELP_AFTER = `
Crawls each node read-only from /api: one login per node, GET only, following the items of
directories and the links in meta; collections of objects by id are sampled (a few items
each); non-JSON bodies (downloads) are never read. Reports go to DIR/discovery.json and
DIR/discovery.html; with --draft-dir, a draft path file for each endpoint outside the
contract (never written into openapi/: see the README, "Discovering the live API").

Environment:
  SPS_USERNAME   user name, when no --username is given
  SPS_PASSWORD   password (there is deliberately no --password flag)

Exit codes: 0 crawl complete (uncovered endpoints are reported, not failed, unless
--fail-on-uncovered: then 1), 2 usage error, unreachable or dead node, failed login (the
reports still hold what was found), 130/143 stopped by SIGINT/SIGTERM.
`;

/** Where `discover` writes discovery.json and discovery.html unless --report-dir says otherwise. */
export const DISCOVERY_REPORT_DIR = './discovery-report';

interface Parsed {
  url?: string[];
  username?: string;
  passwordFile?: string;
  ca?: string;
  insecure?: boolean;
  reportDir: string;
  draftDir?: string;
  maxRequests?: number;
  concurrency?: number;
  /** `--timeout` (seconds). */
  timeout?: number;
  /** `--timeout-ms`, the former spelling. */
  timeoutMs?: number;
  sample?: number;
  failOnUncovered?: boolean;
  spec?: string;
}

/** Runs `discover`; returns the exit code. Never throws. */
/** Whether `dir` is the project's `openapi/` folder or inside it (symbolic links resolved where they exist). */
export function insideSpecTree(dir: string): boolean {
  const real = (p: string): string => {
    let cur = resolve(p);
    const rest: string[] = [];
    while (!existsSync(cur) && dirname(cur) !== cur) {
      rest.unshift(basename(cur));
      cur = dirname(cur);
    }
    return join(realpathSync(cur), ...rest);
  };
  const specTrees = [fileURLToPath(new URL('../../openapi', import.meta.url)), join(process.cwd(), 'openapi')].map(real);
  const target = real(dir);
  return specTrees.some((tree) => target === tree || target.startsWith(`${tree}${sep}`));
}

export async function discoverMain(argv: string[], io: DiscoverIo): Promise<number> {
  const secrets = io.secrets ?? new SecretRegistry();
  secrets.add(io.env.SPS_PASSWORD, 'password');
  const fail = (reason: string): number => {
    io.stderr.write(`sps-conformance discover: ${secrets.redact(reason)}\n`);
    return 2;
  };
  if (argv.some((a) => a === '--password' || a.startsWith('--password=') || a === '-p')) {
    return fail(
      '--password is not accepted (a password on the command line ends up in shell history and process lists): set SPS_PASSWORD or use --password-file FILE',
    );
  }
  const program = new Command('sps-conformance discover')
    .description('Crawl live SPS nodes read-only and report what they serve that the contract does not cover.')
    .option('--url <url>', 'node to crawl (repeat once per node)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--username <name>', 'user to log in as (or SPS_USERNAME)')
    .option('--password-file <file>', 'file whose first line is the password (or set SPS_PASSWORD)')
    .option('--ca <file>', "PEM CA certificate(s) to trust for the nodes' HTTPS certificates")
    .option('--insecure', 'do not verify TLS certificates (explicit opt-in)')
    .option('--report-dir <dir>', 'where discovery.json and discovery.html go', DISCOVERY_REPORT_DIR)
    .option('--draft-dir <dir>', 'write a draft path file for each endpoint outside the contract here')
    .option('--max-requests <n>', `requests per node at most, the login included (default ${DISCOVER_DEFAULTS.maxRequests})`, positiveInt('--max-requests'))
    .option('--concurrency <n>', `requests in flight per node (default ${DISCOVER_DEFAULTS.concurrency})`, positiveInt('--concurrency'))
    .option('--timeout <seconds>', `per-request timeout in seconds (default ${DISCOVER_DEFAULTS.timeoutMs / 1000})`, positiveNumber('--timeout'))
    .option('--timeout-ms <ms>', 'deprecated: use --timeout <seconds>', positiveInt('--timeout-ms'))
    .option('--sample <n>', `items fetched per collection of objects by id (default ${DISCOVER_DEFAULTS.sampleSize})`, positiveInt('--sample'))
    .option('--fail-on-uncovered', 'exit 1 when an endpoint outside the contract was found')
    .addOption(new Option('--spec <file>', 'OpenAPI document to classify against (default: the bundled spec)'))
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', HELP_AFTER)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: () => undefined })
    .allowExcessArguments(false);
  const parsed = parseCommandLine<Parsed>(program, argv, fail);
  if ('exit' in parsed) return parsed.exit;
  const opts = parsed.opts;

  let password: string | undefined;
  try {
    const urls = opts.url ?? [];
    if (urls.length === 0) throw new UsageError('--url is required (discover crawls live nodes; repeat it once per node)');
    const username = opts.username ?? io.env.SPS_USERNAME;
    if (!username) throw new UsageError('--username (or SPS_USERNAME) is required');
    password = opts.passwordFile ? readPasswordFile(opts.passwordFile) : io.env.SPS_PASSWORD;
    if (!password) throw new UsageError('no password: set SPS_PASSWORD or use --password-file FILE');
    secrets.addBasicCredentials(username, password, 'password');
    if (opts.insecure && opts.ca) throw new UsageError('--ca and --insecure exclude each other');
    const timeoutMs = timeoutFlag(opts, (message) => io.stderr.write(`sps-conformance discover: deprecated: ${message}\n`));
    for (const u of urls) if (!/^https?:\/\/[^/]/i.test(u)) throw new UsageError(`--url ${u}: need an http:// or https:// URL`);
    if (opts.draftDir && insideSpecTree(opts.draftDir)) {
      throw new UsageError(
        `--draft-dir ${opts.draftDir} is inside openapi/: drafts are never written into the spec tree; write them elsewhere and review them before moving anything into openapi/`,
      );
    }

    const run = await runDiscovery({
      urls,
      username,
      password,
      ...(opts.ca ? { caFile: opts.ca } : {}),
      ...(opts.insecure ? { insecure: true } : {}),
      ...(opts.spec ? { specFile: opts.spec } : {}),
      ...(opts.maxRequests ? { maxRequests: opts.maxRequests } : {}),
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(opts.sample ? { sampleSize: opts.sample } : {}),
      failOnUncovered: opts.failOnUncovered === true,
      secrets,
      ...(io.signal ? { signal: io.signal } : {}),
      onProgress: (line) => io.stderr.write(`${secrets.redact(line)}\n`),
    });
    const { report } = run;
    io.stdout.write(secrets.redact(renderConsole(report)));
    let exit = report.exit_code;
    try {
      const files = writeDiscoveryReports(report, opts.reportDir, secrets);
      io.stdout.write(`Reports: ${files.join(', ')}\n`);
    } catch (err) {
      io.stderr.write(
        `sps-conformance discover: could not write the reports to ${opts.reportDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
      );
      exit = 2;
    }
    if (opts.draftDir) {
      const drafts = buildDrafts(report, run.crawls, {
        operationIds: run.spec.operations.map((op) => op.operationId),
        pathTemplates: run.spec.pathTemplates,
      });
      try {
        const files = writeDrafts(drafts, opts.draftDir, secrets);
        io.stdout.write(`Drafts (${files.length}, review before moving into openapi/): ${opts.draftDir}\n`);
      } catch (err) {
        io.stderr.write(
          `sps-conformance discover: could not write the drafts to ${opts.draftDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`,
        );
        exit = 2;
      }
    }
    for (const m of report.messages) io.stderr.write(`sps-conformance discover: ${secrets.redact(m)}\n`);
    if (io.signal?.aborted) return io.signal.reason === 'SIGTERM' ? 143 : 130;
    return exit;
  } catch (err) {
    if (err instanceof UsageError) return fail(err.message);
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return fail(`could not run: ${msg.split('\n')[0]}`);
  }
}
