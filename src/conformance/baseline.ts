/**
 * Known deviations (`--baseline FILE`, `--write-baseline FILE`): a committed list of failures
 * that an appliance is known to give, each with a reason and an expiry date. A failure an entry
 * matches becomes `accepted` (it does not fail the run, and every report lists it); once the
 * entry has expired its failures fail again, naming the entry; an entry that matches nothing is
 * a warning ("no longer seen on this appliance: remove it").
 *
 * File (YAML or JSON): `{ entries: [ { check, operationId? | path?, message?, node?, reason,
 * expires: YYYY-MM-DD, ticket?, firstSeen?, lastSeen? } ] }`. Validated with Ajv (exit 2 naming the entry on a problem).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stringify as stringifyYaml } from 'yaml';
import { readYamlOrJsonFile } from '../shared/cli-options.js';
import { matchesTemplate, type SpecModel } from '../model/operations.js';
import { formatErrors } from '../model/validate.js';
import { CHECK_NAMES, FORMER_NAMES } from './checks/index.js';
import { UsageError } from '../shared/cli-options.js';
import type { CheckResult } from './check-api.js';

export interface BaselineEntry {
  check: string;
  operationId?: string;
  /** A concrete request path (`/api/info`) or the operation's path template. */
  path?: string;
  /** A regular expression the failure's message must match. */
  message?: string;
  node?: string;
  reason: string;
  /** The last day (UTC) the entry accepts its failures. */
  expires: string;
  /** An optional ticket reference (an issue key or URL) tracking the deviation. */
  ticket?: string;
  /** The day (UTC) the deviation was first seen (`--write-baseline` keeps it). */
  firstSeen?: string;
  /** The day (UTC) the deviation was last seen (`--write-baseline` sets it to the run's day). */
  lastSeen?: string;
}

export interface Baseline {
  file: string;
  entries: BaselineEntry[];
}

/**
 * One entry after the run: what it did. `stale` ("no longer seen: remove it") only when its
 * check really ran on its operation (on its node, when it names one) and passed there;
 * `not-run` ("not checked in this run") when the check or operation was not selected, or ran
 * without a passing row for it (skipped, not sent, failed differently).
 */
export interface BaselineEntryReport extends BaselineEntry {
  entry: number;
  matched: number;
  status: 'accepted' | 'expired' | 'stale' | 'not-run';
}

export interface BaselineReport {
  file: string;
  entries: BaselineEntryReport[];
}

/** The placeholder `--write-baseline` puts in every reason. */
export const TODO_REASON = 'TODO: why this deviation is accepted';

export const BASELINE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['entries'],
  additionalProperties: false,
  properties: {
    entries: { type: 'array', items: { $ref: '#/$defs/entry' } },
  },
  $defs: {
    entry: {
      type: 'object',
      required: ['check', 'reason', 'expires'],
      additionalProperties: false,
      properties: {
        check: { type: 'string', minLength: 1 },
        operationId: { type: 'string', minLength: 1 },
        path: { type: 'string', pattern: '^/' },
        message: { type: 'string', minLength: 1 },
        node: { type: 'string', minLength: 1 },
        reason: { type: 'string', minLength: 1 },
        expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        ticket: { type: 'string', minLength: 1 },
        firstSeen: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        lastSeen: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
      },
      anyOf: [{ required: ['operationId'] }, { required: ['path'] }],
    },
  },
} as const;

let compiled: ReturnType<Ajv2020['compile']> | undefined;

function describeEntry(raw: unknown, index: number): string {
  const e = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const what = [e.check, e.operationId ?? e.path].filter((v) => typeof v === 'string').join(' ');
  return `entry ${index + 1}${what ? ` (${what})` : ''}`;
}

