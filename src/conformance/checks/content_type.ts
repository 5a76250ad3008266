import { isJsonMediaType, mediaTypeBase } from '../../shared/index.js';
import { NORMAL, WRITE } from '../plan/probes.js';
import { resultFor, type CheckDefinition } from '../types.js';
import { contentTypeOf, documentedFor } from './util.js';

const check = 'content_type';

/** `content_type`: JSON where JSON is documented (and a body that parses as JSON). */
export const contentType: CheckDefinition = {
  name: check,
  formerNames: ['content_type_conformance'],
  passes: 'a JSON content type (and a body that parses) where the documented response is JSON; one of the documented types otherwise',
  mock: 'checked',
  probes: [NORMAL, WRITE],
  run: (_ctx, ex) => {
    const doc = documentedFor(ex);
    if (!ex.response || !doc) return [];
    const received = contentTypeOf(ex) || '(none)';
    const status = ex.response.status;
    if (doc.contentTypes.length === 0) {
      if (ex.response.bodyText.trim() === '' && !ex.response.digest?.bytes) return [resultFor(ex, check, 'passed', `${status}: no body documented, none received`)];
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
    const ok = doc.contentTypes.some((t) => mediaTypeBase(t) === received);
    const message = ok ? `${status}: ${received}` : `${status}: received Content-Type ${received}, documented ${doc.contentTypes.join(', ')}`;
    return [resultFor(ex, check, ok ? 'passed' : 'failed', message)];
  },
};
