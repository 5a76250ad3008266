/**
 * `--roles FILE` and the `access_control` check: the roles file schema, the pattern rules, and
 * runs against the simulator with three accounts (admin, auditor, operator): a correct appliance
 * passes with one login per account per node and changes nothing; each wrong-privilege switch
 * makes the run fail naming the user, the operation and the node, first in the report; no
 * password of any account reaches any output.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/conformance/cli.js';
import { accessFor, checkRolesDocument, loadRolesFile, type RoleAccount } from '../../src/conformance/roles.js';
import { validateOptions } from '../../src/conformance/options.js';
import { runConformance, type ConformanceReport } from '../../src/conformance/runner.js';
import { SecretRegistry } from '../../src/redact.js';
import { startSimulator, type SimBehaviour, type SimulatorHandle } from '../../src/simulator/index.js';
import { readReports, runCli, tempDir } from './helpers/cli.js';

const BUNDLED = new URL('../../generated/sps-api.json', import.meta.url);

const ROLES_YAML = `
users:
  admin:
    password_env: SPS_PASSWORD_ADMIN
    may: ["GET /api/**"]
  auditor:
    password_env: SPS_PASSWORD_AUDITOR
    may: ["GET /api/**"]
    may_not: ["PUT /api/configuration/**", "POST /api/transaction", "PUT /api/transaction"]
  operator:
    password_file: operator.pw
    may: ["GET /api/configuration/**"]
    may_not: ["GET /api/cluster/**"]
`;

function rolesFile(text: string, name = 'roles.yaml', files: Record<string, string> = {}): string {
  const dir = tempDir('sps-roles-');
  for (const [f, content] of Object.entries(files)) writeFileSync(join(dir, f), content);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const loadError = (text: string, env: NodeJS.ProcessEnv = {}, name = 'roles.yaml'): string => {
  try {
    loadRolesFile(rolesFile(text, name), env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the roles file was accepted');
};

describe('the roles file', () => {
  it('resolves each password from its environment variable or its file (next to the roles file)', () => {
    const accounts = loadRolesFile(rolesFile(ROLES_YAML, 'roles.yaml', { 'operator.pw': 'op-secret\nsecond line\n' }), {
      SPS_PASSWORD_ADMIN: 'a-secret',
      SPS_PASSWORD_AUDITOR: 'au-secret',
    });
    expect(accounts.map((a) => [a.name, a.password, a.passwordSource])).toEqual([
      ['admin', 'a-secret', 'SPS_PASSWORD_ADMIN'],
      ['auditor', 'au-secret', 'SPS_PASSWORD_AUDITOR'],
      ['operator', 'op-secret', 'file operator.pw'],
    ]);
    expect(accounts[1]!.mayNot.map((p) => [p.method, p.path])).toEqual([
      ['PUT', '/api/configuration/**'],
      ['POST', '/api/transaction'],
      ['PUT', '/api/transaction'],
    ]);
  });

  it('reads JSON too', () => {
    const file = rolesFile(JSON.stringify({ users: { viewer: { password_env: 'V', may: ['* /api/**'] } } }), 'roles.json');
    expect(loadRolesFile(file, { V: 'v' })[0]).toMatchObject({ name: 'viewer', password: 'v', may: [{ method: '*', path: '/api/**' }] });
  });

  it('refuses a password in the file, naming the user, without echoing it', () => {
    const message = loadError('users:\n  auditor:\n    password: "hunter2-in-the-file"\n    may: ["GET /api/**"]\n');
    expect(message).toMatch(/user "auditor": "password": a password must never be in the roles file; use password_env/);
    expect(message).not.toContain('hunter2-in-the-file');
    // Next to a password source too.
    expect(loadError('users:\n  auditor:\n    password_env: X\n    password: "p"\n', { X: 'x' })).toMatch(
      /user "auditor": "password": a password must never be in the roles file/,
    );
  });

  it('names the user and the entry of a bad pattern, a missing or doubled password source, an unset variable', () => {
    expect(loadError('users:\n  auditor:\n    password_env: X\n    may_not: ["GET /api/**", "GETT /api/cluster"]\n', { X: 'x' })).toMatch(
      /user "auditor", may_not\[1\]: "GETT \/api\/cluster" is not "METHOD \/path"/,
    );
    expect(loadError('users:\n  ops:\n    may: ["GET /api/**"]\n')).toMatch(/user "ops": needs exactly one of password_env or password_file/);
    expect(loadError('users:\n  ops:\n    password_env: A\n    password_file: b\n', { A: 'a' })).toMatch(
      /user "ops": needs exactly one of password_env or password_file/,
    );
    expect(loadError('users:\n  ops:\n    password_env: SPS_PW_OPS\n')).toMatch(/user "ops": password_env SPS_PW_OPS is not set/);
    expect(loadError('users:\n  ops:\n    password_file: missing.pw\n')).toMatch(/user "ops": password_file missing.pw: cannot read it \(ENOENT\)/);
    expect(loadError('users:\n  ops:\n    password_env: A\n    mays: []\n', { A: 'a' })).toMatch(/user "ops": unknown key "mays"/);
    expect(loadError('users: {}\n')).toMatch(/users: must NOT have fewer than 1 properties/);
    expect(() => checkRolesDocument({ users: { a: { password_env: 'A' } } }, 'x')).not.toThrow();
  });

  it('--roles with a password in the file is a usage error (exit 2), and needs --url', async () => {
    const file = rolesFile('users:\n  auditor:\n    password: "hunter2-in-the-file"\n');
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (d: Buffer) => (text += d.toString()));
    expect(
      await main(['--url', 'https://127.0.0.1:9', '--username', 'admin', '--roles', file], { env: { SPS_PASSWORD: 'x' }, stdout: new PassThrough(), stderr }),
    ).toBe(2);
    expect(text).toMatch(/^sps-conformance: --roles .*roles\.yaml: user "auditor": "password": a password must never be in the roles file/);
    expect(text).not.toContain('hunter2');
    const ok = rolesFile('users:\n  auditor:\n    password_env: A\n');
    text = '';
    expect(await main(['--roles', ok], { env: { A: 'a' }, stdout: new PassThrough(), stderr })).toBe(2);
    expect(text).toContain('--roles needs --url');
  });

  it('registers every account password (and its Basic token) for redaction, like the main one', () => {
    const secrets = new SecretRegistry();
    const roles = loadRolesFile(rolesFile(ROLES_YAML, 'roles.yaml', { 'operator.pw': 'op-pw-1' }), {
      SPS_PASSWORD_ADMIN: 'adm-pw-1',
      SPS_PASSWORD_AUDITOR: 'aud-pw-1',
    });
    validateOptions({ urls: ['https://sps1'], username: 'admin', password: 'main-pw-1', roles, secrets });
    for (const [user, pw] of [
      ['admin', 'adm-pw-1'],
      ['auditor', 'aud-pw-1'],
      ['operator', 'op-pw-1'],
    ] as const) {
      expect(secrets.redact(`x ${pw} y`)).toBe('x <password> y');
      expect(secrets.contains(Buffer.from(`${user}:${pw}`).toString('base64'))).toBe(true);
    }
  });

  it('decides by the most specific pattern; on a tie may_not wins; * matches a path parameter', () => {
    const p = (t: string) => ({ method: t.split(' ')[0]!, path: t.split(' ')[1]!, text: t });
    const account: RoleAccount = {
      name: 'x',
      password: 'x',
      passwordSource: 'X',
      may: [p('GET /api/**'), p('PUT /api/configuration/datetime/**'), p('* /api/cluster/nodes/*')],
      mayNot: [p('GET /api/cluster/**'), p('PUT /api/**'), p('GET /api/cluster/nodes/*')],
    };
    const at = (method: string, path: string) => accessFor(account, { method, path });
    expect(at('GET', '/api/configuration')).toEqual({ expected: 'allowed', rule: 'GET /api/**' });
    expect(at('GET', '/api/cluster')).toEqual({ expected: 'denied', rule: 'GET /api/cluster/**' });
    expect(at('PUT', '/api/configuration/datetime/timezone')).toEqual({ expected: 'allowed', rule: 'PUT /api/configuration/datetime/**' });
    expect(at('PUT', '/api/configuration/network')).toEqual({ expected: 'denied', rule: 'PUT /api/**' });
    // Same path specificity: the exact method beats `*`.
    expect(at('GET', '/api/cluster/nodes/{nodeId}')).toEqual({ expected: 'denied', rule: 'GET /api/cluster/nodes/*' });
    expect(at('DELETE', '/api/cluster/nodes/{nodeId}')).toEqual({ expected: 'allowed', rule: '* /api/cluster/nodes/*' });
    expect(at('POST', '/api/transaction')).toBeUndefined(); // the file says nothing about it
  });
});

let sim: SimulatorHandle | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/**
 * The operations these runs select: the point is the roles, not the size of the spec, and the
 * whole spec three accounts over on two nodes took over 90 s under load. The settings here are
 * the writes of the 29-path contract (a timezone, a list, a reference, a key, the cluster
 * interface), the transaction, the cluster reads the operator may not use, the login paths
 * (with `getAuthenticationTypes`, documented only before 7.0: skipped on the 7.5.1 simulator).
 */
