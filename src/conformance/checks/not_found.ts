import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { errorTypeOf, show } from './util.js';

/** `not_found`: a made-up object id on a path with a parameter answers 404 `NotFound`. */
export const notFound: ExchangeCheck = (_ctx, ex): CheckResult[] => {
  if (ex.probe !== 'not_found' || !ex.response) return [];
  const check = 'not_found';
  const { status } = ex.response;
  if (status !== 404) {
    return [resultFor(ex, check, 'failed', `made-up id: received ${status}, expected 404 NotFound`)];
  }
  const type = errorTypeOf(ex.response.json);
  if (type !== 'NotFound') {
    return [resultFor(ex, check, 'failed', `made-up id: received 404 with error.type ${show(type ?? null)}, expected NotFound`)];
  }
  return [resultFor(ex, check, 'passed', 'made-up id: 404 NotFound')];
};
