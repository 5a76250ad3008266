/**
 * Walking a value together with its schema: which (sub)schemas of the spec apply to a value,
 * following `$ref`, `allOf` and the `oneOf`/`anyOf` branches the value validates against.
 * Used by the undocumented_properties check and by the write cycle (readOnly fields).
 */
import { escapePointerToken, isObject } from '../shared/index.js';
import type { SpecModel } from './operations.js';
import type { SchemaValidator } from './validate.js';

export interface LocatedSchema {
  schema: Record<string, unknown>;
  /** JSON pointer of `schema` inside the document. */
  pointer: string;
}

/** One JSON Pointer token, escaped (the shared helper). */
export const escapeSegment = escapePointerToken;

/**
 * The schemas that apply to `value` at `pointer`: the schema itself, every `allOf` part, and
 * the `oneOf`/`anyOf` branches that `value` validates against (every branch when none does).
 */
export function applicableSchemas(model: SpecModel, validator: SchemaValidator, value: unknown, pointer: string, depth = 0): LocatedSchema[] {
  if (depth > 20) return [];
  const { value: raw, pointer: resolved } = model.deref(model.at(pointer), pointer);
  const ptr = resolved ?? pointer;
  if (!isObject(raw)) return [];
  const found: LocatedSchema[] = [{ schema: raw, pointer: ptr }];
  if (Array.isArray(raw.allOf)) {
    for (const i of raw.allOf.keys()) found.push(...applicableSchemas(model, validator, value, `${ptr}/allOf/${i}`, depth + 1));
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const list = raw[key];
    if (!Array.isArray(list)) continue;
    const branches = list.map((_, i) => `${ptr}/${key}/${i}`);
    const matching = branches.filter((b) => validator.validate(b, value).valid);
    for (const b of matching.length > 0 ? matching : branches) {
      found.push(...applicableSchemas(model, validator, value, b, depth + 1));
    }
  }
  return found;
}

/** Pointers of the schemas that describe property `key` of an object described by `schemas`. */
export function propertySchemas(schemas: LocatedSchema[], key: string): { listed: boolean; pointers: string[] } {
  const pointers: string[] = [];
  let listed = false;
  for (const s of schemas) {
    if (isObject(s.schema.properties) && key in s.schema.properties) {
      listed = true;
      pointers.push(`${s.pointer}/properties/${escapeSegment(key)}`);
    }
    if (isObject(s.schema.patternProperties)) {
      for (const pattern of Object.keys(s.schema.patternProperties)) {
        if (new RegExp(pattern, 'u').test(key)) {
          listed = true;
          pointers.push(`${s.pointer}/patternProperties/${escapeSegment(pattern)}`);
        }
      }
    }
  }
  if (!listed) {
    for (const s of schemas) {
      for (const kw of ['additionalProperties', 'unevaluatedProperties'] as const) {
        const extra = s.schema[kw];
        if (extra === true) listed = true;
        else if (isObject(extra)) {
          listed = true;
          pointers.push(`${s.pointer}/${kw}`);
        }
      }
    }
  }
  return { listed, pointers };
}

/** Pointers of the item schemas of an array described by `schemas`. */
export function itemSchemas(schemas: LocatedSchema[]): string[] {
  return schemas.filter((s) => isObject(s.schema.items)).map((s) => `${s.pointer}/items`);
}
