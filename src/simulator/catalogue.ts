/**
 * The catalogue of broken appliances: every way the simulator can misbehave on purpose, behaviour
 * and faults alike, under one kebab-case name that is the same everywhere (`--switch NAME` on the
 * command line, `switches: ['NAME']` in `startSimulator()`, the `SimSwitch` type, the table in
 * docs/simulator.md). Each switch names what must catch it: a check of `sps-conformance` (and
 * whether that check fails or warns), the runner's handling (exit 2), or nothing, for a switch
 * that plays a faithful appliance and must pass. tests/simulator/catalogue.test.ts runs
 * `sps-conformance` against a simulator with each switch and proves it is caught as named.
 *
 * `SimBehaviour` and `SimFault` (types.ts) stay the mechanism a switch sets; new misbehaviour is
 * added here first, with the check that catches it.
 */
import type { SimBehaviour, SimFault } from './types.js';

import type { SimSwitch } from './types.js';

export type { SimSwitch } from './types.js';

/** The name of a switch: a `SimSwitch` without its `=<n>` value (`latency-ms`, `ignore-puts`). */
export type SwitchName = SimSwitch extends infer S ? (S extends `${infer N}=${number}` ? N : S) : never;

/** How a conformance run against a node with the switch must end. */
export type Caught =
  /** The named check has at least one row with this outcome, and no other check fails. */
  | { by: 'check'; check: string; outcome: 'failed' | 'warning'; message: RegExp }
  /** The runner stops: exit 2 with this reason (`report.fatal`). */
  | { by: 'runner'; exitCode: 2; message: RegExp }
  /** A faithful variant: the run passes (exit 0); `warning`, when set, names the check that warns. */
  | { by: 'nothing'; why: string; warning?: string };

/** How the catalogue test runs `sps-conformance` to catch the switch. */
export interface CatchRun {
  /** `--allow-writes`. */
  allowWrites?: boolean;
  /** `--only` (check names, tags or operation ids). */
  only?: string[];
  /** Start this many nodes as one cluster; the switch is set on the last node only. */
  cluster?: number;
  /** `--roles` with the simulator's auditor and operator (see the catalogue test for the file). */
  roles?: 'auditor' | 'operator';
  /** `--timeout` (in milliseconds here; the flag takes seconds). */
  timeoutMs?: number;
}

export interface SwitchEntry {
  /** The one spelling: kebab-case; a parameter is written `name=<value>` (e.g. `latency-ms=500`). */
  name: SwitchName;
  /** For a parameterised switch: what the value is, and the one the catalogue test uses. */
  param?: { what: string; example: number; min: number };
  kind: 'behaviour' | 'fault';
  summary: string;
  /** What the switch sets on a node. */
  set(value: number): { behaviour?: SimBehaviour; fault?: SimFault };
  caught: Caught;
  run: CatchRun;
}

const b = (behaviour: SimBehaviour) => () => ({ behaviour });

/** The write cycle on the two settings whose write is proven by a different value. */
const WRITE_CYCLE = ['updateTimezone', 'updateNtpServers', 'write_roundtrip'];

