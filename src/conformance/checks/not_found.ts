import { NOT_FOUND } from '../check-api.js';
import { resultFor, type CheckDefinition } from '../check-api.js';
import { errorTypeOf, show } from './util.js';

const check = 'not_found';

/** `not_found`: a made-up object id on a path with a parameter answers 404 `NotFound`. */
export const notFound: CheckDefinition = {
  name: check,
  passes: "a made-up id (fitting the parameter's schema) on each GET path with a parameter answers 404 `NotFound`",
  mock: 'skipped: Prism keeps no state',
  probes: [NOT_FOUND],
  run: (_ctx, ex) => {
    if (ex.probe !== 'not_found' || !ex.response) return [];
    const { status } = ex.response;
    if (status !== 404) return [resultFor(ex, check, 'failed', `made-up id: received ${status}, expected 404 NotFound`)];
    const type = errorTypeOf(ex.response.json);
    if (type !== 'NotFound') {
      return [resultFor(ex, check, 'failed', `made-up id: received 404 with error.type ${show(type ?? null)}, expected NotFound`)];
    }
    return [resultFor(ex, check, 'passed', 'made-up id: 404 NotFound')];
  },
};
