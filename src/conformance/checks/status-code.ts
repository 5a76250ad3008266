import { NORMAL, WRITE } from '../check-api.js';
import { resultFor, type CheckDefinition } from '../check-api.js';
import { documentedFor, documentedStatuses } from './util.js';

const check = 'status_code';

/** `status_code`: the status that came back is documented for the operation. */
export const statusCode: CheckDefinition = {
  name: check,
  formerNames: ['status_code_conformance'],
  passes:
    'the status is documented for the operation (exact, `NXX` or `default`); against the mock, it is also the status asked for with `Prefer`. A request without an HTTP answer (timeout, reset, TLS) fails here, naming the node.',
  mock: 'checked',
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    if (!ex.response) {
      const why = ex.error ? `${ex.error.kind}: ${ex.error.message}` : 'no response';
      return [resultFor(ex, check, 'failed', `no HTTP answer from ${ex.node} (${why})`)];
    }
    const status = ex.response.status;
    if (ex.requestedStatus !== undefined && status !== ex.requestedStatus) {
      const who = ctx.target === 'mock' ? 'mock' : 'target';
      return [resultFor(ex, check, 'failed', `asked the ${who} for documented status ${ex.requestedStatus}, received ${status}`)];
    }
    if (!documentedFor(ex)) {
      return [resultFor(ex, check, 'failed', `received ${status}, which is not documented (documented: ${documentedStatuses(ex)})`)];
    }
    return [resultFor(ex, check, 'passed', `received ${status}, documented`)];
  },
};
