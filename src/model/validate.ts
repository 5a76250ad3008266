/**
 * JSON Schema 2020-12 validation (Ajv) of values against schemas that live inside the spec,
 * addressed by JSON pointer. The whole document is registered once, so `$ref`s between
 * components resolve as they do in the spec.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { documentedResponse, type OperationModel, type SpecModel } from './operations.js';

const DOC_ID = 'urn:sps-contract:spec';

export interface ValidationOutcome {
  valid: boolean;
  /** One line per problem: `<instance path>: <message>`. */
  errors: string[];
  /** Ajv's errors (verbose: `parentSchema` is the failing node of the document), when invalid. */
  raw?: ErrorObject[];
}

export interface SchemaValidator {
  /** Validates `value` against the schema at `pointer` (`#/components/schemas/Meta`). */
  validate(pointer: string, value: unknown): ValidationOutcome;
}

export function createValidator(model: SpecModel): SchemaValidator {
  return createDocumentValidator(model.document);
}

/** A validator of one OpenAPI document (the full spec, or its vendor-only view). */
export function createDocumentValidator(document: SpecModel['document']): SchemaValidator {
  const ajv = new Ajv2020({
    strict: false,
    allErrors: true,
    validateSchema: false,
    // Errors carry the schema node that failed, so its `x-sps-source` can be named (verdict.ts).
    verbose: true,
    // OpenAPI keywords that are not JSON Schema ones are annotations.
    keywords: ['example', 'discriminator', 'xml', 'externalDocs'],
  });
  addFormats.default(ajv);
  ajv.addSchema(document, DOC_ID);
  const cache = new Map<string, ValidateFunction>();
  return {
    validate(pointer, value) {
      let fn = cache.get(pointer);
      if (!fn) {
        fn = ajv.compile({ $ref: `${DOC_ID}${pointer}` });
        cache.set(pointer, fn);
      }
      const valid = fn(value) as boolean;
      return valid ? { valid, errors: [] } : { valid, errors: formatErrors(fn.errors ?? []), raw: [...(fn.errors ?? [])] };
    },
  };
}

/**
 * What is wrong with one answer of `op` (empty when it conforms): its status must be documented
 * for the operation, and a JSON body must be valid for the documented schema of that status.
 * Each line starts with `METHOD path status`. The simulator's tests check every answer with it.
 */
export function answerProblems(validator: SchemaValidator, op: OperationModel, status: number, body: unknown): string[] {
  const key = `${op.method} ${op.path}`;
  const response = documentedResponse(op, status);
  if (!response) return [`${key}: status ${status} is not documented`];
  const pointer = response.json?.schemaPointer;
  if (pointer === undefined || body === undefined) return [];
  const outcome = validator.validate(pointer, body);
  return outcome.valid ? [] : outcome.errors.map((e) => `${key} ${status}: ${e}`);
}

export function formatErrors(errors: ErrorObject[], max = 8): string[] {
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // oneOf/anyOf summaries repeat what the branch errors already say.
    if (e.keyword === 'oneOf' || e.keyword === 'anyOf') continue;
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    let msg = e.message ?? e.keyword;
    if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
      msg += ` (${e.params.additionalProperty})`;
    } else if (e.keyword === 'enum' && Array.isArray(e.params.allowedValues)) {
      msg += `: ${e.params.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'const') {
      msg += ` ${JSON.stringify(e.params.allowedValue)}`;
    }
    const line = `${where}: ${msg}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  if (lines.length === 0 && errors.length > 0) {
    const e = errors[0]!;
    lines.push(`${e.instancePath === '' ? '(root)' : e.instancePath}: ${e.message ?? e.keyword}`);
  }
  return lines.length > max ? [...lines.slice(0, max), `... ${lines.length - max} more`] : lines;
}
