/**
 * A small fake SPS node for the discovery tests: a tree of directories, settings, a list of
 * objects by id (with bodies), a collection of sessions by id (many items, meta links between
 * siblings), a binary download, a 403 and a 500 endpoint, meta cycles, fragment links, a large
 * directory, secrets in bodies, and a node of another version with an extra endpoint.
 * Every route is defined once in `routes`; the tests derive what the crawl must find from it.
 *
 * Why it is not the simulator: discovery is tested here on shapes no contract path has and no
 * real node is known to serve (meta cycles, fragment links, secrets planted where the test
 * knows them, a binary download counted by bytes), on two nodes that differ in version and in
 * one endpoint (the simulator's nodes all run one version and serve one route table), and on
 * the exact request log (`log`). What the simulator can serve runs on it in
 * tests/discover/simulator.test.ts (`--beyond-contract`): the whole crawl and its drafts, a node
 * that goes away mid-crawl, --max-requests, a failed login, HTTPS verification, an unreachable
 * node.
 */
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const SECRETS = {
  password: 'Fake-Admin-Pw-7781',
  smtpPassword: 'smtp-secret-Quixotic-42',
  psk: 'psk-Zanzibar-99-secret',
  token: 'tok_Marmalade_31337',
  host: 'mail.customer-internal.example',
  user: 'jdoe.customer',
  hash: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  cert: '-----BEGIN CERTIFICATE-----MIIBfakecertificatebody-----END CERTIFICATE-----',
};

export const USER = 'auditor';

type Route = { status: number; json?: unknown; binary?: { type: string; bytes: number }; html?: string };

function dir(path: string, children: string[], meta: Record<string, unknown> = {}): Route {
  return {
    status: 200,
    json: {
      items: children.map((c) => ({ key: c.slice(c.lastIndexOf('/') + 1), meta: { href: c } })),
      meta: { href: path, parent: path.slice(0, path.lastIndexOf('/')) || null, ...meta },
    },
  };
}

function obj(path: string, body: unknown, meta: Record<string, unknown> = {}): Route {
  return {
    status: 200,
    json: { key: path.slice(path.lastIndexOf('/') + 1), body, meta: { href: path, parent: path.slice(0, path.lastIndexOf('/')), ...meta } },
  };
}