/** Validates a parsed baseline; throws {@link UsageError} naming the file and the entry. */
export function parseBaseline(doc: unknown, file: string, onDeprecation?: (message: string) => void): Baseline {
  compiled ??= new Ajv2020({ allErrors: true, strict: false }).compile(BASELINE_SCHEMA);
  const bad = (msg: string): never => {
    throw new UsageError(`--baseline ${file}: ${msg}`);
  };
  if (!compiled(doc)) {
    // The errors of the anyOf branches repeat what the anyOf error says ("needs an operationId or a path").
    const errors = (compiled.errors ?? []).filter((e) => !e.schemaPath.includes('/anyOf/'));
    const first = errors.find((e) => /^\/entries\/\d+/.test(e.instancePath)) ?? errors[0];
    const m = first ? /^\/entries\/(\d+)(.*)$/.exec(first.instancePath) : null;
    if (m && first) {
      const index = Number(m[1]);
      const entry = (doc as { entries: unknown[] }).entries[index];
      const detail =
        first.keyword === 'anyOf'
          ? 'needs an operationId or a path'
          : formatErrors([first])[0]!
              .replace(/^\(root\)/, '')
              .replace(/^\/entries\/\d+\/?/, '')
              .replace(/^: /, '');
      bad(`${describeEntry(entry, index)}: ${detail.startsWith('must') ? detail : detail.replace(/^([^:]+): /, '$1 ')}`);
    }
    bad(`not a baseline (${formatErrors(errors.slice(0, 1))[0]}); expected { entries: [ { check, operationId or path, reason, expires } ] }`);
  }
  const entries = (doc as { entries: BaselineEntry[] }).entries.map((e, i) => {
    const name = e.check.trim().toLowerCase();
    const check = FORMER_NAMES.get(name) ?? name;
    if (check !== name)
      onDeprecation?.(
        `--baseline ${file}: ${describeEntry(e, i)}: the check is now named ${check}; the old name still works for now and will be removed in a later release`,
      );
    if (!CHECK_NAMES.includes(check)) bad(`${describeEntry(e, i)}: unknown check "${e.check}" (checks: ${CHECK_NAMES.join(', ')})`);
    const day = new Date(`${e.expires}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== e.expires)
      bad(`${describeEntry(e, i)}: expires ${e.expires} is not a date (YYYY-MM-DD)`);
    if (e.message !== undefined) {
      try {
        new RegExp(e.message);
      } catch (err) {
        bad(`${describeEntry(e, i)}: message is not a regular expression (${(err as Error).message})`);
      }
    }
    return { ...e, check };
  });
  return { file, entries };
}

/** Reads and validates a baseline file (YAML, or JSON for `.json`). */
export function readBaseline(file: string, onDeprecation?: (message: string) => void): Baseline {
  return parseBaseline(readYamlOrJsonFile('--baseline', file), file, onDeprecation);
}

/** The row is about the entry's check, operation (or path) and node, whatever its message. */
function sameScope(entry: BaselineEntry, r: CheckResult, model: SpecModel): boolean {
  if (entry.check !== r.check) return false;
  if (entry.operationId !== undefined && entry.operationId !== r.operationId) return false;
  if (entry.node !== undefined && entry.node !== r.node) return false;
  if (entry.path !== undefined) {
    const path = r.path.split(/[?#]/)[0] ?? r.path;
    const template = model.operation(r.operationId)?.path;
    if (entry.path !== path && entry.path !== template && !matchesTemplate(entry.path, path)) return false;
  }
  return true;
}

function matches(entry: BaselineEntry, r: CheckResult, model: SpecModel): boolean {
  if (entry.check !== r.check) return false;
  if (entry.operationId !== undefined && entry.operationId !== r.operationId) return false;
  if (entry.node !== undefined && entry.node !== r.node) return false;
  if (entry.path !== undefined) {
    const path = r.path.split(/[?#]/)[0] ?? r.path;
    const template = model.operation(r.operationId)?.path;
    if (entry.path !== path && entry.path !== template && !matchesTemplate(entry.path, path)) return false;
  }
  return entry.message === undefined || new RegExp(entry.message).test(r.message);
}

export interface BaselineScope {
  model: SpecModel;
  /** The run's selection: an entry for a check or operation that was not run is `not-run`, not stale. */
  ran(entry: BaselineEntry): boolean;
  /** The run's start day (UTC), `YYYY-MM-DD`. */
  today: string;
}

/**
 * Applies the baseline to the collected rows (in place): matching failures become `accepted`
 * (or stay failed, naming the expired entry); every entry that matched nothing and whose check
 * ran gets a warning row of its own, after all others.
 */
/** A row of the run with its report-order key (report/report.ts `Ranked`); an entry that matches marks its `result`, a stale entry adds a row. */
interface RankedRow {
  result: CheckResult;
  key: number[];
}

export function applyBaseline(ranked: RankedRow[], baseline: Baseline, scope: BaselineScope): BaselineReport {
  const out: BaselineEntryReport[] = baseline.entries.map((e, i) => ({ ...e, entry: i + 1, matched: 0, status: 'accepted' }));
  for (const row of ranked) {
    const r = row.result;
    if (r.outcome !== 'failed') continue;
    const hit = out.find((e) => matches(e, r, scope.model));
    if (!hit) continue;
    hit.matched++;
    const expired = hit.expires < scope.today;
    hit.status = expired ? 'expired' : 'accepted';
    const mark = {
      entry: hit.entry,
      reason: hit.reason,
      expires: hit.expires,
      status: hit.status,
      ...(hit.ticket ? { ticket: hit.ticket } : {}),
      firstSeen: hit.firstSeen ?? scope.today,
      lastSeen: scope.today,
    } as const;
    if (expired) {
      row.result = {
        ...r,
        baseline: mark,
        message: `${r.message} [baseline entry ${hit.entry} expired on ${hit.expires} (${hit.reason}): renew it or fix the deviation]`,
      };
    } else {
      row.result = { ...r, outcome: 'accepted', baseline: mark };
    }
  }
  for (const e of out) {
    if (e.matched > 0) {
      e.firstSeen ??= scope.today;
      e.lastSeen = scope.today;
      continue;
    }
    // Stale only when the check really ran on the entry's operation (and node) and passed there.
    const scoped = ranked.map((row) => row.result).filter((r) => sameScope(e, r, scope.model));
    const proven = scope.ran(e) && scoped.some((r) => r.outcome === 'passed') && !scoped.some((r) => r.outcome === 'failed' || r.outcome === 'accepted');
    if (!proven) {
      e.status = 'not-run';
      continue;
    }
    e.status = 'stale';
    ranked.push({
      key: [1e9, e.entry],
      result: {
        check: e.check,
        operationId: e.operationId ?? '',
        method: e.operationId ? (scope.model.operation(e.operationId)?.method ?? '') : '',
        path: e.path ?? scope.model.operation(e.operationId ?? '')?.path ?? '',
        node: e.node ?? 'baseline',
        outcome: 'warning',
        message: `baseline entry ${e.entry} (${e.reason}${e.ticket ? `, ${e.ticket}` : ''}${e.lastSeen ? `, last seen ${e.lastSeen}` : ''}) matched nothing, and its check passed on its operation: no longer seen on this appliance: remove it`,
        curl: '',
        baseline: {
          entry: e.entry,
          reason: e.reason,
          expires: e.expires,
          status: 'stale',
          ...(e.ticket ? { ticket: e.ticket } : {}),
          ...(e.firstSeen ? { firstSeen: e.firstSeen } : {}),
          ...(e.lastSeen ? { lastSeen: e.lastSeen } : {}),
        },
      },
    });
  }
  return { file: baseline.file, entries: out };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The message as an anchored pattern; a UUID (a made-up id is random per run) matches any UUID. */
function messagePattern(message: string): string {
  return `^${message.split(UUID).map(escapeRegExp).join('[0-9a-f-]{36}')}$`;
}

/** `YYYY-MM-DD`, `days` after `from` (UTC). */
export function dayAfter(from: Date, days: number): string {
  return new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A starting baseline from a run's failures (and the failures it already accepts, with their
 * entry's reason and expiry): one entry per check, operation and message, for every node.
 */
export function baselineFromResults(results: readonly CheckResult[], now: Date = new Date()): { entries: BaselineEntry[] } {
  const today = now.toISOString().slice(0, 10);
  const entries: BaselineEntry[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    if (r.outcome !== 'failed' && r.outcome !== 'accepted') continue;
    if (r.baseline?.status === 'stale') continue;
    const entry: BaselineEntry = {
      check: r.check,
      ...(r.operationId ? { operationId: r.operationId } : { path: r.path.split(/[?#]/)[0] ?? r.path }),
      message: messagePattern(r.message.replace(/ \[baseline entry \d+ expired on [^\]]*\]$/, '')),
      reason: r.outcome === 'accepted' && r.baseline ? r.baseline.reason : TODO_REASON,
      expires: r.outcome === 'accepted' && r.baseline ? r.baseline.expires : dayAfter(now, 90),
      ...(r.baseline?.ticket ? { ticket: r.baseline.ticket } : {}),
      firstSeen: r.baseline?.firstSeen ?? today,
      lastSeen: today,
    };
    const key = `${entry.check}\u0000${entry.operationId ?? entry.path}\u0000${entry.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    entries.push(entry);
  }
  return { entries };
}

/** The text of a baseline file: YAML with a header comment, or JSON for `.json`. */
export function renderBaseline(baseline: { entries: BaselineEntry[] }, file: string): string {
  if (/\.json$/i.test(file)) return `${JSON.stringify(baseline, null, 2)}\n`;
  const header = [
    '# sps-conformance baseline: known deviations of this appliance (--baseline FILE).',
    '# Each entry accepts the failures it matches (check, operationId or path, message regex, node)',
    '# until `expires` (inclusive, UTC). Write why in `reason`; remove an entry once it is fixed.',
  ].join('\n');
  return `${header}\n${stringifyYaml(baseline, { lineWidth: 0 })}`;
}
