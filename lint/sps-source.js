/**
 * Redocly plugin `sps`: the provenance rules of the spec (README, "The spec": `x-sps-source`).
 *
 *   sps/source-valid     every `x-sps-source` (and every entry of `x-sps-rules`) is a
 *                        well-formed source: `{ kind: vendor, pages: [...] }`,
 *                        `{ kind: client-code, sdks: [...], shows }`, `{ kind: reading, reason }`
 *                        or `{ kind: observed, version, node }` (seen on an appliance by
 *                        `sps-conformance discover`, not documented: the drafts it writes)
 *   sps/source-required  every operation and every component (schema, response, parameter,
 *                        security scheme) carries `x-sps-source`; what is below it inherits it
 *   sps/versions         every operation says in which SPS versions it is documented
 *                        (`x-sps-versions`, a range such as ">=6.0" or ">=6.0 <7.0"); any
 *                        `x-sps-versions` anywhere (a property, a oneOf branch) is a valid range
 *   sps/kind             every path item says what kind of endpoint it is (`x-sps-kind`:
 *                        directory, setting, collection, object, action, file)
 *   sps/never-send       `x-sps-never-send` on an operation is the reason a conformance run
 *                        must never send it (a firmware upgrade, the Welcome Wizard)
 *   sps/reading-marked   a description that says "Our reading" belongs to a node marked
 *                        `x-sps-source: { kind: reading }`, or to a node with an `x-sps-rules`
 *                        entry of kind reading (a rule of a documented node, e.g. the `meta`
 *                        links)
 *
 * Plain JavaScript (ESM) because Redocly loads plugins with a dynamic import, without tsx.
 */

export const SOURCE_KINDS = ['vendor', 'client-code', 'inference', 'reading', 'observed'];
export const ENDPOINT_KINDS = ['directory', 'setting', 'collection', 'object', 'action', 'file'];
/** One comparator: `>=6.0`, `<7.0`, `7.4`; space-separated comparators all hold; `||` joins alternatives. */
const COMPARATOR = /^(>=|<=|>|<|=)?\d+(\.\d+){0,2}$/;

/** What is wrong with one `x-sps-versions` value (empty when it is a valid range). */
export function versionsProblems(v) {
  if (!nonEmptyString(v)) return ['x-sps-versions must be a version range string such as ">=6.0" or ">=6.0 <7.0"'];
  const bad = v.split('||').flatMap((alt) => {
    const parts = alt.trim().split(/\s+/);
    return parts.length === 0 || parts[0] === '' ? ['(empty)'] : parts.filter((c) => !COMPARATOR.test(c));
  });
  return bad.length ? [`x-sps-versions ${JSON.stringify(v)}: not a comparator: ${bad.join(', ')}`] : [];
}
export const SDKS = ['safeguard-ps', 'SafeguardDotNet', 'SafeguardJava'];
const READING = /our reading/i;

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v) => typeof v === 'string' && v.trim() !== '';
const nonEmptyStrings = (v) => Array.isArray(v) && v.length > 0 && v.every(nonEmptyString);

/** What is wrong with one source value (empty when it is well-formed). */
export function sourceProblems(source) {
  if (!isObject(source)) return ['must be an object with a `kind`'];
  const { kind } = source;
  if (!SOURCE_KINDS.includes(kind)) return [`kind must be one of ${SOURCE_KINDS.join(', ')}, got ${JSON.stringify(kind)}`];
  const allowed = {
    vendor: ['kind', 'pages'],
    'client-code': ['kind', 'sdks', 'shows'],
    inference: ['kind', 'from', 'reason'],
    reading: ['kind', 'reason'],
    observed: ['kind', 'version', 'node'],
  }[kind];
  const problems = Object.keys(source)
    .filter((k) => !allowed.includes(k))
    .map((k) => `${k} is not a field of a ${kind} source`);
  if (kind === 'vendor' && !nonEmptyStrings(source.pages))
    problems.push('a vendor source needs `pages`: the vendor pages (URL) or seeds (`seeds/<file>`) that say so');
  if (kind === 'client-code') {
    if (!nonEmptyStrings(source.sdks) || !source.sdks.every((s) => SDKS.includes(s)))
      problems.push(`a client-code source needs \`sdks\`, a list of ${SDKS.join(', ')}`);
    if (!nonEmptyString(source.shows)) problems.push('a client-code source needs `shows`: what the SDK code shows');
  }
  if (kind === 'inference') {
    if (!nonEmptyString(source.from))
      problems.push(
        'an inference needs `from`: what it is inferred from (an SDK that does not do something, a pattern on other endpoints, a vendor page about another endpoint)',
      );
    if (!nonEmptyString(source.reason)) problems.push('an inference needs a `reason`: why the evidence implies the rule');
  }
  if (kind === 'reading' && !nonEmptyString(source.reason)) problems.push('a reading needs a `reason`');
  if (kind === 'observed') {
    if (!nonEmptyString(source.version)) problems.push('an observed source needs `version`: the SPS version of the node it was seen on (or "unknown")');
    if (!nonEmptyString(source.node)) problems.push('an observed source needs `node`: the node it was seen on');
  }
  return problems;
}

