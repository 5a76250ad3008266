/**
 * The options of a run, validated once: `runConformance` takes {@link ConformanceOptions}
 * (the CLI maps its flags to them) and turns them into {@link RunOptions}, which the plans and
 * each {@link NodeSession} use as they are.
 */
import { readFileSync } from 'node:fs';
import { SecretRegistry } from '../redact.js';
import { readBaseline, type Baseline } from './baseline.js';
import { DEFAULT_SPEC_FILE } from '../model/operations.js';
import { userAgentFor } from '../client/version.js';
import { UsageError } from '../shared/cli-options.js';
import type { ProgressEvent } from './report/report.js';
import type { RoleAccount } from './roles.js';
import { TransactionLedger } from './transaction-ledger.js';

export interface ConformanceOptions {
  /** OpenAPI document (JSON or YAML). Default: the bundled `generated/sps-api.json`. */
  specFile?: string;
  /** One URL per node; none: run against a Prism mock of the spec. */
  urls?: string[];
  /** Against the mock: use this already running `prism mock` of the same spec instead of starting one. */
  mockUrl?: string;
  /** Prism instances to start when no mockUrl is given (default 1, at most one per CPU). */
  mockInstances?: number;
  username?: string;
  password?: string;
  /** PEM file with the CA certificate(s) to trust. */
  caFile?: string;
  /** Skip TLS certificate verification (explicit opt-in). */
  insecure?: boolean;
  /** Per-request timeout in milliseconds (default 10 000; the CLI's `--timeout` takes seconds). */
  timeoutMs?: number;
  /** Requests in flight per node (default 2). */
  concurrency?: number;
  only?: string[];
  skip?: string[];
  /** Drift warnings and readings-only warnings become failures. */
  strict?: boolean;
  allowWrites?: boolean;
  /** `--baseline FILE`: known deviations (YAML or JSON) that are accepted until they expire. */
  baselineFile?: string;
  /**
   * Seconds the run may take: past it the run stops sending, rolls back an open transaction,
   * reports what ran and ends with exit 2 naming the deadline.
   */
  deadlineSeconds?: number;
  /** Aborting (SIGINT/SIGTERM) stops sending, rolls back an open transaction and stops Prism. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /** Told once per former check name used in `only`/`skip` (the CLI prints it on stderr). */
  onDeprecation?: (message: string) => void;
  /** Registry of secrets to redact; the runner adds the password and session ids to it. */
  secrets?: SecretRegistry;
  userAgent?: string;
  /** `--roles FILE`, loaded (`loadRolesFile`): the accounts `access_control` checks; their passwords are redacted like the main one. */
  roles?: RoleAccount[];
  /**
   * Where every live node client of the run is registered with the state of its transaction:
   * the CLI passes its own so that a deliberate second signal can still say which node may be
   * locked. Default: a new one per run.
   */
  ledger?: TransactionLedger;
  /** How printed commands show the password (default `$SPS_PASSWORD`; the CLI gives `$(head -n1 FILE)` for --password-file). */
  passwordPlaceholder?: string;
}

export const DEFAULTS = { timeoutMs: 10_000, concurrency: 2, userAgent: userAgentFor('sps-conformance') } as const;

/**
 * The validated options: what every part of a run reads, built once by {@link validateOptions}
 * and never changed after (readonly, frozen). The names are those of {@link ConformanceOptions}
 * where the value is the same; what validation derives has a name of its own (`live`, `ca`,
 * `baseline`). The run's own abort signal (the caller's joined with `--deadline`) is the
 * runner's, not an option.
 */
export interface RunOptions {
  readonly specFile: string;
  /** Normalised base URLs, one per node; empty: the mock. */
  readonly urls: readonly string[];
  readonly live: boolean;
  readonly mockUrl?: string;
  readonly mockInstances: number;
  readonly username?: string;
  readonly password?: string;
  readonly caFile?: string;
  /** The contents of `caFile`, read and checked once. */
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly only: readonly string[];
  readonly skip: readonly string[];
  readonly strict: boolean;
  readonly allowWrites: boolean;
  /** The validated `--baseline` file (`baselineFile`). */
  readonly baseline?: Baseline;
  readonly deadlineSeconds?: number;
  /** The caller's signal (SIGINT/SIGTERM); the runner joins it with the deadline. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly onDeprecation?: (message: string) => void;
  /** Where secrets are registered during the run; the finished report is redacted with it once. */
  readonly secrets: SecretRegistry;
  readonly userAgent: string;
  /** The roles-file accounts (empty: no `--roles`). */
  readonly roles: readonly RoleAccount[];
  readonly ledger: TransactionLedger;
  readonly passwordPlaceholder?: string;
}