/** The catalogue, in the order of the table in docs/simulator.md. */
export const SWITCHES: readonly SwitchEntry[] = [
  {
    name: 'ignore-puts',
    kind: 'behaviour',
    summary: 'PUT answers 200 and is logged in the change log, but the stored value stays',
    set: b({ ignorePuts: true }),
    caught: { by: 'check', check: 'write_roundtrip', outcome: 'failed', message: /the appliance accepted the PUT \(200\) but kept the old value/ },
    run: { allowWrites: true, only: WRITE_CYCLE },
  },
  {
    name: 'empty-change-log',
    kind: 'behaviour',
    summary: 'changes apply, but GET /api/transaction/changes answers an empty list',
    set: b({ emptyChangeLog: true }),
    caught: {
      by: 'check',
      check: 'write_roundtrip',
      outcome: 'failed',
      message: /the change log \(GET \/api\/transaction\/changes\) is empty after the PUT of a different value/,
    },
    run: { allowWrites: true, only: WRITE_CYCLE },
  },
  {
    name: 'ignore-posts',
    kind: 'behaviour',
    summary: 'POST answers 201 with a new key, but nothing is stored or logged',
    set: b({ ignorePosts: true }),
    caught: { by: 'check', check: 'collection_roundtrip', outcome: 'failed', message: /the object was not stored/ },
    run: {
      allowWrites: true,
      only: ['createSshConnectionPolicy', 'listSshConnectionPolicies', 'getSshConnectionPolicy', 'deleteSshConnectionPolicy', 'collection_roundtrip'],
    },
  },
  {
    name: 'pagination-ignores-limit',
    kind: 'behaviour',
    summary: 'GET /api/audit/sessions answers every match from the offset on, whatever the limit',
    set: b({ brokenPagination: 'ignore-limit' }),
    caught: { by: 'check', check: 'pagination', outcome: 'failed', message: /items on a page of limit/ },
    run: { only: ['searchSessions', 'pagination'] },
  },
  {
    name: 'pagination-wrong-match-count',
    kind: 'behaviour',
    summary: 'GET /api/audit/sessions answers a match_count that changes with the page',
    set: b({ brokenPagination: 'wrong-match-count' }),
    caught: { by: 'check', check: 'pagination', outcome: 'failed', message: /match_count does not agree across pages/ },
    run: { only: ['searchSessions', 'pagination'] },
  },
  {
    name: 'accept-invalid-bodies',
    kind: 'behaviour',
    summary: 'a PUT or POST body that breaks its request schema is stored, not refused with 400 InvalidRequestBody',
    set: b({ acceptInvalidBodies: true }),
    caught: { by: 'check', check: 'invalid_write', outcome: 'failed', message: /a body the schema forbids \(wrong type: .*\) was accepted with 2\d\d/ },
    run: { allowWrites: true, only: ['invalid_write'] },
  },
  {
    name: 'parent-slash',
    kind: 'behaviour',
    summary: 'GET /api carries meta.parent "/", which no vendor page documents (breaks a reading only)',
    set: b({ readingVariant: 'parent-slash' }),
    caught: { by: 'check', check: 'meta_links', outcome: 'warning', message: /breaks (our reading|inference from)/ },
    run: { only: ['listApiEndpoints', 'meta_links'] },
  },
  {
    name: 'accept-any-password',
    kind: 'behaviour',
    summary: 'every Basic login succeeds, whatever the password',
    set: b({ acceptAnyPassword: true }),
    caught: { by: 'check', check: 'auth_failure', outcome: 'failed', message: /wrong password/ },
    run: { only: ['Authentication'] },
  },
  {
    name: 'accept-made-up-session',
    kind: 'behaviour',
    summary: 'any unknown session_id cookie is taken as a session of the admin',
    set: b({ acceptMadeUpSession: true }),
    caught: { by: 'check', check: 'auth_required', outcome: 'failed', message: /with a made-up session cookie: received 200, expected 401 Unauthenticated/ },
    run: { only: ['listApiEndpoints', 'auth_required'] },
  },
  {
    name: 'cookie-on-failed-login',
    kind: 'behaviour',
    summary: 'a failed login answers 401, but sets a session_id cookie',
    set: b({ cookieOnFailedLogin: true }),
    caught: { by: 'check', check: 'auth_failure', outcome: 'failed', message: /a session_id cookie was set for a wrong password/ },
    run: { only: ['Authentication'] },
  },
  {
    name: 'find-made-up-ids',
    kind: 'behaviour',
    summary: 'a configuration object id that does not exist answers the first object of its collection, not 404',
    set: b({ findMadeUpIds: true }),
    caught: { by: 'check', check: 'not_found', outcome: 'failed', message: /made-up id: received 200, expected 404 NotFound/ },
    run: { only: ['listSshConnectionPolicies', 'getSshConnectionPolicy', 'not_found'] },
  },
  {
    name: 'auditor-can-write',
    kind: 'behaviour',
    summary: 'the auditor may write everything',
    set: b({ privilegeBugs: { auditorCanWrite: true } }),
    caught: {
      by: 'check',
      check: 'access_control',
      outcome: 'failed',
      message: /DENIED OPERATION ALLOWED: user auditor may not use PUT \/api\/configuration\/datetime\/timezone /,
    },
    run: { allowWrites: true, only: ['access_control'], roles: 'auditor' },
  },
  {
    name: 'operator-cannot-write',
    kind: 'behaviour',
    summary: 'every write of the operator answers 403, although its privileges allow it',
    set: b({ privilegeBugs: { operatorCannotWrite: true } }),
    caught: {
      by: 'check',
      check: 'access_control',
      outcome: 'failed',
      message: /user operator may use PUT \/api\/configuration\/datetime\/timezone .*, but node \S+ refused it: 403/,
    },
    run: { allowWrites: true, only: ['access_control'], roles: 'operator' },
  },
  {
    name: 'operator-can-read-cluster',
    kind: 'behaviour',
    summary: 'the operator may read /api/cluster/**',
    set: b({ privilegeBugs: { operatorCanReadCluster: true } }),
    caught: { by: 'check', check: 'access_control', outcome: 'failed', message: /DENIED OPERATION ALLOWED: user operator may not use GET \/api\/cluster/ },
    run: { only: ['access_control'], roles: 'operator' },
  },
  {
    name: 'no-login-challenge',
    kind: 'behaviour',
    summary: 'a failed login answers 401 without WWW-Authenticate (only an inference says it is sent)',
    set: b({ noLoginChallenge: true }),
    caught: { by: 'nothing', why: 'a faithful appliance may do it: the challenge rests on an inference', warning: 'response_headers' },
    run: { only: ['Authentication'] },
  },
  {
    name: 'keep-sessions-on-cluster-commit',
    kind: 'behaviour',
    summary: 'sessions survive a commit that changes the cluster interface or promotes the node',
    set: b({ dropSessionsOnClusterCommit: false }),
    caught: { by: 'nothing', why: 'a conformance run never commits, so it cannot see what a commit does to sessions' },
    run: { allowWrites: true, only: WRITE_CYCLE },
  },
  {
    name: 'lock-visibility-shared',
    kind: 'behaviour',
    summary: 'GET /api/transaction says "open" to every session while another holds the lock (the other reading)',
    set: b({ lockVisibility: 'shared' }),
    caught: { by: 'nothing', why: 'the vendor pages are silent on how another session sees the lock: both readings are faithful' },
    run: { allowWrites: true, only: ['Transactions', 'write_roundtrip'] },
  },
  {
    name: 'owner-session-only-rollback',
    kind: 'behaviour',
    summary: 'only the session holding the lock may roll it back, not another session of the same user',
    set: b({ sameUserMayRollback: false }),
    caught: { by: 'nothing', why: 'the vendor pages do not say whose the lock is: both readings are faithful, and the runner rolls back in its own session' },
    run: { allowWrites: true, only: ['Transactions', 'write_roundtrip'] },
  },
  {
    name: 'cluster-version-differs',
    kind: 'behaviour',
    summary: 'GET /api/info of this cluster node says 7.4.0, although all nodes of a cluster run one version',
    set: b({ clusterBreak: 'version-differs' }),
    caught: { by: 'check', check: 'cluster_facts', outcome: 'failed', message: /the nodes of one cluster must run the same SPS version/ },
    run: { cluster: 2, only: ['Cluster', 'Appliance', 'cluster_facts'] },
  },
  {
    name: 'cluster-second-central',
    kind: 'behaviour',
    summary: 'the member list of this cluster node gives it the central-management role too',
    set: b({ clusterBreak: 'second-central' }),
    caught: { by: 'check', check: 'cluster_facts', outcome: 'failed', message: /lists 2 central-management nodes/ },
    run: { cluster: 2, only: ['Cluster', 'Appliance', 'cluster_facts'] },
  },
  {
    name: 'cluster-members-differ',
    kind: 'behaviour',
    summary: 'the member list of this cluster node leaves one other member out',
    set: b({ clusterBreak: 'members-differ' }),
    caught: { by: 'check', check: 'cluster_facts', outcome: 'failed', message: /the nodes list different members: / },
    run: { cluster: 2, only: ['Cluster', 'Appliance', 'cluster_facts'] },
  },
  {
    name: 'cluster-wrong-central-address',
    kind: 'behaviour',
    summary: 'the join status of this cluster node names another Central Management address',
    set: b({ clusterBreak: 'wrong-central-address' }),
    caught: { by: 'check', check: 'cluster_facts', outcome: 'failed', message: /the nodes name different Central Management nodes/ },
    run: { cluster: 2, only: ['Cluster', 'Appliance', 'cluster_facts'] },
  },
  {
    name: 'latency-ms',
    param: { what: 'milliseconds of delay before every answer', example: 1500, min: 1 },
    kind: 'behaviour',
    summary: 'every request waits this long, then is answered normally',
    set: (ms) => ({ behaviour: { latencyMs: ms } }),
    caught: { by: 'runner', exitCode: 2, message: /no answer in time|timeout/ },
    run: { only: ['Authentication'], timeoutMs: 500 },
  },
  {
    name: 'reset',
    kind: 'fault',
    summary: 'every connection is reset (TCP RST), no HTTP answer',
    set: () => ({ fault: { kind: 'reset' } }),
    caught: { by: 'runner', exitCode: 2, message: /unreachable: connection closed by the peer/ },
    run: { only: ['Authentication'], timeoutMs: 2000 },
  },
  {
    name: 'hang',
    kind: 'fault',
    summary: 'no request is ever answered (the socket stays open)',
    set: () => ({ fault: { kind: 'hang' } }),
    caught: { by: 'runner', exitCode: 2, message: /no answer in time/ },
    run: { only: ['Authentication'], timeoutMs: 500 },
  },
  {
    name: 'hang-after',
    param: { what: 'requests answered before the node stalls', example: 3, min: 0 },
    kind: 'fault',
    summary: 'the node answers this many requests, then none (a node that stalls mid-run)',
    set: (n) => ({ fault: { kind: 'hang', after: n } }),
    caught: { by: 'check', check: 'status_code', outcome: 'failed', message: /no HTTP answer from \S+ \(timeout: no complete response within 500 ms\)/ },
    run: { only: ['Authentication'], timeoutMs: 500 },
  },
  {
    name: 'html-502',
    kind: 'fault',
    summary: 'every request answers an HTML 502 page, as a reverse proxy in front of a dead SPS does',
    set: () => ({ fault: { kind: 'html502' } }),
    caught: { by: 'runner', exitCode: 2, message: /not an SPS REST API\? GET \/api\/authentication answered 502 text\/html/ },
    run: { only: ['Authentication'], timeoutMs: 2000 },
  },
  {
    name: 'not-sps',
    kind: 'fault',
    summary: 'every request answers 200 with an HTML page, as a web server that is not SPS does',
    set: () => ({ fault: { kind: 'html200' } }),
    caught: { by: 'runner', exitCode: 2, message: /not an SPS REST API\? GET \/api\/authentication answered 200 text\/html without a session_id cookie/ },
    run: { only: ['Authentication'], timeoutMs: 2000 },
  },
];

