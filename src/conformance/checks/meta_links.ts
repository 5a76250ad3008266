import { matchesTemplate } from '../../spec/model.js';
import { NORMAL, WRITE } from '../plan/probes.js';
import { resultFor, type CheckDefinition } from '../types.js';
import { isObject } from '../../shared/index.js';
import { parentPath, receivedJson, requestPath, show } from './util.js';

const check = 'meta_links';
const SIBLINGS = ['first', 'last', 'next', 'previous'] as const;

/**
 * `meta_links`: `meta.href` is the requested path, `parent` is its parent, and the sibling
 * links are null or paths under the same parent.
 *
 * Against the mock the body is a spec example, written for one concrete object and shared
 * between operations, so "the requested path" cannot be expected there: the mock variant
 * checks that `href` is a path this API documents and that the other links agree with it.
 */
export const metaLinks: CheckDefinition = {
  name: check,
  formerNames: ['meta_conformance'],
  passes: '`meta.href` is the requested path, `meta.parent` is its parent, `first`/`last`/`next`/`previous` are null or paths under the same parent',
  mock: 'examples are written for one object and shared between operations: `href` must be a path of the API (any template), and `parent` and the siblings must agree with that `href`',
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    if (!ex.response || !receivedJson(ex)) return [];
    const body = ex.response.json;
    if (!isObject(body) || !isObject(body.meta)) return [];
    const meta = body.meta;
    const problems: string[] = [];
    const href = meta.href;
    const requested = requestPath(ex);
    if (typeof href !== 'string') {
      problems.push(`meta.href is ${show(href)}, expected a path`);
    } else if (ctx.target === 'live') {
      if (href !== requested) problems.push(`meta.href is ${show(href)}, the requested path is "${requested}"`);
    } else if (!ctx.model.pathTemplates.some((t) => matchesTemplate(t, href.split('#')[0] ?? href))) {
      problems.push(`meta.href ${show(href)} is not a path of this API`);
    }
    const self = typeof href === 'string' ? (href.split('#')[0] ?? href) : requested;
    const expectedParent = parentPath(self);
    if ('parent' in meta) {
      if (meta.parent !== expectedParent) {
        problems.push(`meta.parent is ${show(meta.parent)}, the parent of "${self}" is ${show(expectedParent ?? null)}`);
      }
    }
    for (const key of SIBLINGS) {
      if (!(key in meta)) continue;
      const link = meta[key];
      if (link === null) continue;
      if (typeof link !== 'string') {
        problems.push(`meta.${key} is ${show(link)}, expected null or a path`);
      } else if (parentPath(link) !== expectedParent) {
        problems.push(`meta.${key} ${show(link)} is not under the same parent as "${self}" (${show(expectedParent ?? null)})`);
      }
    }
    if (problems.length > 0) return [resultFor(ex, check, 'failed', problems.join('; '))];
    const how = ctx.target === 'live' ? `meta.href is the requested path` : `meta.href ${show(href)} is a path of this API (mock: example data)`;
    return [resultFor(ex, check, 'passed', `${how}; parent and sibling links agree`)];
  },
};
