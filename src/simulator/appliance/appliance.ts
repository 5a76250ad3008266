/**
 * One simulated appliance without its HTTP server: state, sessions, the configuration lock,
 * behaviour switches, dispatch and privilege checks. A request goes: expiry sweep -> route ->
 * session -> privilege -> handler; `ApiError`s become the SPS error envelope.
 */
import { randomUUID } from 'node:crypto';
import { parseCookieHeader } from '../../shared/cookies.js';
import { isObject } from '../../shared/json.js';
import { checkRequestBody, type SimSpec } from '../engine/spec.js';
import type { RouteTree } from '../routes/tree.js';
import type { SimState } from '../state/state.js';
import { initialState } from '../state/seed.js';
import { ConfigStore } from '../state/store.js';
import type { SimBehaviour, SimClock, SimStats, SimUsers } from '../types.js';
import type { ApplianceApi, PublicCtx, Reply } from './context.js';
import { ApiError, errorBody, notFound, unauthorized } from './api-error.js';
import { isAllowed } from './privileges.js';
import type { ClusterRegistry } from './registry.js';
import { SessionStore } from './sessions.js';

export interface ApplianceOptions {
  index: number;
  https: boolean;
  users: SimUsers;
  clock: SimClock;
  sessionIdleSeconds: number;
  transactionSeconds: number;
  firmwareVersion: string;
  behaviour: SimBehaviour;
  registry: ClusterRegistry<ApplianceApi>;
  routes: RouteTree;
  /** The spec the node serves, cut to its SPS version. */
  spec: SimSpec;
}

/** A request as the HTTP server hands it over (body already read). */
export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  hasBodyLength: boolean;
}

export function emptyStats(): SimStats {
  return { logins: 0, loginFailures: 0, failedLogins: {}, requests: 0, writes: 0, byMethod: {}, byStatus: {}, neverSend: {} };
}

export class Appliance implements ApplianceApi {
  readonly nodeId = randomUUID();
  readonly index: number;
  readonly fqdn: string;
  readonly https: boolean;
  readonly clock: SimClock;
  readonly registry: ClusterRegistry<ApplianceApi>;
  readonly stats: SimStats = emptyStats();
  readonly store: ConfigStore;
  readonly sessions: SessionStore;
  readonly firmwareVersion: string;
  readonly spec: SimSpec;
  behaviour: SimBehaviour;
  /** Set by the server once it listens. */
  address = '';
  closed = false;
  private readonly routes: RouteTree;

  constructor(opts: ApplianceOptions) {
    this.index = opts.index;
    this.fqdn = `sps-node-${opts.index}.sim.local`;
    this.https = opts.https;
    this.clock = opts.clock;
    this.registry = opts.registry;
    this.firmwareVersion = opts.firmwareVersion;
    this.behaviour = { ...opts.behaviour };
    this.routes = opts.routes;
    this.spec = opts.spec;
    this.store = new ConfigStore(initialState(opts.spec), opts.clock, opts.transactionSeconds * 1000);
    this.sessions = new SessionStore(opts.users, opts.clock, opts.sessionIdleSeconds * 1000);
  }

  children(dir: string, state: SimState): string[] | undefined {
    return this.routes.children(dir, state);
  }

  /** Expires the transaction and idle sessions (whose lock is then released). */
  sweep(): void {
    this.store.expireIfDue();
    for (const s of this.sessions.sweep()) this.store.rollback(s.id);
  }

  async handle(req: SimRequest): Promise<Reply> {
    const reply = await this.dispatch(req);
    return this.behaviour.readingVariant === 'parent-slash' ? parentSlash(req, reply) : reply;
  }

  private async dispatch(req: SimRequest): Promise<Reply> {
    const { method, path } = req;
    try {
      this.sweep();
      const match = this.routes.router.match(method, path);
      const op = match.kind === 'match' ? this.spec.operation(method === 'HEAD' ? 'GET' : method, match.pattern) : undefined;
      if (op?.neverSend !== undefined) this.stats.neverSend[op.operationId] = (this.stats.neverSend[op.operationId] ?? 0) + 1;
      const sessionId = parseCookieHeader(firstHeader(req.headers.cookie)).get('session_id');
      const session = this.sessions.touch(sessionId) ?? (sessionId && this.behaviour.acceptMadeUpSession ? this.sessions.adopt(sessionId) : undefined);
      const base: PublicCtx = {
        appliance: this,
        ...req,
        params: match.kind === 'match' ? match.params : {},
        ...(session ? { session } : {}),
      };
      if (match.kind === 'match' && match.handler.public) return await match.handler.fn(base);

      if (!session) {
        throw new ApiError(401, 'Unauthenticated', 'The requested resource requires authentication.', { path });
      }
      if (!isAllowed(session, method, path, this.behaviour)) throw unauthorized(path);
      if (match.kind === 'notFound') throw notFound(path);
      if (match.kind === 'methodNotAllowed') {
        throw new ApiError(
          405,
          'MethodNotAllowed',
          `The ${method} method is not allowed on this endpoint.`,
          { path, allowed: match.allowed },
          { allow: match.allowed.join(', ') },
        );
      }
      if (method === 'PUT' || method === 'POST' || method === 'PATCH') {
        // THE check of every documented request body (engine/spec.ts).
        checkRequestBody(this.spec, op, path, req.rawBody, this.behaviour.acceptInvalidBodies === true);
      }
      if (match.handler.public) return await match.handler.fn(base);
      return await match.handler.fn({ ...base, session });
    } catch (e) {
      if (e instanceof ApiError) {
        return { status: e.status, body: errorBody(path, e.type, e.message, e.details), headers: e.headers };
      }
      return {
        status: 500,
        body: errorBody(path, 'InternalError', 'The simulator failed to handle the request.', { path }),
      };
    }
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The `parent-slash` reading variant: `GET /api` answers carry `meta.parent: "/"`. */
function parentSlash(req: SimRequest, reply: Reply): Reply {
  if (req.path !== '/api' || (req.method !== 'GET' && req.method !== 'HEAD')) return reply;
  if (!isObject(reply.body) || !isObject(reply.body.meta)) return reply;
  return { ...reply, body: { ...reply.body, meta: { ...reply.body.meta, parent: '/' } } };
}