const SELECTED = [
  'Authentication',
  'listApiEndpoints',
  'getInfo',
  'getTransaction',
  'openTransaction',
  'commitTransaction',
  'rollbackTransaction',
  'listTransactionChanges',
  'getTimezone',
  'updateTimezone',
  'getNtpServers',
  'updateNtpServers',
  'getClusterInterface',
  'updateClusterInterface',
  'getSystemBackup',
  'updateSystemBackup',
  'getExportedConfigurationEncryption',
  'updateExportedConfigurationEncryption',
  'listClusterEndpoints',
  'listClusterNodes',
  'getClusterNode',
  'listClusterStatus',
  'getClusterNodeStatus',
];

async function runRoles(behaviour: SimBehaviour, allowWrites: boolean): Promise<{ report: ConformanceReport; sim: SimulatorHandle; before: string[] }> {
  sim = await startSimulator({ nodes: 2, behaviour });
  const s = sim;
  const roles = loadRolesFile(rolesFile(ROLES_YAML, 'roles.yaml', { 'operator.pw': s.users.operator!.password }), {
    SPS_PASSWORD_ADMIN: s.users.admin.password,
    SPS_PASSWORD_AUDITOR: s.users.auditor!.password,
  });
  const before = s.nodes.map((n) => JSON.stringify(n.state.committedConfig()));
  const report = await runConformance({
    urls: s.nodes.map((n) => n.url),
    username: 'admin',
    password: s.users.admin.password,
    caFile: s.caFile!,
    roles,
    allowWrites,
    only: SELECTED,
  });
  return { report, sim: s, before };
}

