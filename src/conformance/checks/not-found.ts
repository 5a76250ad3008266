import { resultFor, type CheckDefinition, type ProbeDefinition } from '../check-api.js';
import { errorTypeOf, show } from './util.js';

const check = 'not_found';

/** The probe of `not_found`: the read of a path with a parameter, with a made-up id. */
export const NOT_FOUND: ProbeDefinition = {
  kind: 'not_found',
  order: 4,
  label: 'made-up id',
  appliesTo: (op) => op.pathParams.length > 0,
  path: 'made-up',
  auth: 'session',
  mockSkip: 'skipped for the mock: Prism keeps no state and answers any id that fits the parameter schema',
};

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
