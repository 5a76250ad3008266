import { matchesTemplate } from '../../model/operations.js';
import { NORMAL, WRITE } from '../check-api.js';
import { describeSource, readingPhrase, strengthOf, type SourceKind } from '../../model/verdict.js';
import { readingResult, resultFor, type CheckContext, type CheckDefinition } from '../check-api.js';
import { isObject } from '../../shared/index.js';
import { parentPath, receivedJson, requestPath, show } from './util.js';

const check = 'meta_links';
const SIBLINGS = ['first', 'last', 'next', 'previous'] as const;
const META = '#/components/schemas/Meta';

/** The `x-sps-rules` names on `Meta` of the sub-rules; `type` is the schema's own (vendor) type of a link. */
type Rule = 'hrefIsRequestPath' | 'parentIsParentPath' | 'siblingsShareParent' | 'type';

/**
 * Splits the problems by source: a rule whose `x-sps-rules` entry on `Meta` is a reading gives a
 * readings-only row (a warning, a failure with `--strict`); a vendor rule, or one the spec does
 * not name, a failure.
 */
function verdict(ctx: CheckContext, ex: Parameters<CheckDefinition['run']>[1], problems: Array<[Rule, string]>) {
  const facts: string[] = [];
  const factSources: string[] = [];
  const readings: string[] = [];
  const reasons: string[] = [];
  let soft: SourceKind = 'reading';
  for (const [rule, text] of problems) {
    const source = rule === 'type' ? ctx.judge.sourceAt(META) : (ctx.judge.rule(META, rule) ?? ctx.judge.sourceAt(META));
    if (source && strengthOf(source.kind) === 'soft') {
      readings.push(`${text} (${rule})`);
      const d = describeSource(source);
      if (!reasons.includes(d)) reasons.push(d);
      if (source.kind !== 'reading' && readings.length === 1) soft = source.kind;
      if (source.kind === 'reading') soft = 'reading';
    } else {
      facts.push(rule === 'type' ? text : `${text} (${rule})`);
      const d = describeSource(source);
      if (!factSources.includes(d)) factSources.push(d);
    }
  }
  if (facts.length > 0)
    return [
      {
        ...resultFor(ex, check, 'failed', [...facts, ...readings].join('; ')),
        basis: 'vendor' as const,
        strength: 'fact' as const,
        source: factSources.join(' / '),
      },
    ];
  return [readingResult(ctx, ex, check, reasons, `${readingPhrase(reasons)}: ${readings.join('; ')}`, soft)];
}

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
  passes:
    '`meta.href` is the requested path, `meta.parent` is its parent, `first`/`last`/`next`/`previous` are null or paths under the same parent; each rule is named in `x-sps-rules` on `Meta`, and one marked a reading gives a readings-only warning (a failure with `--strict`)',
  mock: 'examples are written for one object and shared between operations: `href` must be a path of the API (any template), and `parent` and the siblings must agree with that `href`',
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    if (!ex.response || !receivedJson(ex)) return [];
    const body = ex.response.json;
    if (!isObject(body) || !isObject(body.meta)) return [];
    const meta = body.meta;
    const problems: Array<[Rule, string]> = [];
    const href = meta.href;
    const requested = requestPath(ex);
    if (typeof href !== 'string') {
      problems.push(['type', `meta.href is ${show(href)}, expected a path`]);
    } else if (ctx.target === 'live') {
      if (href !== requested) problems.push(['hrefIsRequestPath', `meta.href is ${show(href)}, the requested path is "${requested}"`]);
    } else if (!ctx.model.pathTemplates.some((t) => matchesTemplate(t, href.split('#')[0] ?? href))) {
      problems.push(['hrefIsRequestPath', `meta.href ${show(href)} is not a path of this API`]);
    }
    const self = typeof href === 'string' ? (href.split('#')[0] ?? href) : requested;
    const expectedParent = parentPath(self);
    if ('parent' in meta) {
      // The 7.x vendor sample of GET /api/configuration has `parent: null`: a top-level area
      // (a direct child of /api) may name no parent.
      const topLevelNull = meta.parent === null && expectedParent === '/api';
      if (meta.parent !== expectedParent && !topLevelNull) {
        problems.push(['parentIsParentPath', `meta.parent is ${show(meta.parent)}, the parent of "${self}" is ${show(expectedParent ?? null)}`]);
      }
    }
    for (const key of SIBLINGS) {
      if (!(key in meta)) continue;
      const link = meta[key];
      if (link === null) continue;
      if (typeof link !== 'string') {
        problems.push(['type', `meta.${key} is ${show(link)}, expected null or a path`]);
      } else if (parentPath(link) !== expectedParent) {
        problems.push(['siblingsShareParent', `meta.${key} ${show(link)} is not under the same parent as "${self}" (${show(expectedParent ?? null)})`]);
      }
    }
    if (problems.length > 0) return verdict(ctx, ex, problems);
    const how = ctx.target === 'live' ? `meta.href is the requested path` : `meta.href ${show(href)} is a path of this API (mock: example data)`;
    return [resultFor(ex, check, 'passed', `${how}; parent and sibling links agree`)];
  },
};
