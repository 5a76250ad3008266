/**
 * Checks simulator answers against the bundled spec (generated/sps-api.json) with the project's
 * own validator (src/spec/validate.ts): the status must be documented for the operation and the
 * JSON body must validate against its schema.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { documentedResponse, loadSpec, type SpecModel } from '../../src/spec/model.js';
import { createValidator, type SchemaValidator } from '../../src/spec/validate.js';

export const SPEC_FILE = join(process.cwd(), 'generated', 'sps-api.json');
export const specAvailable = (): boolean => existsSync(SPEC_FILE);

export class SpecChecker {
  readonly model: SpecModel;
  private readonly validator: SchemaValidator;
  /** `METHOD template` -> statuses seen */
  readonly seen = new Map<string, Set<number>>();

  constructor(file = SPEC_FILE) {
    this.model = loadSpec(file);
    this.validator = createValidator(this.model);
  }

  operations(): string[] {
    return this.model.operations.map((op) => `${op.method} ${op.path}`);
  }

  /** Whether the spec documents this operation (for operations another change may add). */
  has(method: string, template: string): boolean {
    return this.operations().includes(`${method.toUpperCase()} ${template}`);
  }

  /** Problems with one answer (empty when it conforms). */
  check(method: string, template: string, status: number, body: unknown): string[] {
    const key = `${method} ${template}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key)?.add(status);
    const op = this.model.operations.find((o) => o.method === method.toUpperCase() && o.path === template);
    if (!op) throw new Error(`operation not in the spec: ${method} ${template}`);
    const r = documentedResponse(op, status);
    if (!r) return [`${key}: status ${status} is not documented`];
    const pointer = r.json?.schemaPointer;
    if (pointer === undefined || body === undefined) return [];
    const outcome = this.validator.validate(pointer, body);
    return outcome.valid ? [] : outcome.errors.map((e) => `${key} ${status}: ${e}`);
  }

  /** Operations never answered with a 2xx (of `only`, when given). */
  uncovered(only?: (op: string) => boolean): string[] {
    return this.operations()
      .filter((op) => only === undefined || only(op))
      .filter((op) => ![...(this.seen.get(op) ?? [])].some((s) => s >= 200 && s < 300));
  }
}
