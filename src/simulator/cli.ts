/**
 * `npm run simulator -- --nodes 3 [--http] [--port-base N] [--switch NAME]...`: starts a local SPS
 * simulator and keeps it up until Ctrl-C.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { coerceVersion } from '../model/versions.js';
import { applySwitches, SWITCHES, spelling } from './catalogue.js';
import { DEFAULT_SPS_VERSION, randomPassword, startSimulator, type SimSwitch, type SimulatorHandle, type SimUsers } from './index.js';

interface CliOptions {
  nodes: number;
  http?: boolean;
  portBase?: number;
  transactionSeconds?: number;
  verbose?: boolean;
  beyondContract?: boolean;
  switch: string[];
  /** Deprecated spelling of `--switch` (still accepted, with a deprecation line). */
  behave: string[];
  spsVersion?: string;
  /** `--latency` (seconds, like every duration flag): `--switch latency-ms=<seconds * 1000>`. */
  latency?: number;
  /** Deprecated: `--latency-ms N`, the former spelling of `--latency` (still accepted, with a deprecation line). */
  latencyMs?: number;
}

/**
 * The switches of the command line: `--switch NAME` (repeatable), a switch of the catalogue of
 * broken appliances (catalogue.ts), spelt as in `startSimulator({ switches })`, the `SimSwitch`
 * type and docs/simulator.md; `--latency S` (seconds) is `--switch latency-ms=<S * 1000>`. The old
 * spellings `--behave NAME` and `--latency-ms N` still work, each with a deprecation line.
 */
function switchesOf(opts: Pick<CliOptions, 'switch' | 'behave' | 'latency' | 'latencyMs'>, deprecated: (line: string) => void): SimSwitch[] {
  const latencyMs = opts.latency !== undefined ? Math.round(opts.latency * 1000) : opts.latencyMs;
  const names = [...opts.switch, ...opts.behave, ...(latencyMs !== undefined ? [`latency-ms=${latencyMs}`] : [])];
  if (opts.behave.length > 0) deprecated(`--behave is deprecated: use --switch (the same names): ${opts.behave.map((n) => `--switch ${n}`).join(' ')}`);
  if (opts.latencyMs !== undefined) deprecated(`--latency-ms is now --latency <seconds>: --latency-ms ${opts.latencyMs} is --latency ${opts.latencyMs / 1000}`);
  for (const name of names) {
    const known = SWITCHES.find((s) => s.name === name.split('=')[0]);
    if (!known) throw new InvalidArgumentError(`--switch ${name}: not a switch of the catalogue (${SWITCHES.map(spelling).join(', ')})`);
  }
  try {
    applySwitches(names); // values and combinations, before anything starts
  } catch (err) {
    throw new InvalidArgumentError(`--switch: ${(err as Error).message}`);
  }
  return names as SimSwitch[];
}

function intIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Seconds from `min` to `max`, decimals allowed (`--latency 0.5`). */
function secondsIn(min: number, max: number, what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be a number of seconds from ${min} to ${max}.`);
    }
    return n;
  };
}

interface PasswordSource {
  password: string;
  from: string;
  generated: boolean;
}

function passwordFrom(envName: string): PasswordSource {
  const fromEnv = process.env[envName];
  if (fromEnv !== undefined && fromEnv.length > 0) return { password: fromEnv, from: `from ${envName}`, generated: false };
  return { password: randomPassword(), from: `generated for this run (${envName} is not set)`, generated: true };
}

/** The CLI's users: one per role, each password from its environment variable or generated. */
const ROLE_ENV: ReadonlyArray<readonly [role: 'admin' | 'auditor' | 'operator', env: string]> = [
  ['admin', 'SPS_SIM_ADMIN_PASSWORD'],
  ['auditor', 'SPS_SIM_AUDITOR_PASSWORD'],
  ['operator', 'SPS_SIM_OPERATOR_PASSWORD'],
];

function banner(sim: SimulatorHandle, https: boolean, sources: Record<string, PasswordSource>): string {
  const out: string[] = [];
  out.push(`SPS simulator: ${sim.nodes.length} node(s) over ${https ? 'HTTPS' : 'plain HTTP'} on 127.0.0.1`);
  for (const n of sim.nodes) out.push(`  node ${n.index}  ${n.url}  (node id ${n.nodeId}, cluster address ${n.address})`);
  out.push(sim.caFile ? `CA certificate: ${sim.caFile}` : 'CA certificate: none (plain HTTP)');
  out.push('Users:');
  const generated: string[] = [];
  for (const [role] of ROLE_ENV) {
    const u = sim.users[role];
    const src = sources[role];
    if (!u || !src) continue;
    out.push(`  ${role.padEnd(9)} username "${u.username}", password ${src.from}`);
    if (src.generated) generated.push(`  ${`${role}:`.padEnd(9)} ${src.password}`);
  }
  if (generated.length) {
    out.push('Generated passwords (local sandbox only; shown once, not stored anywhere):');
    out.push(...generated);
  }
  const first = sim.nodes[0];
  if (first) {
    const cacert = sim.caFile ? ` --cacert ${sim.caFile}` : '';
    out.push(`Try: curl${cacert} -u ${sim.users.admin.username} -c cookies.txt ${first.url}/api/authentication`);
  }
  out.push('Press Ctrl-C to stop.');
  return out.join('\n');
}

function spsVersionArg(v: string): string {
  if (coerceVersion(v) === undefined) throw new InvalidArgumentError(`--sps-version ${v}: not an SPS version (e.g. 6.9, 7.4, 7.5.1)`);
  return v;
}

async function main(argv: string[] = process.argv): Promise<void> {
  const program = new Command()
    .name('sps-simulator')
    .description(
      'Local stateful simulator of the One Identity Safeguard for Privileged Sessions (SPS) REST API.\n' +
        'Users: admin (everything), auditor (reads only), operator (no cluster management).\n' +
        'Passwords come from SPS_SIM_ADMIN_PASSWORD, SPS_SIM_AUDITOR_PASSWORD and SPS_SIM_OPERATOR_PASSWORD;\n' +
        'unset ones are generated and printed once.',
    )
    .option('-n, --nodes <count>', 'number of appliances to start', intIn(1, 32, '--nodes'), 1)
    .option('--http', 'serve plain HTTP instead of HTTPS')
    .option('--port-base <port>', 'first port; node i listens on port-base + i - 1 (default: free ports)', intIn(1, 65535, '--port-base'))
    .option('--transaction-seconds <seconds>', 'lifetime of an open transaction', intIn(1, 86400, '--transaction-seconds'))
    .option('--sps-version <version>', `the SPS version the nodes are: serve only what it documents (default ${DEFAULT_SPS_VERSION})`, spsVersionArg)
    .option('--beyond-contract', 'also serve what real nodes serve beyond the contract (GET only; for sps-conformance discover)')
    .option(
      '--switch <name>',
      `misbehave like a broken appliance (repeatable; the catalogue, see docs/simulator.md): ${SWITCHES.map((s) => `${spelling(s)} (${s.summary})`).join('; ')}`,
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--latency <seconds>', 'delay every request by this many seconds, decimals allowed (0.5)', secondsIn(0.001, 600, '--latency'))
    .addOption(
      new Option('--behave <name>', 'deprecated: --switch <name>')
        .hideHelp()
        .argParser((v: string, acc: string[]) => [...acc, v])
        .default([]),
    )
    .addOption(new Option('--latency-ms <ms>', 'deprecated: --latency <seconds>').hideHelp().argParser(intIn(1, 600_000, '--latency-ms')))
    .option('-v, --verbose', 'print one line per request (method, path, status; never bodies or cookies)')
    .showHelpAfterError();
  program.parse(argv);
  const opts = program.opts<CliOptions>();
  if (opts.portBase !== undefined && opts.portBase + opts.nodes - 1 > 65535) {
    program.error('--port-base + --nodes goes past port 65535');
  }

  if (opts.latency !== undefined && opts.latencyMs !== undefined)
    program.error('--latency and --latency-ms exclude each other (--latency-ms is its former spelling)');
  let switches: SimSwitch[] = [];
  try {
    // Validates the names before anything starts.
    switches = switchesOf(opts, (line) => process.stderr.write(`sps-simulator: deprecated: ${line}\n`));
  } catch (err) {
    program.error((err as Error).message);
  }
  const sources = Object.fromEntries(ROLE_ENV.map(([role, env]) => [role, passwordFrom(env)])) as Record<string, PasswordSource>;
  const users: SimUsers = { admin: { username: 'admin', password: sources.admin!.password } };
  for (const [role] of ROLE_ENV) users[role] = { username: role, password: sources[role]!.password };
  const https = !opts.http;
  const sim = await startSimulator({
    nodes: opts.nodes,
    https,
    users,
    ...(opts.portBase !== undefined ? { portBase: opts.portBase } : {}),
    ...(opts.transactionSeconds !== undefined ? { transactionSeconds: opts.transactionSeconds } : {}),
    ...(opts.beyondContract ? { beyondContract: true } : {}),
    ...(opts.spsVersion !== undefined ? { spsVersion: opts.spsVersion } : {}),
    ...(switches.length > 0 ? { switches } : {}),
    ...(opts.verbose ? { onRequestLog: (l: string) => process.stdout.write(`${l}\n`) } : {}),
  });
  process.stdout.write(`SPS version ${opts.spsVersion ?? DEFAULT_SPS_VERSION}: serving what the spec documents for it.\n`);
  process.stdout.write(`${banner(sim, https, sources)}\n`);
  if (switches.length > 0) process.stdout.write(`Misbehaving on purpose: ${switches.join(', ')}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write('Forced exit.\n');
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`\n${signal}: shutting down...\n`);
    sim.close().then(
      () => {
        process.stdout.write('Simulator stopped.\n');
        process.exit(0);
      },
      (e: unknown) => {
        process.stderr.write(`Shutdown failed: ${(e as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  process.stderr.write(`sps-simulator: ${(e as Error).message}\n`);
  process.exit(1);
});
