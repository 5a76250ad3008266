import type { SpecModel } from '../../model/operations.js';
import { applicableSchemas, itemSchemas, propertySchemas } from '../../model/schema-walk.js';
import type { SchemaValidator } from '../../model/validate.js';
import { NORMAL, WRITE } from '../check-api.js';
import { resultFor, softOutcome, type CheckDefinition } from '../check-api.js';
import { isObject } from '../../shared/index.js';
import { documentedFor, receivedJson } from './util.js';

/**
 * Property paths of `value` that the schema does not list. A schema lists a property through
 * `properties`, `patternProperties` or an explicit `additionalProperties` /
 * `unevaluatedProperties` (a schema, or `true` for a documented free-form map). An object whose
 * schemas declare no properties at all (`{}`) is free-form: none of its properties is undocumented.
 */
export function findUndocumented(model: SpecModel, validator: SchemaValidator, value: unknown, pointer: string): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, ptr: string, at: string, depth: number): void => {
    if (depth > 30 || out.size > 50) return;
    const schemas = applicableSchemas(model, validator, v, ptr);
    if (schemas.length === 0) return;
    if (Array.isArray(v)) {
      const items = itemSchemas(schemas);
      for (const [i, item] of v.entries()) for (const p of items) walk(item, p, `${at}[${i}]`, depth + 1);
      return;
    }
    if (!isObject(v)) return;
    const declares = schemas.some(
      (s) =>
        isObject(s.schema.properties) ||
        isObject(s.schema.patternProperties) ||
        s.schema.additionalProperties !== undefined ||
        s.schema.unevaluatedProperties !== undefined,
    );
    for (const [key, child] of Object.entries(v)) {
      const where = at === '' ? key : `${at}.${key}`;
      const { listed, pointers } = propertySchemas(schemas, key);
      if (!listed) {
        if (declares) out.add(where);
        continue;
      }
      for (const p of pointers) walk(child, p, where, depth + 1);
    }
  };
  walk(value, pointer, '', 0);
  return [...out];
}

/** `undocumented_properties` (was `drift`): properties the spec does not list are warnings (failures with `--strict`). */
export const undocumentedProperties: CheckDefinition = {
  name: 'undocumented_properties',
  passes:
    'every property of the body is listed by the schema (`properties`, `patternProperties`, an explicit `additionalProperties`/`unevaluatedProperties` schema or `true`; `oneOf`/`anyOf` branches the value matches, `allOf` parts, array items). Unlisted ones are warnings, failures with `--strict`. Free-form schemas (`{}`) have no undocumented properties.',
  mock: 'checked (examples)',
  probes: [NORMAL, WRITE],
  formerNames: ['drift'],
  run: (ctx, ex) => {
    const doc = documentedFor(ex);
    if (!ex.response || !doc?.json?.schemaPointer || !receivedJson(ex)) return [];
    const extra = findUndocumented(ctx.model, ctx.validator, ex.response.json, doc.json.schemaPointer);
    const status = ex.response.status;
    if (extra.length === 0) return [resultFor(ex, 'undocumented_properties', 'passed', `${status}: every property is documented`)];
    const list = extra.length > 10 ? `${extra.slice(0, 10).join(', ')} and ${extra.length - 10} more` : extra.join(', ');
    const what = extra.length === 1 ? '1 property is' : `${extra.length} properties are`;
    return [resultFor(ex, 'undocumented_properties', softOutcome(ctx), `${status}: ${what} not in the spec: ${list}`)];
  },
};
