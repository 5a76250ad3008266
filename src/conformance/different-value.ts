/**
 * The different value the write check PUTs into a setting (inside a transaction that is always
 * rolled back): derived from the request schema and the value just read, one small change,
 * validated against the request schema. What it may change:
 *
 * - a boolean is flipped;
 * - a string or number takes another member of its `enum`, or another of the schema's
 *   `examples`, or another value from the operation's documented request examples;
 * - a list gets one entry added (an entry of a documented example that is not in it yet) or,
 *   failing that, its last entry removed.
 *
 * What it never changes: properties that hold a reference to another object (the object named
 * may not exist on the appliance), keys, secrets and certificates (GPG keys, passwords, PSKs);
 * and nothing in an object that holds one of those, because its other fields depend on them
 * (encryption cannot be enabled without a key, a cluster interface not without an address).
 * When nothing can be changed safely, the caller falls back to the same-value PUT.
 */
import { SECRET_JSON_KEYS } from '../redact.js';
import { isObject } from '../shared/index.js';
import type { OperationModel, SpecModel } from '../model/operations.js';
import { applicableSchemas, itemSchemas, propertySchemas, type LocatedSchema } from '../model/schema-walk.js';
import type { SchemaValidator } from '../model/validate.js';
import { referencesToKeys, sameValue, stripReadOnly } from './write-safety.js';

export interface DifferentValue {
  body: unknown;
  /** What was changed, for the result message: `flipped /enabled from false to true`. */
  change: string;
}

/** Property names that hold keys, secrets or certificates: never varied. */
const SENSITIVE_NAME = new RegExp(
  `(^|_)(${[...SECRET_JSON_KEYS, 'key', 'keys', 'gpg', 'secret', 'certificate', 'cert', 'fingerprint', 'token'].join('|')})($|_)`,
  'i',
);

const MAX_DEPTH = 12;

/** One different, schema-valid request body, or why none can be made safely. */
export function differentRequestBody(
  model: SpecModel,
  validator: SchemaValidator,
  put: OperationModel,
  sameBody: unknown,
): { ok: true; value: DifferentValue } | { ok: false; reason: string } {
  const pointer = put.requestBody?.schemaPointer;
  if (!pointer) return { ok: false, reason: 'the PUT documents no JSON request schema' };
  const documented = Object.values(put.requestBody?.examples ?? {}).map((e) => stripReadOnly(model, validator, referencesToKeys(e), pointer));
  const walker = new Walker(model, validator, documented);
  for (const candidate of walker.candidates(sameBody, pointer, '', documented, 0)) {
    if (sameValue(candidate.body, sameBody)) continue;
    if (validator.validate(pointer, candidate.body).valid) return { ok: true, value: candidate };
  }
  return { ok: false, reason: walker.blocked ?? 'no different value fits the request schema' };
}

class Walker {
  /** Why a part of the value was left alone (for the fallback message). */
  blocked: string | undefined;

  constructor(
    private readonly model: SpecModel,
    private readonly validator: SchemaValidator,
    readonly documented: unknown[],
  ) {}

