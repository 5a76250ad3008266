import { NORMAL, WRITE } from '../check-api.js';
import { readingPhrase } from '../../model/verdict.js';
import { isSoftBasis, readingResult, resultFor, type CheckDefinition } from '../check-api.js';
import { documentedFor, receivedJson } from './util.js';

const check = 'response_schema';

/** `response_schema`: the JSON body validates (Ajv, 2020-12) against the documented schema. */
export const responseSchema: CheckDefinition = {
  name: check,
  formerNames: ['response_schema_conformance'],
  passes:
    'the body validates (Ajv, JSON Schema 2020-12, formats) against the schema of that operation and status; a body that fails only where the spec marks a reading (it passes the vendor-only view) is a warning, "breaks our reading" (a failure with `--strict`)',
  mock: "checked: Prism returns the spec's examples, so this checks every example",
  probes: [NORMAL, WRITE],
  run: (ctx, ex) => {
    const doc = documentedFor(ex);
    if (!ex.response || !doc?.json?.schemaPointer || !receivedJson(ex)) return [];
    const outcome = ctx.judge.judge(doc.json.schemaPointer, ex.response.json);
    const component = /^#\/components\/schemas\/([^/]+)$/.exec(doc.json.schemaPointer)?.[1];
    const schemaName = component ?? `the schema documented for ${doc.status}`;
    if (outcome.valid) return [resultFor(ex, check, 'passed', `${ex.response.status}: body matches ${schemaName}`)];
    const detail = `body does not match ${schemaName}: ${outcome.errors.join('; ')}`;
    if (isSoftBasis(outcome.basis))
      return [readingResult(ctx, ex, check, outcome.readings, `${ex.response.status}: ${readingPhrase(outcome.readings)}; ${detail}`, outcome.basis)];
    return [
      {
        ...resultFor(ex, check, 'failed', `${ex.response.status}: ${detail}`),
        basis: outcome.basis ?? 'vendor',
        strength: 'fact',
        source: outcome.sources.join(' / '),
      },
    ];
  },
};