/** Normalises a target URL to an origin plus base path, without the trailing `/api`. */
export function normaliseBaseUrl(raw: string, flag = '--url'): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not a URL (expected https://host[:port])`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new UsageError(`${flag} ${raw}: only http and https are supported`);
  if (u.username || u.password) throw new UsageError(`${flag} must not carry credentials; use --username and SPS_PASSWORD or --password-file`);
  const path = u.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  return `${u.protocol}//${u.host}${path}`;
}

/** Checks every option once; throws {@link UsageError} with the one-line reason. */
export function validateOptions(options: ConformanceOptions): RunOptions {
  const secrets = options.secrets ?? new SecretRegistry();
  if (options.password !== undefined && options.username !== undefined) secrets.addBasicCredentials(options.username, options.password, 'password');
  else secrets.add(options.password, 'password');
  const roles = options.roles ?? [];
  for (const r of roles) secrets.addBasicCredentials(r.name, r.password, 'password');
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError('timeoutMs must be a positive whole number of milliseconds (the flag: --timeout SECONDS)');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 16) throw new UsageError('--concurrency must be an integer from 1 to 16');
  const deadline = options.deadlineSeconds;
  if (deadline !== undefined && !(Number.isFinite(deadline) && deadline > 0)) throw new UsageError('--deadline must be a positive number of seconds');
  const urls = (options.urls ?? []).map((u) => normaliseBaseUrl(u));
  const live = urls.length > 0;
  if (live && !options.username) throw new UsageError('a live run needs --username (or SPS_USERNAME)');
  if (live && (options.password === undefined || options.password === '')) {
    throw new UsageError('a live run needs a password: set SPS_PASSWORD or pass --password-file FILE');
  }
  if (!live && options.allowWrites) throw new UsageError('--allow-writes needs --url: the mock keeps no state to write to');
  if (!live && roles.length > 0) throw new UsageError('--roles needs --url: the mock has no accounts');
  if (options.insecure && options.caFile) throw new UsageError('--ca and --insecure exclude each other');
  if (!live && (options.caFile || options.insecure)) throw new UsageError('--ca and --insecure need --url (the mock is plain HTTP on loopback)');
  if (live && options.mockUrl) throw new UsageError('--mock-url and --url exclude each other');
  const mockUrl = options.mockUrl !== undefined ? normaliseBaseUrl(options.mockUrl, '--mock-url') : undefined;
  let ca: Buffer | undefined;
  if (options.caFile) {
    try {
      ca = readFileSync(options.caFile);
    } catch (err) {
      throw new UsageError(`--ca ${options.caFile}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!ca.toString('latin1').includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(
        `--ca ${options.caFile} is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----" line); a DER (binary) certificate converts with: openssl x509 -inform der -in ${options.caFile} -out ca.pem`,
      );
    }
  }
  const baseline = options.baselineFile !== undefined ? readBaseline(options.baselineFile, options.onDeprecation) : undefined;
  const validated: RunOptions = {
    specFile: options.specFile ?? DEFAULT_SPEC_FILE,
    urls: Object.freeze(urls),
    live,
    ...(mockUrl ? { mockUrl } : {}),
    mockInstances: options.mockInstances ?? 1,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    ...(ca ? { ca } : {}),
    insecure: options.insecure === true,
    timeoutMs,
    concurrency,
    only: Object.freeze([...(options.only ?? [])]),
    skip: Object.freeze([...(options.skip ?? [])]),
    strict: options.strict === true,
    allowWrites: options.allowWrites === true,
    ...(baseline ? { baseline } : {}),
    ...(deadline !== undefined ? { deadlineSeconds: deadline } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onDeprecation ? { onDeprecation: options.onDeprecation } : {}),
    secrets,
    userAgent: options.userAgent ?? DEFAULTS.userAgent,
    roles: Object.freeze([...roles]),
    ledger: options.ledger ?? new TransactionLedger(),
    ...(options.passwordPlaceholder ? { passwordPlaceholder: options.passwordPlaceholder } : {}),
  };
  return Object.freeze(validated);
}