const failedRows = (report: ConformanceReport) => report.results.filter((r) => r.outcome === 'failed');

function expectUnchanged(s: SimulatorHandle, before: string[]): void {
  s.nodes.forEach((n, i) => {
    expect(JSON.stringify(n.state.committedConfig()), `node ${n.index}`).toBe(before[i]);
    expect(n.state.openTransaction()).toBeNull();
    expect(n.state.commits()).toEqual([]);
    // Only the auth_failure probe's made-up user ever failed to log in.
    expect(Object.keys(n.stats.failedLogins)).toEqual([expect.stringMatching(/^sps-conformance-probe-[0-9a-f]{12}$/)]);
  });
}

describe.runIf(existsSync(BUNDLED))('access_control against the simulator', () => {
  it('passes with three accounts, one login per account per node, and leaves everything as it was', async () => {
    const { report, sim: s, before } = await runRoles({}, true);
    expect(report.exitCode, JSON.stringify(failedRows(report), null, 1)).toBe(0);
    // admin is --username too: its session is reused, so admin + auditor + operator = 3 logins.
    for (const n of s.nodes) expect(n.stats.logins, `node ${n.index}`).toBe(3);
    expectUnchanged(s, before);
    // Every request is accounted for: the main session's in `requests`, the accounts' in a note.
    s.nodes.forEach((n, i) => {
      const t = report.targets[i]!;
      expect(t.notes).toContain(
        `access_control: 2 roles-file accounts with a session of its own sent ${n.stats.requests - t.requests} more requests (one login each)`,
      );
    });
    const nodes = report.targets.map((t) => t.node);
    const cell = (user: string, operationId: string) => report.access!.find((r) => r.user === user && r.operationId === operationId);
    for (const node of nodes) {
      expect(cell('auditor', 'updateTimezone')).toMatchObject({ expected: 'denied', rule: 'may_not: PUT /api/configuration/**' });
      expect(cell('auditor', 'updateTimezone')!.nodes[node]).toEqual({ seen: 'denied', status: 403, outcome: 'passed', proof: 'proven denied' });
      expect(cell('auditor', 'openTransaction')!.nodes[node]).toEqual({ seen: 'denied', status: 403, outcome: 'passed', proof: 'proven denied' });
      expect(cell('auditor', 'getTimezone')!.nodes[node]).toEqual({ seen: 'allowed', status: 200, outcome: 'passed', proof: 'proven allowed' });
      expect(cell('operator', 'listClusterEndpoints')!.nodes[node]).toEqual({ seen: 'denied', status: 403, outcome: 'passed', proof: 'proven denied' });
      // The commit is never sent, for an account either.
      expect(cell('auditor', 'commitTransaction')!.nodes[node]).toEqual({
        seen: 'not sent',
        outcome: 'skipped',
        proof: 'not tried',
        why: 'never sent: commit',
      });
    }
    expect(report.access!.some((r) => r.user === 'operator' && r.path.startsWith('/api/transaction'))).toBe(false); // the file says nothing about it
    // The reads as each account went through the response checks, attributed to the account.
    const asAuditor = report.results.filter((r) => r.user === 'auditor');
    expect(new Set(asAuditor.map((r) => r.check))).toEqual(
      new Set(['status_code', 'content_type', 'response_schema', 'meta_links', 'error_body', 'undocumented_properties', 'response_headers', 'access_control']),
    );
    expect(s.nodes.every((n) => n.stats.byMethod.PUT! > 0)).toBe(true);
  }, 90_000);

  it('read-only: denied writes are not sent (skipped, with the reason), and a write bug cannot show', async () => {
    const { report, sim: s } = await runRoles({ privilegeBugs: { auditorCanWrite: true } }, false);
    expect(report.exitCode).toBe(0);
    for (const n of s.nodes) expect([n.stats.byMethod.POST ?? 0, n.stats.byMethod.PUT ?? 0, n.stats.byMethod.DELETE ?? 0]).toEqual([0, 0, 0]);
    const row = report.results.find((r) => r.user === 'auditor' && r.operationId === 'updateTimezone' && r.check === 'access_control');
    expect(row).toMatchObject({ outcome: 'skipped', message: 'user auditor: not sent: read-only run: the probe of a denied write needs --allow-writes' });
  }, 90_000);

  it('auditorCanWrite with --allow-writes: fails naming the user, the operation and the node, first; nothing changes', async () => {
    const { report, sim: s, before } = await runRoles({ privilegeBugs: { auditorCanWrite: true } }, true);
    expect(report.exitCode).toBe(1);
    const failed = failedRows(report);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.check === 'access_control' && r.user === 'auditor')).toBe(true);
    const ids = new Set(failed.map((r) => r.operationId));
    expect(ids).toEqual(
      new Set([
        'openTransaction',
        'updateTimezone',
        'updateNtpServers',
        'updateClusterInterface',
        'updateSystemBackup',
        'updateExportedConfigurationEncryption',
      ]),
    );
    for (const r of failed)
      expect(r.message).toMatch(
        new RegExp(
          `^DENIED OPERATION ALLOWED: user auditor may not use ${r.method} .*\\(${r.operationId}, may_not: .*\\), but node ${r.node.replace(/[.]/g, '\\.')} answered 200`,
        ),
      );
    // The report puts them first.
    expect(report.results.slice(0, failed.length)).toEqual(failed);
    expectUnchanged(s, before);
  }, 90_000);

  it('operatorCanReadCluster: fails naming operator and each cluster read, on every node', async () => {
    const { report, sim: s, before } = await runRoles({ privilegeBugs: { operatorCanReadCluster: true } }, false);
    expect(report.exitCode).toBe(1);
    const failed = failedRows(report);
    expect(failed.every((r) => r.check === 'access_control' && r.user === 'operator' && r.method === 'GET' && r.path.startsWith('/api/cluster'))).toBe(true);
    expect(new Set(failed.map((r) => r.node))).toEqual(new Set(report.targets.map((t) => t.node)));
    expect(failed.find((r) => r.operationId === 'listClusterEndpoints')!.message).toMatch(
      /^DENIED OPERATION ALLOWED: user operator may not use GET \/api\/cluster \(listClusterEndpoints, may_not: GET \/api\/cluster\/\*\*\), but node \S+ answered 200/,
    );
    expect(report.results[0]).toEqual(failed[0]);
    expectUnchanged(s, before);
  }, 90_000);

  it('an abort while a wrongly accepted write of an account is open rolls that transaction back', async () => {
    sim = await startSimulator({ nodes: 1, behaviour: { privilegeBugs: { auditorCanWrite: true } } });
    const node = sim.nodes[0]!;
    node.injectFault('*', { kind: 'latency', ms: 600, method: 'PUT' });
    const before = JSON.stringify(node.state.committedConfig());
    const roles = loadRolesFile(rolesFile('users:\n  auditor:\n    password_env: AU\n    may_not: ["PUT /api/configuration/**"]\n'), {
      AU: sim.users.auditor!.password,
    });
    const controller = new AbortController();
    let sawOpen = false;
    const poll = setInterval(() => {
      if (node.state.openTransaction()?.username === 'auditor' && !sawOpen) {
        sawOpen = true;
        setTimeout(() => controller.abort('SIGINT'), 100); // the PUT is under way
      }
    }, 10);
    try {
      const report = await runConformance({
        urls: [node.url],
        username: 'admin',
        password: sim.users.admin.password,
        caFile: sim.caFile!,
        roles,
        allowWrites: true,
        only: ['access_control'],
        signal: controller.signal,
      });
      expect(sawOpen).toBe(true);
      expect(report.aborted).toBe('SIGINT');
      expect(report.exitCode).toBe(130);
    } finally {
      clearInterval(poll);
    }
    expect(node.state.openTransaction()).toBeNull();
    expect(node.stats.byMethod.DELETE).toBeGreaterThan(0);
    expect(JSON.stringify(node.state.committedConfig())).toBe(before);
    expect(node.state.commits()).toEqual([]);
  }, 60_000);

  it('a permitted write is proven as the account inside its own rolled-back transaction; one that answers 403 fails naming the user, the operation and the node', async () => {
    const yaml = 'users:\n  operator:\n    password_env: OP\n    may: ["GET /api/configuration/**", "PUT /api/configuration/**", "POST /api/transaction"]\n';
    const once = async (behaviour: SimBehaviour) => {
      sim = await startSimulator({ nodes: 1, behaviour });
      const roles = loadRolesFile(rolesFile(yaml), { OP: sim.users.operator!.password });
      const before = JSON.stringify(sim.nodes[0]!.state.committedConfig());
      const report = await runConformance({
        urls: [sim.nodes[0]!.url],
        username: 'admin',
        password: sim.users.admin.password,
        caFile: sim.caFile!,
        roles,
        allowWrites: true,
        only: ['access_control'],
      });
      const node = sim.nodes[0]!;
      expect(JSON.stringify(node.state.committedConfig())).toBe(before);
      expect(node.state.openTransaction()).toBeNull();
      expect(node.state.commits()).toEqual([]);
      const out = { report, node: report.targets[0]!.node, puts: node.stats.byMethod.PUT ?? 0 };
      await sim.close();
      sim = undefined;
      return out;
    };
    const ok = await once({});
    expect(ok.report.exitCode, JSON.stringify(failedRows(ok.report), null, 1)).toBe(0);
    const tz = ok.report.access!.find((r) => r.user === 'operator' && r.operationId === 'updateTimezone')!;
    expect(tz).toMatchObject({ expected: 'allowed', rule: 'may: PUT /api/configuration/**' });
    expect(tz.nodes[ok.node]).toMatchObject({ seen: 'allowed', proof: 'proven allowed', outcome: 'passed' });
    expect(ok.puts).toBeGreaterThan(0);
    // The commit is never tried: not in the matrix as proven.
    expect(ok.report.access!.filter((r) => r.method !== 'GET').every((r) => r.nodes[ok.node]!.proof !== 'not tried' || r.nodes[ok.node]!.why)).toBe(true);

    const broken = await once({ privilegeBugs: { operatorCannotWrite: true } });
    expect(broken.report.exitCode).toBe(1);
    const failed = failedRows(broken.report);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.user === 'operator' && r.check === 'access_control')).toBe(true);
    expect(failed.map((r) => r.message)).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^user operator may use PUT /api/configuration/datetime/timezone \\(updateTimezone, may: PUT /api/configuration/\\*\\*\\).*, but node ${broken.node.replace(/[.]/g, '\\.')} refused it: 403`,
        ),
      ),
    );
    const tzBroken = broken.report.access!.find((r) => r.user === 'operator' && r.operationId === 'updateTimezone')!;
    expect(tzBroken.nodes[broken.node]).toMatchObject({ seen: 'denied', proof: 'proven denied', outcome: 'failed' });
  }, 120_000);

  it('a permitted operation that answers 403 fails too', async () => {
    sim = await startSimulator({ nodes: 1 });
    const file = rolesFile('users:\n  operator:\n    password_env: OP\n    may: ["GET /api/cluster"]\n    may_not: ["GET /api/info"]\n');
    const roles = loadRolesFile(file, { OP: sim.users.operator!.password });
    const report = await runConformance({
      urls: [sim.nodes[0]!.url],
      username: 'admin',
      password: sim.users.admin.password,
      caFile: sim.caFile!,
      roles,
      only: ['access_control'],
    });
    expect(report.exitCode).toBe(1);
    expect(failedRows(report).map((r) => r.message)).toEqual([
      expect.stringMatching(
        /^user operator may use GET \/api\/cluster \(listClusterEndpoints, may: GET \/api\/cluster\), but node \S+ refused it: 403 application\/json Unauthorized$/,
      ),
    ]);
    const node = report.targets[0]!.node;
    expect(report.access).toEqual([
      expect.objectContaining({
        user: 'operator',
        operationId: 'getInfo',
        expected: 'denied',
        nodes: { [node]: { seen: 'not sent', outcome: 'skipped', proof: 'not tried', why: 'needs no session' } },
      }),
      expect.objectContaining({
        user: 'operator',
        operationId: 'listClusterEndpoints',
        expected: 'allowed',
        nodes: { [node]: { seen: 'denied', status: 403, outcome: 'failed', proof: 'proven denied' } },
      }),
    ]);
    // An operation without a session cannot be denied to anyone: not a false failure.
    expect(report.results.find((r) => r.user === 'operator' && r.operationId === 'getInfo')?.message).toMatch(/needs no session/);
  }, 60_000);

  it('no password of any account appears in stdout, stderr or any report file', async () => {
    // Distinct, tricky passwords: quotes, markup, a colon, URL- and JSON-special characters, non-ASCII.
    const passwords = { admin: `adm"in<&>'pw`, auditor: 'aud:it%40or\\pw €', operator: ' op$(id)`x` ø' };
    sim = await startSimulator({ nodes: 2, users: Object.fromEntries(Object.entries(passwords).map(([u, p]) => [u, { username: u, password: p }])) as never });
    const file = rolesFile(ROLES_YAML, 'roles.yaml', { 'operator.pw': `${passwords.operator}\n` });
    const dir = tempDir();
    const run = await runCli(
      [...sim.nodes.flatMap((n) => ['--url', n.url]), '--username', 'admin', '--ca', sim.caFile!, '--roles', file, '--allow-writes', '--report-dir', dir],
      {
        env: { SPS_PASSWORD: passwords.admin, SPS_PASSWORD_ADMIN: passwords.admin, SPS_PASSWORD_AUDITOR: passwords.auditor },
      },
    );
    expect(run.code, run.stdout.slice(-2000) + run.stderr).toBe(0);
    for (const n of sim.nodes) expect(n.stats.logins).toBe(3);
    const reports = readReports(dir);
    expect(Object.keys(reports).sort()).toEqual(['junit.xml', 'report.html', 'report.json']);
    const outputs = { stdout: run.stdout, stderr: run.stderr, ...reports };
    for (const [user, pw] of Object.entries(passwords)) {
      const forms = [pw, pw.trim(), encodeURIComponent(pw), JSON.stringify(pw).slice(1, -1), Buffer.from(`${user}:${pw}`).toString('base64')];
      for (const [where, text] of Object.entries(outputs))
        for (const form of forms) expect(text.includes(form), `${user}'s password (${form}) in ${where}`).toBe(false);
    }
    // The matrix is in every report.
    expect(run.stdout).toContain('User × operation');
    expect(run.stdout).toMatch(/auditor\s+PUT \/api\/configuration\/datetime\/timezone\s+denied\s+proven denied 403\s+proven denied 403/);
    expect(reports['report.html']).toContain('<section id="access">');
    expect((JSON.parse(reports['report.json']!) as { access: unknown[] }).access.length).toBeGreaterThan(0);
    expect(reports['junit.xml']).toMatch(
      /<testcase classname="[^"]+\.auditor\.updateTimezone" name="access_control PUT \/api\/configuration\/datetime\/timezone as auditor"/,
    );
    expect(reports['junit.xml']).toContain('User x operation (--roles):');
    // Login curl lines show where each account's password comes from, never the password.
    const curls = (JSON.parse(reports['report.json']!) as { results: Array<{ user?: string; operationId: string; curl: string }> }).results.filter(
      (r) => r.operationId === 'logIn',
    );
    expect(curls.find((r) => r.user === 'auditor')?.curl).toContain('-u "auditor:$SPS_PASSWORD_AUDITOR"');
    expect(curls.find((r) => r.user === 'operator')?.curl).toContain('-u "operator:$(head -n1 operator.pw)"');
    expect(readFileSync(file, 'utf8')).toBe(ROLES_YAML);
  }, 120_000);
});
