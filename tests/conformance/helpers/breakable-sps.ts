/**
 * A tiny stand-in for an SPS node that follows the fixture spec (tests/conformance/fixtures/
 * mini-spec.yaml): it answers GETs with the spec's first 200 example, rewritten for the
 * requested path, keeps sessions and one transaction, records every request (method, path,
 * cookie, body), and can be told to break exactly one rule so that each check can be shown to
 * fail end to end.
 *
 * Why it is not the simulator: each break left here is one the simulator's catalogue
 * (src/simulator/catalogue.ts) has no switch for: a wrong status, content type, schema,
 * meta.href or error body on one path of the fixture spec, an undocumented property, a PUT that
 * stores a third value (the catalogue's `ignore-puts` keeps the old one). The tests also assert
 * the exact request sequence of a run (`requests`) and values of the small fixture spec (its
 * examples), which the simulator, serving the bundled spec, does not record or share.
 *
 * Moved to the simulator: `post-ignored` (the `ignore-posts` switch), `stores-invalid-body`
 * (`accept-invalid-bodies`), `accepts-made-up-session` (`accept-made-up-session`),
 * `cookie-on-wrong-password` (`cookie-on-failed-login`), `found-made-up-id`
 * (`find-made-up-ids`) and `html` (`not-sps`), each proven in tests/simulator/catalogue.test.ts;
 * the check fixtures of collection_roundtrip, invalid_write, access_control and cluster_facts;
 * the runs with a lock held by another session and against a server that is not SPS
 * (tests/conformance/live.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseCookieHeader } from '../../../src/shared/index.js';
import { sendJson } from '../../helpers/servers.js';
import { loadSpec, matchesTemplate, parentPath, type OperationModel } from '../../../src/model/operations.js';

export const FIXTURE_SPEC = fileURLToPath(new URL('../fixtures/mini-spec.yaml', import.meta.url));

export type Break =
  | 'undocumented-status' // GET /api/configuration/datetime answers 418
  | 'wrong-content-type' // GET .../timezone answers text/plain
  | 'schema-violation' // GET .../timezone has a number as body
  | 'wrong-meta-href' // GET .../timezone has a meta.href of another resource
  | 'missing-error-type' // 401 bodies have no error.type
  | 'extra-property' // GET .../timezone carries an undocumented property
  | 'readback-differs'; // PUT of the timezone stores something else (neither the old value nor the one written)

export interface BreakableSps {
  url: string;
  password: string;
  logins: number;
  requests: Array<{ method: string; path: string; cookie?: string; body?: string }>;
  /** Every session id handed out. */
  sessionIds(): string[];
  transactionOpen(): boolean;
  committed(): { timezone: string; ntp: unknown[] };
  close(): Promise<void>;
}

const json = sendJson;

function errorBody(path: string, type: string | undefined, message: string): unknown {
  const parent = parentPath(path);
  return { error: { ...(type ? { type } : {}), message, details: { path } }, meta: { href: path, ...(parent ? { parent } : {}) } };
}

