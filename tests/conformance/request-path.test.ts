/** meta_links compares `meta.href` with the request path less a trailing slash (inventory section 4 #12). */
import { describe, expect, it } from 'vitest';
import { requestPath } from '../../src/conformance/checks/util.js';

describe('requestPath', () => {
  it('drops the query, the fragment and a trailing slash, never the root', () => {
    expect(requestPath({ path: '/api/configuration/aaa/' })).toBe('/api/configuration/aaa');
    expect(requestPath({ path: '/api/configuration/ssh/connections//?limit=1' })).toBe('/api/configuration/ssh/connections');
    expect(requestPath({ path: '/api/info#x' })).toBe('/api/info');
    expect(requestPath({ path: '/' })).toBe('/');
    expect(requestPath({ path: '/api' })).toBe('/api');
  });
});