  /** Candidates for `value` at schema `pointer`; `examples` are documented values of the same place. */
  *candidates(value: unknown, pointer: string, at: string, examples: unknown[], depth: number): Generator<DifferentValue> {
    if (depth > MAX_DEPTH) return;
    const schemas = applicableSchemas(this.model, this.validator, value, pointer);
    const where = at || 'the value';
    if (typeof value === 'boolean') {
      yield { body: !value, change: `${where} flipped from ${value} to ${!value}` };
      return;
    }
    if (typeof value === 'string' || typeof value === 'number') {
      const seen = new Set<string>([JSON.stringify(value)]);
      const offers: Array<[unknown, string]> = [];
      for (const s of schemas) if (Array.isArray(s.schema.enum)) for (const v of s.schema.enum) offers.push([v, 'another enum member']);
      for (const s of schemas) if (Array.isArray(s.schema.examples)) for (const v of s.schema.examples) offers.push([v, "another of the schema's examples"]);
      for (const v of examples) offers.push([v, 'a documented request example']);
      for (const [v, how] of offers) {
        if (typeof v !== typeof value || seen.has(JSON.stringify(v))) continue;
        seen.add(JSON.stringify(v));
        yield { body: v, change: `${where} set from ${JSON.stringify(value)} to ${JSON.stringify(v)} (${how})` };
      }
      return;
    }
    if (Array.isArray(value)) {
      yield* this.listCandidates(value, schemas, at || 'the list', examples);
      return;
    }
    if (!isObject(value)) return;
    const keys = [...new Set([...Object.keys(value), ...schemas.flatMap((s) => (isObject(s.schema.properties) ? Object.keys(s.schema.properties) : []))])];
    const sensitive = keys.find((k) => SENSITIVE_NAME.test(k) || this.isReference(propertySchemas(schemas, k).pointers));
    if (sensitive !== undefined) {
      this.blocked ??= `${at ? `${at}/` : ''}${sensitive} holds a reference, key or secret, and the other fields of ${at || 'the setting'} depend on it: no different value is safe to make`;
      return;
    }
    for (const key of Object.keys(value)) {
      const childPointer = propertySchemas(schemas, key).pointers[0];
      if (!childPointer) continue;
      const childExamples = examples
        .filter(isObject)
        .map((e) => e[key])
        .filter((v) => v !== undefined);
      for (const c of this.candidates(value[key], childPointer, `${at}/${key}`, childExamples, depth + 1)) {
        yield { body: { ...value, [key]: c.body }, change: c.change };
      }
    }
  }

  private *listCandidates(list: unknown[], schemas: LocatedSchema[], where: string, examples: unknown[]): Generator<DifferentValue> {
    const itemPointer = itemSchemas(schemas)[0];
    if (itemPointer && this.isReference([itemPointer])) {
      this.blocked ??= `${where} lists references to other objects, which may not exist: no different value is safe to make`;
      return;
    }
    const offered = examples.filter(Array.isArray).flat();
    for (const s of schemas) if (isObject(s.schema.items) && Array.isArray(s.schema.items.examples)) offered.push(...s.schema.items.examples);
    for (const entry of offered) {
      if (list.some((v) => sameValue(v, entry))) continue;
      if (containsSensitive(entry)) continue;
      yield { body: [...list, entry], change: `${where}: one documented entry added (${JSON.stringify(entry)})` };
    }
    if (list.length > 0) {
      yield { body: list.slice(0, -1), change: `${where}: its last entry removed (${JSON.stringify(list[list.length - 1])})` };
    }
  }

  /** A schema that is (or has a branch that is) an embedded reference `{key, meta.href}`. */
  private isReference(pointers: string[], depth = 0): boolean {
    if (depth > 4) return false;
    for (const p of pointers) {
      const raw = this.model.at(p);
      if (isObject(raw) && typeof raw.$ref === 'string' && /\/Reference$/.test(raw.$ref)) return true;
      const { value, pointer } = this.model.deref(raw, p);
      if (!isObject(value)) continue;
      if (isReferenceShape(value)) return true;
      const base = pointer ?? p;
      for (const kw of ['oneOf', 'anyOf', 'allOf'] as const) {
        const list = value[kw];
        if (
          Array.isArray(list) &&
          this.isReference(
            list.map((_, i) => `${base}/${kw}/${i}`),
            depth + 1,
          )
        )
          return true;
      }
    }
    return false;
  }
}

function isReferenceShape(schema: Record<string, unknown>): boolean {
  const req = Array.isArray(schema.required) ? schema.required : [];
  return req.includes('key') && req.includes('meta') && isObject(schema.properties) && 'key' in schema.properties && 'meta' in schema.properties;
}

function containsSensitive(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsSensitive);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([k, v]) => SENSITIVE_NAME.test(k) || containsSensitive(v));
}