export async function startBreakableSps(opts: { breaks?: Break[]; username?: string; password?: string } = {}): Promise<BreakableSps> {
  const breaks = new Set(opts.breaks ?? []);
  const username = opts.username ?? 'admin';
  const password = opts.password ?? `pw-${randomBytes(6).toString('hex')}`;
  const model = loadSpec(FIXTURE_SPEC);
  const sessions = new Set<string>();
  const knownIds = new Set(['99375192754364c2b1bd01', '46f97a58-4028-467d-9a22-9cfe78ae3e1c']);
  const committed = { timezone: 'America/New_York', ntp: [{ selection: 'fqdn', value: 'pool.ntp.org' }] as unknown[] };
  let tx: { staged: typeof committed; changes: unknown[]; policies: Map<string, unknown> } | undefined;
  const state = {
    logins: 0,
    requests: [] as BreakableSps['requests'],
  };

  const view = (): typeof committed => tx?.staged ?? committed;

  const findOp = (method: string, path: string): OperationModel | undefined =>
    model.operations.find((o) => o.method === method && matchesTemplate(o.path, path));

  const exampleFor = (op: OperationModel, path: string): unknown => {
    const resp = op.responses.find((r) => r.status === '200') ?? op.responses.find((r) => r.status.startsWith('2'));
    const ex = structuredClone(Object.values(resp?.json?.examples ?? {})[0]) as Record<string, unknown> | undefined;
    if (ex && typeof ex.meta === 'object' && ex.meta !== null) {
      const meta = ex.meta as Record<string, unknown>;
      meta.href = path;
      const parent = parentPath(path);
      if (parent) meta.parent = parent;
      else delete meta.parent;
    }
    return ex;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const cookie = parseCookieHeader(req.headers.cookie).get('session_id');
    state.requests.push({ method, path, ...(cookie !== undefined ? { cookie } : {}), ...(body !== '' ? { body } : {}) });

    if (path === '/api/authentication' && method === 'GET') {
      const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      const decoded = m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : '';
      if (decoded === `${username}:${password}`) {
        const id = randomBytes(20).toString('hex');
        sessions.add(id);
        state.logins++;
        json(
          res,
          200,
          { meta: { href: '/api/authentication', parent: '/api', transaction: '/api/transaction' } },
          {
            'set-cookie': `session_id=${id}; Path=/; HttpOnly`,
          },
        );
      } else {
        json(res, 401, errorBody(path, 'AuthenticationFailure', 'Authenticating the user with the given credentials has failed.'));
      }
      return;
    }
    const op = findOp(method, path);
    if (!op) {
      json(res, 404, errorBody(path, 'NotFound', 'No such endpoint.'));
      return;
    }
    const authenticated = cookie !== undefined && sessions.has(cookie);
    if (!authenticated) {
      json(res, 401, errorBody(path, breaks.has('missing-error-type') ? undefined : 'Unauthenticated', 'The requested resource requires authentication.'));
      return;
    }
    const idMatch = /\/(backup_policies|nodes)\/([^/]+)$/.exec(path);
    const policies = '/api/configuration/policies/backup_policies';
    const created = idMatch ? tx?.policies.get(decodeURIComponent(idMatch[2]!)) : undefined;
    if (created !== undefined && tx) {
      // An object created in this session's transaction: read or deleted.
      if (method === 'DELETE') {
        tx.policies.delete(decodeURIComponent(idMatch![2]!));
        tx.changes.push({ type: 'delete', path, old_value: created });
        return json(res, 200, { meta: { href: path, parent: policies, transaction: '/api/transaction' } });
      }
      const ex = exampleFor(op, path) as Record<string, unknown>;
      return json(res, 200, { ...ex, key: decodeURIComponent(idMatch![2]!), body: created });
    }
    if (path === policies && method === 'POST') {
      if (!tx) return json(res, 409, errorBody(path, 'ConfigurationLocked', 'No transaction.'));
      const key = randomBytes(11).toString('hex');
      const value = JSON.parse(body) as unknown;
      tx.policies.set(key, value);
      tx.changes.push({ type: 'create', path: `${path}/${key}`, new_value: value });
      return json(res, 201, { key, meta: { href: path, parent: '/api/configuration/policies', transaction: '/api/transaction' } });
    }
    if (path === policies && method === 'GET' && tx && tx.policies.size > 0) {
      const ex = exampleFor(op, path) as { items: unknown[] };
      for (const [key, value] of tx.policies) ex.items.push({ key, body: value, meta: { href: `${path}/${key}` } });
      return json(res, 200, ex);
    }
    if (idMatch && !knownIds.has(decodeURIComponent(idMatch[2]!))) {
      json(res, 404, errorBody(path, 'NotFound', 'The requested object does not exist.'));
      return;
    }
    if (path === '/api/transaction') {
      const status = (): unknown => ({ body: { status: tx ? 'open' : 'closed' }, key: 'transaction', meta: { href: path, parent: '/api' } });
      if (method === 'GET') return json(res, 200, status());
      if (method === 'POST') {
        tx ??= { staged: structuredClone(committed), changes: [], policies: new Map() };
        return json(res, 200, status());
      }
      if (method === 'DELETE') {
        tx = undefined;
        return json(res, 200, status());
      }
      return json(res, 400, errorBody(path, 'SemanticError', 'Commits are not expected in these tests.'));
    }
    if (path === '/api/transaction/changes') {
      return json(res, 200, { changes: tx?.changes ?? [], meta: { href: path, parent: '/api/transaction', transaction: '/api/transaction' } });
    }
    if (path === '/api/configuration/datetime' && method === 'GET' && breaks.has('undocumented-status')) {
      return json(res, 418, errorBody(path, 'Teapot', 'I am a teapot.'));
    }
    if (path === '/api/configuration/datetime/timezone') {
      if (method === 'PUT') {
        if (!tx) return json(res, 409, errorBody(path, 'ConfigurationLocked', 'No transaction.'));
        const value = JSON.parse(body) as string;
        if (typeof value !== 'string' || value === '') return json(res, 400, errorBody(path, 'SemanticError', 'The timezone must be a non-empty string.'));
        const old = tx.staged.timezone;
        tx.staged.timezone = breaks.has('readback-differs') ? 'Europe/Somewhere' : value;
        tx.changes.push({ type: 'replace', path, old_value: old, new_value: tx.staged.timezone });
        return json(res, 200, { key: 'timezone', meta: { href: path, parent: '/api/configuration/datetime', transaction: '/api/transaction' } });
      }
      const ex = exampleFor(op, path) as Record<string, unknown>;
      ex.body = view().timezone;
      if (breaks.has('schema-violation')) ex.body = 42;
      if (breaks.has('wrong-meta-href')) (ex.meta as Record<string, unknown>).href = '/api/configuration/datetime/ntp_servers';
      if (breaks.has('extra-property')) ex.sps_build = '7.4.0-test';
      if (breaks.has('wrong-content-type')) {
        const text = JSON.stringify(ex);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(text);
        return;
      }
      return json(res, 200, ex);
    }
    if (path === '/api/configuration/datetime/ntp_servers' && method === 'PUT') {
      if (!tx) return json(res, 409, errorBody(path, 'ConfigurationLocked', 'No transaction.'));
      const old = tx.staged.ntp;
      const list = JSON.parse(body) as unknown;
      const server = (s: unknown) =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Record<string, unknown>).selection === 'string' &&
        typeof (s as Record<string, unknown>).value === 'string';
      if (!(Array.isArray(list) && list.every(server)))
        return json(res, 400, errorBody(path, 'SemanticError', 'Each NTP server needs a selection and a value.'));
      tx.staged.ntp = list as unknown[];
      tx.changes.push({ type: 'replace', path, old_value: old, new_value: tx.staged.ntp });
      return json(res, 200, { key: 'ntp_servers', meta: { href: path, parent: '/api/configuration/datetime', transaction: '/api/transaction' } });
    }
    if (method === 'GET') {
      const ex = exampleFor(op, path) as Record<string, unknown>;
      if (path === '/api/configuration/datetime/ntp_servers') ex.body = view().ntp;
      return json(res, 200, ex);
    }
    json(res, 400, errorBody(path, 'SemanticError', `${method} is not expected in these tests.`));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
        json(res, 500, errorBody('/', 'Internal', String(err)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    password,
    get logins() {
      return state.logins;
    },
    requests: state.requests,
    sessionIds: () => [...sessions],
    transactionOpen: () => tx !== undefined,
    committed: () => structuredClone(committed),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
