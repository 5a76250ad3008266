/**
 * What a handler gets: the node, the request, the session, and access to the session's view of
 * the state. Handlers return a `Reply` or throw an `ApiError`.
 */
import { syntactic } from './errors.js';
import type { NodeRuntime } from './node.js';
import type { Session } from './sessions.js';
import type { Change, SimState } from './state.js';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string | string[]>;
}

export interface PublicCtx {
  node: NodeRuntime;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  /** The request announced a body length (Content-Length or Transfer-Encoding). */
  hasBodyLength: boolean;
}

export interface Ctx extends PublicCtx {
  session: Session;
}

export type PublicHandler = (ctx: PublicCtx) => Reply | Promise<Reply>;
export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

export type RouteDef = { public: true; fn: PublicHandler } | { public: false; fn: Handler };

/** Parses the request body as JSON; an empty or malformed body is a `SyntacticError`. */
export function jsonBody(ctx: PublicCtx): unknown {
  const text = ctx.rawBody.trim();
  if (text.length === 0) throw syntactic('The request body is empty; a JSON document was expected.', { path: ctx.path });
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw syntactic('The request body is not valid JSON.', { path: ctx.path, reason: (e as Error).message });
  }
}

/** The state the session reads (its staged copy while it holds the lock). */
export function view(ctx: Ctx): SimState {
  return ctx.node.store.view(ctx.session.id);
}

/** Applies a change to the session's staged state, opening a transaction if none is open. */
export function write<T>(ctx: Ctx, fn: (draft: SimState, changes: Change[]) => T): T {
  return ctx.node.store.write(ctx.session.id, ctx.session.username, ctx.path, fn);
}

/** Registers a hook to run if the session's transaction is rolled back or cancelled. */
export function onRollback(ctx: Ctx, hook: () => void): void {
  const tx = ctx.node.store.tx;
  if (tx && tx.sessionId === ctx.session.id) tx.rollbackHooks.push(hook);
}

/** `{remaining_seconds}` while the session holds the open transaction, else `{}`. */
export function txMeta(ctx: Ctx): { remaining_seconds?: number } {
  if (!ctx.node.store.holds(ctx.session.id)) return {};
  const left = ctx.node.store.remainingSeconds();
  return left === undefined ? {} : { remaining_seconds: left };
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