function checkNode(node, location, report) {
  if (!isObject(node)) return;
  if ('x-sps-source' in node) {
    for (const p of sourceProblems(node['x-sps-source'])) report({ message: `x-sps-source: ${p}`, location: location.child(['x-sps-source']) });
  }
  if ('x-sps-rules' in node) {
    if (!isObject(node['x-sps-rules'])) report({ message: 'x-sps-rules must map rule names to sources', location: location.child(['x-sps-rules']) });
    else {
      for (const [name, source] of Object.entries(node['x-sps-rules'])) {
        for (const p of sourceProblems(source)) report({ message: `x-sps-rules.${name}: ${p}`, location: location.child(['x-sps-rules', name]) });
      }
    }
  }
}

function SourceValid() {
  return {
    ref: { enter: (node, ctx) => checkNode(node, ctx.location, ctx.report) },
    any: { enter: (node, ctx) => checkNode(node, ctx.location, ctx.report) },
  };
}

function readingUnmarked(node, location, report) {
  if (!isObject(node) || typeof node.description !== 'string' || !READING.test(node.description)) return;
  if (node['x-sps-source']?.kind === 'reading') return;
  // A rule of the node that is a reading (x-sps-rules), when the node itself is documented.
  if (isObject(node['x-sps-rules']) && Object.values(node['x-sps-rules']).some((r) => r?.kind === 'reading')) return;
  report({
    message:
      'The description says "Our reading": mark the node `x-sps-source: { kind: reading, reason: ... }` (or name the rule in `x-sps-rules`), or move the sentence to the node it is about.',
    location: location.child(['description']),
  });
}

function ReadingMarked() {
  return {
    // A $ref with sibling keywords (`description` next to `$ref`) is seen here, once per use.
    ref: { enter: (node, ctx) => readingUnmarked(node, ctx.location, ctx.report) },
    any: { enter: (node, ctx) => readingUnmarked(node, ctx.location, ctx.report) },
  };
}

const COMPONENT_KINDS = ['schemas', 'responses', 'parameters', 'securitySchemes'];

function versionsAt(node, location, report) {
  if (!isObject(node) || !('x-sps-versions' in node)) return;
  for (const p of versionsProblems(node['x-sps-versions'])) report({ message: p, location: location.child(['x-sps-versions']) });
}

function Versions() {
  return {
    Operation(op, ctx) {
      if (!('x-sps-versions' in op))
        ctx.report({
          message: `Operation ${op.operationId ?? ''} has no x-sps-versions (the SPS versions whose guide documents it, e.g. ">=6.0").`,
          location: ctx.location.key(),
        });
    },
    ref: { enter: (node, ctx) => versionsAt(node, ctx.location, ctx.report) },
    any: { enter: (node, ctx) => versionsAt(node, ctx.location, ctx.report) },
  };
}

function Kind() {
  return {
    PathItem(item, ctx) {
      const kind = item['x-sps-kind'];
      if (!ENDPOINT_KINDS.includes(kind)) {
        ctx.report({ message: `Path item needs x-sps-kind, one of ${ENDPOINT_KINDS.join(', ')}; got ${JSON.stringify(kind)}.`, location: ctx.location.key() });
      }
    },
  };
}

function NeverSend() {
  return {
    Operation(op, ctx) {
      if ('x-sps-never-send' in op && !nonEmptyString(op['x-sps-never-send'])) {
        ctx.report({
          message: 'x-sps-never-send must be the reason (a sentence) the operation is never sent by a conformance run.',
          location: ctx.location.child(['x-sps-never-send']),
        });
      }
    },
  };
}

function SourceRequired() {
  return {
    Operation(op, ctx) {
      if (!('x-sps-source' in op)) {
        ctx.report({
          message: `Operation ${op.operationId ?? ''} has no x-sps-source (vendor, client-code, reading or observed).`,
          location: ctx.location.key(),
        });
      }
    },
    Components(components, ctx) {
      for (const kind of COMPONENT_KINDS) {
        for (const [name, raw] of Object.entries(components[kind] ?? {})) {
          const { node, location } = ctx.resolve(raw);
          const marked = (isObject(raw) && 'x-sps-source' in raw) || (isObject(node) && 'x-sps-source' in node);
          if (!marked) {
            ctx.report({
              message: `components.${kind}.${name} has no x-sps-source (vendor, client-code or reading).`,
              location: (location ?? ctx.location.child([kind, name])).key(),
            });
          }
        }
      }
    },
  };
}

export default function spsPlugin() {
  return {
    id: 'sps',
    rules: {
      oas3: {
        'source-valid': SourceValid,
        'source-required': SourceRequired,
        'reading-marked': ReadingMarked,
        versions: Versions,
        kind: Kind,
        'never-send': NeverSend,
      },
    },
  };
}
