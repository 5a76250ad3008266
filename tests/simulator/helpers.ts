import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Agent, fetch } from 'undici';
import { loadSpec } from '../../src/model/operations.js';
import { DEFAULT_SPS_VERSION, loadSimSpec } from '../../src/simulator/engine/spec.js';
import { startSimulator, type SimNode, type SimulatorHandle, type SimulatorOptions, type SimUser } from '../../src/simulator/index.js';

export const ADMIN: SimUser = { username: 'admin', password: 'admin-test-password' };
export const OPERATOR: SimUser = { username: 'operator', password: 'operator-test-password' };
export const AUDITOR: SimUser = { username: 'auditor', password: 'auditor-test-password' };

export interface ApiResponse {
  status: number;
  headers: Headers;
  setCookies: string[];
  text: string;
  json: any;
}

export interface TestSim {
  sim: SimulatorHandle;
  agent: Agent;
  node(i: number): SimNode;
  client(i?: number): ApiClient;
  close(): Promise<void>;
}

export async function startTestSim(opts: SimulatorOptions = {}): Promise<TestSim> {
  const sim = await startSimulator({ users: { admin: ADMIN, auditor: AUDITOR, operator: OPERATOR }, ...opts });
  const agent = new Agent(sim.caPem ? { connect: { ca: sim.caPem } } : {});
  const node = (i: number): SimNode => {
    const n = sim.nodes[i];
    if (!n) throw new Error(`no node ${i}`);
    return n;
  };
  return {
    sim,
    agent,
    node,
    client: (i = 0) => new ApiClient(node(i).url, agent),
    close: async () => {
      // The simulator first: a hanging request would keep a graceful agent.close() waiting.
      await sim.close();
      await agent.close();
    },
  };
}

const basic = (u: SimUser): string => `Basic ${Buffer.from(`${u.username}:${u.password}`, 'utf8').toString('base64')}`;

/** A tiny cookie-keeping client over undici fetch (what a real client would do). */
export class ApiClient {
  cookie: string | undefined;

  constructor(
    readonly baseUrl: string,
    private readonly agent: Agent,
  ) {}

  async login(user: SimUser = ADMIN): Promise<ApiResponse> {
    const r = await this.raw('GET', '/api/authentication', { headers: { authorization: basic(user) } });
    const c = r.setCookies.find((s) => s.startsWith('session_id='));
    if (c) this.cookie = c.split(';')[0];
    return r;
  }

  get(path: string): Promise<ApiResponse> {
    return this.raw('GET', path);
  }

  put(path: string, body: unknown): Promise<ApiResponse> {
    return this.raw('PUT', path, { body: JSON.stringify(body) });
  }

  post(path: string, body?: unknown): Promise<ApiResponse> {
    return this.raw('POST', path, body === undefined ? {} : { body: JSON.stringify(body) });
  }

  delete(path: string): Promise<ApiResponse> {
    return this.raw('DELETE', path);
  }

  async raw(method: string, path: string, opts: { headers?: Record<string, string>; body?: string; signal?: AbortSignal } = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'sps-contract-tests', ...opts.headers };
    if (this.cookie && !('cookie' in headers)) headers.cookie = this.cookie;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const init: Parameters<typeof fetch>[1] = { method, headers, dispatcher: this.agent };
    if (opts.body !== undefined) init.body = opts.body;
    if (opts.signal) init.signal = opts.signal;
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers as unknown as Headers, setCookies: res.headers.getSetCookie(), text, json };
  }
}

/**
 * Sends a hand-written HTTP/1.1 request over a raw (TLS) socket, so that no client library adds
 * a Content-Length on its own. Returns the status code and the body text.
 */
export function rawRequest(url: string, ca: string | undefined, lines: string[]): Promise<{ status: number; head: string; body: string }> {
  const u = new URL(url);
  const port = Number(u.port);
  return new Promise((resolve, reject) => {
    const socket =
      u.protocol === 'https:' ? tlsConnect({ host: u.hostname, port, servername: 'localhost', ...(ca ? { ca } : {}) }) : netConnect({ host: u.hostname, port });
    const chunks: Buffer[] = [];
    socket.on(u.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, head, body });
    });
  });
}

const seedSpec = loadSpec();

/** The body of the default 200 example of a GET: what a fresh simulated node holds there (its seed). */
export function seedBody(template: string): unknown {
  const op = seedSpec.operations.find((o) => o.method === 'GET' && o.path === template);
  const examples = op?.responses.find((r) => r.status === '200')?.json?.examples ?? {};
  const ex = ('default' in examples ? examples.default : Object.values(examples)[0]) as { body?: unknown } | undefined;
  return ex?.body;
}

/** The seeded time zone (the spec's example), and a zone that differs from it. */
export const SEED_TZ = seedBody('/api/configuration/datetime/timezone') as string;

/** The stored value of a configuration path in a state (engine layout: one key per segment). */
export function configAt(state: { configuration: unknown }, path: string): unknown {
  let cur: unknown = state.configuration;
  for (const seg of path
    .replace(/^\/api\/configuration\/?/, '')
    .split('/')
    .filter(Boolean)) {
    cur = (cur as Record<string, unknown> | undefined)?.[seg];
  }
  return cur;
}

/** The children a directory lists, from the spec as the default SPS version documents it (sorted). */
export function specChildren(dir: string): string[] {
  const templates = loadSimSpec({}, DEFAULT_SPS_VERSION).model.pathTemplates;
  const next = templates
    .filter((t) => t.startsWith(`${dir}/`) && t !== '/api/info')
    .map((t) => t.slice(dir.length + 1).split('/')[0] as string)
    .filter((s) => !s.startsWith('{'));
  return [...new Set(next)].sort();
}