const BY_NAME = new Map<string, SwitchEntry>(SWITCHES.map((s) => [s.name, s]));

/** The catalogue entry and value of one switch; throws naming the catalogue on an unknown name. */
export function parseSwitch(text: string): { entry: SwitchEntry; value: number } {
  const eq = text.indexOf('=');
  const name = eq < 0 ? text : text.slice(0, eq);
  const entry = BY_NAME.get(name);
  if (!entry) throw new RangeError(`unknown switch "${name}" (the catalogue: ${SWITCHES.map(spelling).join(', ')})`);
  if (!entry.param) {
    if (eq >= 0) throw new RangeError(`switch ${name} takes no value`);
    return { entry, value: 0 };
  }
  const raw = eq < 0 ? '' : text.slice(eq + 1);
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < entry.param.min) {
    throw new RangeError(`switch ${name}=<n>: ${entry.param.what}, an integer >= ${entry.param.min}`);
  }
  return { entry, value };
}

/** How a switch is written: `name` or `name=<n>`. */
export function spelling(entry: SwitchEntry): string {
  return entry.param ? `${entry.name}=<n>` : entry.name;
}

/** The behaviour and the faults (for every path) that a list of switches sets on a node. */
export function applySwitches(switches: readonly string[]): { behaviour: SimBehaviour; faults: SimFault[] } {
  const behaviour: SimBehaviour = {};
  const faults: SimFault[] = [];
  for (const text of switches) {
    const { entry, value } = parseSwitch(text);
    const set = entry.set(value);
    if (set.behaviour) {
      const bugs = { ...behaviour.privilegeBugs, ...set.behaviour.privilegeBugs };
      Object.assign(behaviour, set.behaviour, Object.keys(bugs).length > 0 ? { privilegeBugs: bugs } : {});
    }
    if (set.fault) faults.push(set.fault);
  }
  if (faults.length > 1) throw new RangeError(`at most one fault switch at a time (${switches.join(', ')})`);
  return { behaviour, faults };
}

