import { NORMAL, WRITE } from '../check-api.js';
import { escapePointer } from '../../model/operations.js';
import { describeSource, readingPhrase, strengthOf } from '../../model/verdict.js';
import { readingResult, resultFor, sourcedResult, type CheckContext, type CheckDefinition, type Exchange } from '../check-api.js';
import { documentedFor, errorTypeOf, receivedJson, show } from './util.js';

/** The error types decisions.md lists per status, used when a response documents none itself. */
const check = 'error_body';

export const DEFAULT_ERROR_TYPES: Record<number, string[]> = {
  400: ['InvalidQuery', 'SyntacticError', 'SemanticError', 'IncompleteConfiguration'],
  401: ['Unauthenticated', 'AuthenticationFailure'],
  403: ['Unauthorized'],
  404: ['NotFound'],
};

/**
 * A failure when the documented response rests on a fact, a soft row when it is marked as an
 * inference or our reading (e.g. the 409 `ConfigurationLocked` response).
 */
function problem(ctx: CheckContext, ex: Exchange, status: string, message: string) {
  const pointer = `${ex.op.pointer}/responses/${escapePointer(status)}`;
  const source = ctx.judge.sourceAt(pointer);
  if (!source || strengthOf(source.kind) === 'fact') return [sourcedResult(ctx, ex, check, source, message)];
  const reasons = [describeSource(source)];
  return [readingResult(ctx, ex, check, reasons, `${readingPhrase(reasons)}: ${message}`, source.kind)];
}

/**
 * `error_body`: an error response (4xx/5xx with a documented JSON body) carries a
 * string `error.type` of a kind documented for that status: the response's `x-error-types` or
 * `error.type` const/enum in its schema; failing those, the `error.type` of its examples;
 * failing those, {@link DEFAULT_ERROR_TYPES}.
 */
export const errorBody: CheckDefinition = {
  name: check,
  formerNames: ['error_body_conformance'],
  passes:
    "a 4xx/5xx with a documented JSON body carries a string `error.type` of a kind documented for that status: the response's `x-error-types`, or a `const`/`enum` of `error.type` in its schema; only when neither exists, the `error.type` of its examples; failing all, 400 `InvalidQuery`/`SyntacticError`/`SemanticError`/`IncompleteConfiguration`, 401 `Unauthenticated`/`AuthenticationFailure`, 403 `Unauthorized`, 404 `NotFound`",
  mock: 'checked',
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    const doc = documentedFor(ex);
    if (!ex.response || ex.response.status < 400 || !doc?.json) return [];
    const status = ex.response.status;
    if (!receivedJson(ex)) {
      return problem(ctx, ex, doc.status, `${status}: the error response is not JSON, so it carries no error.type`);
    }
    const type = errorTypeOf(ex.response.json);
    if (typeof type !== 'string' || type === '') {
      return problem(ctx, ex, doc.status, `${status}: no error.type in the body (error is ${show((ex.response.json as Record<string, unknown>)?.error)})`);
    }
    const documented = doc.errorTypes.length > 0 ? doc.errorTypes : (DEFAULT_ERROR_TYPES[status] ?? []);
    if (documented.length > 0 && !documented.includes(type)) {
      return problem(ctx, ex, doc.status, `${status}: error.type is ${show(type)}, documented for ${status}: ${documented.join(', ')}`);
    }
    return [resultFor(ex, check, 'passed', `${status}: error.type ${type}`)];
  },
};
