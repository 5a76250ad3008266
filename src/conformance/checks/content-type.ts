import { isJsonMediaType, mediaTypeBase } from '../../shared/index.js';
import { NORMAL, WRITE } from '../check-api.js';
import { resultFor, type CheckDefinition } from '../check-api.js';
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
    // A body that is not JSON is never kept: the report names its size and sha256 only.
    const d = ex.response.digest;
    const kept = d ? ` (${d.truncated ? 'first ' : ''}${d.bytes} bytes${d.truncated ? ' read' : ''}, sha256 ${d.sha256})` : '';
    if (doc.contentTypes.length === 0) {
      if (ex.response.bodyText.trim() === '' && !ex.response.digest?.bytes)
        return [resultFor(ex, check, 'passed', `${status}: no body documented, none received`)];
      return [resultFor(ex, check, 'passed', `${status}: no body documented; received ${received}${kept} (not checked)`)];
    }
    if (doc.json) {
      if (!isJsonMediaType(received)) {
        return [resultFor(ex, check, 'failed', `${status}: received Content-Type ${received}${kept}, documented ${doc.json.mediaType}`)];
      }
      if (ex.response.json === undefined) {
        return [resultFor(ex, check, 'failed', `${status}: Content-Type ${received} but the body is not valid JSON`)];
      }
      return [resultFor(ex, check, 'passed', `${status}: ${received}`)];
    }
    const ok = doc.contentTypes.some((t) => mediaTypeBase(t) === received);
    const message = ok ? `${status}: ${received}${kept}` : `${status}: received Content-Type ${received}${kept}, documented ${doc.contentTypes.join(', ')}`;
    return [resultFor(ex, check, ok ? 'passed' : 'failed', message)];
  },
};
