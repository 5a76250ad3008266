import { parentOf } from './paths.js';

/**
 * An SPS application error. Thrown by handlers, turned into
 * `{error: {type, message, details}, meta: {href, parent}}` by the appliance's dispatcher.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(path: string, type: string, message: string, details: Record<string, unknown>): unknown {
  const meta: Record<string, string> = { href: path };
  const parent = parentOf(path);
  if (parent !== undefined) meta.parent = parent;
  return { error: { type, message, details }, meta };
}

export const notFound = (path: string): ApiError => new ApiError(404, 'NotFound', 'The requested object does not exist.', { path });

export const semantic = (message: string, details: Record<string, unknown> = {}): ApiError => new ApiError(400, 'SemanticError', message, details);

export const syntactic = (message: string, details: Record<string, unknown> = {}): ApiError => new ApiError(400, 'SyntacticError', message, details);

/** A `SemanticError` listing every problem of a request body. */
export function invalid(path: string, problems: string[]): never {
  throw semantic(problems.join(' '), { path, problems });
}

export const unauthorized = (path: string): ApiError =>
  new ApiError(403, 'Unauthorized', 'The user has no privilege to access the requested resource.', { path });