const uuid = (i: number): string => `${(0x1a2b3c00 + i).toString(16)}-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;

export const POLICY_IDS = Array.from({ length: 12 }, (_, i) => uuid(i));
export const SESSION_IDS = Array.from({ length: 40 }, (_, i) => String(1_000_000 + i));
export const LARGE_CHILDREN = Array.from(
  { length: 30 },
  (_, i) => `setting_${String.fromCharCode(97 + Math.floor(i / 26))}${String.fromCharCode(97 + (i % 26))}`,
);
export const BINARY_BYTES = 8 * 1024 * 1024;

export function buildRoutes(): Map<string, Route> {
  const r = new Map<string, Route>();
  r.set('/api', dir('/api', ['/api/authentication', '/api/configuration', '/api/cluster', '/api/audit', '/api/troubleshooting', '/api/large']));
  r.set('/api/info', obj('/api/info', { firmware_version: '7.5.1', hostname: SECRETS.host }));
  r.set('/api/authentication/login_methods', {
    status: 200,
    json: { login_methods: [{ name: 'local', type: 'password' }], meta: { href: '/api/authentication/login_methods', parent: '/api/authentication' } },
  });
  r.set(
    '/api/configuration',
    dir(
      '/api/configuration',
      [
        '/api/configuration/datetime',
        '/api/configuration/policies',
        '/api/configuration/management',
        '/api/configuration/restricted',
        '/api/configuration/starling',
      ],
      { first: '/api/cluster#top', last: '/api/configuration' },
    ),
  );
  r.set('/api/configuration/datetime', dir('/api/configuration/datetime', ['/api/configuration/datetime/ntp_servers', '/api/configuration/datetime/timezone']));
  r.set(
    '/api/configuration/datetime/ntp_servers',
    obj('/api/configuration/datetime/ntp_servers', [{ selection: 'fqdn', value: SECRETS.host }], {
      next: '/api/configuration/datetime/timezone',
      previous: null,
      first: '/api/configuration/datetime/ntp_servers',
      last: '/api/configuration/datetime/timezone',
      transaction: '/api/transaction',
    }),
  );
  r.set(
    '/api/configuration/datetime/timezone',
    obj('/api/configuration/datetime/timezone', 'Europe/Budapest', {
      previous: '/api/configuration/datetime/ntp_servers#x',
      next: null,
      first: '/api/configuration/datetime/ntp_servers',
      last: '/api/configuration/datetime/timezone',
    }),
  );
  r.set('/api/transaction', { status: 200, json: { key: 'transaction', body: { status: 'closed' }, meta: { href: '/api/transaction', parent: '/api' } } });
  r.set('/api/configuration/policies', dir('/api/configuration/policies', ['/api/configuration/policies/backup_policies']));
  const policyItems = POLICY_IDS.map((id) => ({
    key: id,
    body: { name: `policy-${id}`, target: { selection: 'fqdn', value: SECRETS.host }, password: SECRETS.password.split('').reverse().join('') },
    meta: { href: `/api/configuration/policies/backup_policies/${id}` },
  }));
  r.set('/api/configuration/policies/backup_policies', {
    status: 200,
    json: { items: policyItems, meta: { href: '/api/configuration/policies/backup_policies', parent: '/api/configuration/policies' } },
  });
  for (const [i, id] of POLICY_IDS.entries()) {
    r.set(
      `/api/configuration/policies/backup_policies/${id}`,
      obj(`/api/configuration/policies/backup_policies/${id}`, policyItems[i]!.body, {
        next: POLICY_IDS[i + 1] ? `/api/configuration/policies/backup_policies/${POLICY_IDS[i + 1]}` : null,
        previous: i > 0 ? `/api/configuration/policies/backup_policies/${POLICY_IDS[i - 1]}` : null,
      }),
    );
  }
  r.set('/api/configuration/management', dir('/api/configuration/management', ['/api/configuration/management/mail_relay']));
  r.set(
    '/api/configuration/management/mail_relay',
    obj('/api/configuration/management/mail_relay', {
      smtp_server: { selection: 'fqdn', value: SECRETS.host },
      username: SECRETS.user,
      password: SECRETS.smtpPassword,
      port: 25,
      tls: true,
      recipients: [SECRETS.user],
      admin: null,
    }),
  );
  r.set('/api/configuration/restricted', {
    status: 403,
    json: { error: { type: 'Unauthorized', message: 'no privilege' }, meta: { href: '/api/configuration/restricted', parent: '/api/configuration' } },
  });
  r.set(
    '/api/configuration/starling',
    obj('/api/configuration/starling', {
      psk: SECRETS.psk,
      token: SECRETS.token,
      certificate: SECRETS.cert,
      fingerprint: SECRETS.hash,
      enabled: false,
      interfaces: { '@order': ['ab12cd34ef'], ab12cd34ef: { address: SECRETS.host } },
    }),
  );
  r.set('/api/cluster', dir('/api/cluster', ['/api/cluster/spp']));
  r.set('/api/cluster/spp', {
    status: 500,
    json: { error: { type: 'InternalError', message: 'boom' }, meta: { href: '/api/cluster/spp', parent: '/api/cluster' } },
  });
  r.set('/api/audit', dir('/api/audit', ['/api/audit/sessions', '/api/audit/huge_report']));
  // A JSON body over the crawl's 2 MiB cap: abandoned, not parsed.
  r.set(
    '/api/audit/huge_report',
    obj('/api/audit/huge_report', { rows: Array.from({ length: 60_000 }, (_, i) => `row ${i} ${SECRETS.user} ${'x'.repeat(40)}`) }),
  );
  r.set(
    '/api/audit/sessions',
    dir(
      '/api/audit/sessions',
      SESSION_IDS.map((id) => `/api/audit/sessions/${id}`),
    ),
  );
  SESSION_IDS.forEach((id, i) => {
    r.set(
      `/api/audit/sessions/${id}`,
      obj(
        `/api/audit/sessions/${id}`,
        { user: SECRETS.user, server: SECRETS.host, duration: 12.5 + i, protocol: 'ssh' },
        { next: SESSION_IDS[i + 1] ? `/api/audit/sessions/${SESSION_IDS[i + 1]}` : null, audit_trail: `/api/audit/sessions/${id}/audit_trail#download` },
      ),
    );
    r.set(`/api/audit/sessions/${id}/audit_trail`, { status: 200, binary: { type: 'application/octet-stream', bytes: 1024 } });
  });
  r.set('/api/troubleshooting', dir('/api/troubleshooting', ['/api/troubleshooting/support-bundle']));
  r.set(
    '/api/troubleshooting/support-bundle',
    obj('/api/troubleshooting/support-bundle', { status: 'ready' }, { download: '/api/troubleshooting/support-bundle/download' }),
  );
  r.set('/api/troubleshooting/support-bundle/download', { status: 200, binary: { type: 'application/x-tar', bytes: BINARY_BYTES } });
  r.set(
    '/api/large',
    dir(
      '/api/large',
      LARGE_CHILDREN.map((c) => `/api/large/${c}`),
    ),
  );
  for (const c of LARGE_CHILDREN) r.set(`/api/large/${c}`, obj(`/api/large/${c}`, { value: c, enabled: true }));
  return r;
}

