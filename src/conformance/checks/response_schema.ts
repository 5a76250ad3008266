import { resultFor, type CheckResult, type ExchangeCheck } from '../types.js';
import { documentedFor, receivedJson } from './util.js';

/** `response_schema_conformance`: the JSON body validates (Ajv, 2020-12) against the documented schema. */
export const responseSchemaConformance: ExchangeCheck = (ctx, ex): CheckResult[] => {
  const check = 'response_schema_conformance';
  const doc = documentedFor(ex);
  if (!ex.response || !doc?.json?.schemaPointer || !receivedJson(ex)) return [];
  const outcome = ctx.validator.validate(doc.json.schemaPointer, ex.response.json);
  const component = /^#\/components\/schemas\/([^/]+)$/.exec(doc.json.schemaPointer)?.[1];
  const schemaName = component ?? `the schema documented for ${doc.status}`;
  if (outcome.valid) return [resultFor(ex, check, 'passed', `${ex.response.status}: body matches ${schemaName}`)];
  return [
    resultFor(ex, check, 'failed', `${ex.response.status}: body does not match ${schemaName}: ${outcome.errors.join('; ')}`),
  ];
};
