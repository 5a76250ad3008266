import { isJsonMediaType } from '../../spec/model.js';
import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { contentTypeOf, documentedFor } from './util.js';

/** `content_type_conformance`: JSON where JSON is documented (and a body that parses as JSON). */
export const contentTypeConformance: ExchangeCheck = (_ctx, ex): CheckResult[] => {
  const check = 'content_type_conformance';
  const doc = documentedFor(ex);
  if (!ex.response || !doc) return [];
  const received = contentTypeOf(ex) || '(none)';
  const status = ex.response.status;
  if (doc.contentTypes.length === 0) {
    if (ex.response.bodyText.trim() === '') return [resultFor(ex, check, 'passed', `${status}: no body documented, none received`)];
    return [resultFor(ex, check, 'passed', `${status}: no body documented; received ${received} (not checked)`)];
  }
  if (doc.json) {
    if (!isJsonMediaType(received)) {
      return [resultFor(ex, check, 'failed', `${status}: received Content-Type ${received}, documented ${doc.json.mediaType}`)];
    }
    if (ex.response.json === undefined) {
      return [resultFor(ex, check, 'failed', `${status}: Content-Type ${received} but the body is not valid JSON`)];
    }
    return [resultFor(ex, check, 'passed', `${status}: ${received}`)];
  }
  const ok = doc.contentTypes.some((t) => t.split(';')[0]?.trim().toLowerCase() === received);
  return [
    resultFor(ex, check, ok ? 'passed' : 'failed',
      ok ? `${status}: ${received}` : `${status}: received Content-Type ${received}, documented ${doc.contentTypes.join(', ')}`),
  ];
};