export interface FakeNode {
  url: string;
  routes: Map<string, Route>;
  log: { method: string; path: string }[];
  logins: number;
  sessionIds: string[];
  /** Bytes of the big download actually written before the client went away. */
  binaryBytesSent: number;
  close(): Promise<void>;
}

export async function startFakeNode(opts: { version?: string; extra?: Record<string, unknown> } = {}): Promise<FakeNode> {
  const routes = buildRoutes();
  if (opts.version) routes.set('/api/info', obj('/api/info', { firmware_version: opts.version }));
  for (const [path, body] of Object.entries(opts.extra ?? {})) {
    routes.set(path, obj(path, body));
    const api = routes.get('/api')!.json as { items: unknown[] };
    api.items.push({ key: path.slice(5), meta: { href: path } });
  }
  const sessions = new Set<string>();
  const node: FakeNode = { url: '', routes, log: [], logins: 0, sessionIds: [], binaryBytesSent: 0, close: async () => undefined };
  const send = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string | string[]> = {}): void => {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    node.log.push({ method: req.method ?? '', path });
    if (path === '/api/authentication') {
      node.logins++;
      const auth = req.headers.authorization ?? '';
      if (auth !== `Basic ${Buffer.from(`${USER}:${SECRETS.password}`).toString('base64')}`) {
        send(res, 401, { error: { type: 'AuthenticationFailure', message: 'bad credentials' } });
        return;
      }
      const id = randomBytes(20).toString('hex');
      sessions.add(id);
      node.sessionIds.push(id);
      send(
        res,
        200,
        { body: { session_id: id }, meta: { href: '/api/authentication', parent: '/api' } },
        { 'set-cookie': `session_id=${id}; Path=/; HttpOnly; Secure` },
      );
      return;
    }
    const cookie = /session_id=([0-9a-f]+)/.exec(req.headers.cookie ?? '')?.[1];
    if (path !== '/api/info' && path !== '/api/authentication/login_methods' && (!cookie || !sessions.has(cookie))) {
      send(res, 401, { error: { type: 'Unauthenticated', message: 'log in first' } });
      return;
    }
    const route = routes.get(path);
    if (!route) {
      send(res, 404, { error: { type: 'NotFound', message: 'no such path' } });
      return;
    }
    if (route.binary) {
      res.writeHead(200, { 'content-type': route.binary.type, 'content-length': route.binary.bytes });
      const chunk = Buffer.alloc(64 * 1024, 7);
      let left = route.binary.bytes;
      const big = route.binary.bytes === BINARY_BYTES;
      const pump = (): void => {
        while (left > 0 && !res.destroyed) {
          const part = chunk.subarray(0, Math.min(chunk.length, left));
          left -= part.length;
          if (big) node.binaryBytesSent += part.length;
          if (!res.write(part)) {
            res.once('drain', pump);
            return;
          }
        }
        if (left <= 0) res.end();
      };
      pump();
      return;
    }
    send(res, route.status, route.json);
  };
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  node.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return node;
}
