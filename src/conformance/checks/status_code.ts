import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { documentedFor, documentedStatuses } from './util.js';

/** `status_code_conformance`: the status that came back is documented for the operation. */
export const statusCodeConformance: ExchangeCheck = (ctx, ex): CheckResult[] => {
  const check = 'status_code_conformance';
  if (!ex.response) {
    const why = ex.error ? `${ex.error.kind}: ${ex.error.message}` : 'no response';
    return [resultFor(ex, check, 'failed', `no HTTP answer from ${ex.node} (${why})`)];
  }
  const status = ex.response.status;
  const doc = documentedFor(ex);
  if (ex.requestedStatus !== undefined && status !== ex.requestedStatus) {
    return [
      resultFor(ex, check, 'failed',
        `asked the ${ctx.target === 'mock' ? 'mock' : 'target'} for documented status ${ex.requestedStatus}, received ${status}`),
    ];
  }
  if (!doc) {
    return [resultFor(ex, check, 'failed', `received ${status}, which is not documented (documented: ${documentedStatuses(ex)})`)];
  }
  return [resultFor(ex, check, 'passed', `received ${status}, documented`)];
};