function caughtText(c: Caught): string {
  if (c.by === 'check') return `\`${c.check}\` ${c.outcome === 'failed' ? 'fails' : 'warns'}`;
  if (c.by === 'runner') return `the runner stops: exit ${c.exitCode}`;
  return `nothing: passes${c.warning ? `, \`${c.warning}\` warns` : ''}: ${c.why}`;
}

function runText(r: CatchRun): string {
  const parts: string[] = [];
  if (r.cluster) parts.push(`${r.cluster}-node cluster, on the last node`);
  if (r.allowWrites) parts.push('`--allow-writes`');
  if (r.roles) parts.push(`\`--roles\` (${r.roles})`);
  if (r.timeoutMs) parts.push(`\`--timeout ${r.timeoutMs / 1000}\``);
  if (r.only) parts.push(`\`--only ${r.only.join(',')}\``);
  return parts.join(', ');
}

/** The table of docs/simulator.md (scripts/doc-tables.ts). */
export function switchesTable(): string {
  const rows = SWITCHES.map(
    (s) => `| \`${spelling(s)}\` | ${s.kind} | ${s.summary}${s.param ? ` (n: ${s.param.what})` : ''} | ${caughtText(s.caught)} | ${runText(s.run)} |`,
  );
  return ['| Switch | Kind | What the node does | What catches it | Run that proves it |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
