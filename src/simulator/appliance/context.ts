/**
 * What a handler gets: the appliance, the request, the session, and access to the session's view
 * of the state. Handlers return a `Reply` or throw an `ApiError`.
 *
 * Handlers see the appliance through {@link ApplianceApi} (implemented by `Appliance`), never the
 * HTTP server, so this module imports neither.
 */
import type { SimState, Change } from '../state/state.js';
import type { ConfigStore } from '../state/store.js';
import type { SimBehaviour, SimClock, SimStats } from '../types.js';
import type { SimSpec } from '../engine/spec.js';
import { parseJsonText } from '../../shared/json.js';
import { syntactic } from './api-error.js';
import type { ClusterRegistry } from './registry.js';
import type { Session, SessionStore } from './sessions.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string | string[]>;
}

/** The appliance as handlers see it. */
export interface ApplianceApi {
  readonly nodeId: string;
  readonly index: number;
  readonly fqdn: string;
  readonly https: boolean;
  readonly address: string;
  readonly closed: boolean;
  readonly clock: SimClock;
  readonly stats: SimStats;
  readonly store: ConfigStore;
  readonly sessions: SessionStore;
  readonly registry: ClusterRegistry<ApplianceApi>;
  readonly firmwareVersion: string;
  /** The spec the node serves, cut to its SPS version. */
  readonly spec: SimSpec;
  readonly behaviour: Readonly<SimBehaviour>;
  /** Keys of a directory (sorted), from the route table; undefined when nothing lives below `dir`. */
  children(dir: string, state: SimState): string[] | undefined;
}

export interface PublicCtx {
  appliance: ApplianceApi;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The request announced a body length (Content-Length or Transfer-Encoding). */
  hasBodyLength: boolean;
  /** The caller's session when it sent a valid cookie (public routes may use it, or not). */
  session?: Session;
}

export interface Ctx extends PublicCtx {
  session: Session;
}

export type PublicHandler = (ctx: PublicCtx) => Reply | Promise<Reply>;
export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

/** Parses the request body as JSON; an empty or malformed body is a `SyntacticError`. */
export function jsonBody(ctx: PublicCtx): unknown {
  const parsed = parseJsonText(ctx.rawBody);
  if (parsed.ok) return parsed.value;
  if (parsed.reason === 'empty') throw syntactic('The request body is empty; a JSON document was expected.', { path: ctx.path });
  throw syntactic('The request body is not valid JSON.', { path: ctx.path, reason: parsed.reason });
}

/** The state the session reads (its staged copy while it holds the lock). */
export function view(ctx: Ctx): SimState {
  return ctx.appliance.store.view(ctx.session.id);
}

/**
 * Applies a change to the session's staged state, opening a transaction if none is open. With
 * the `ignorePuts` switch a PUT is validated and logged, but the stored value stays.
 */
export function write<T>(ctx: Ctx, fn: (draft: SimState, changes: Change[]) => T): T {
  const discard = ctx.method === 'PUT' && ctx.appliance.behaviour.ignorePuts === true;
  return ctx.appliance.store.write(ctx.session.id, ctx.session.username, ctx.path, fn, { discard });
}

/** Registers a hook to run if the session's transaction is rolled back or cancelled. */
export function onRollback(ctx: Ctx, hook: () => void): void {
  const tx = ctx.appliance.store.tx;
  if (tx && tx.sessionId === ctx.session.id) tx.rollbackHooks.push(hook);
}

/** `{remaining_seconds}` while the session holds the open transaction, else `{}`. */
export function txMeta(ctx: Ctx): { remaining_seconds?: number } {
  const { store } = ctx.appliance;
  if (!store.holds(ctx.session.id)) return {};
  const left = store.remainingSeconds();
  return left === undefined ? {} : { remaining_seconds: left };
}
