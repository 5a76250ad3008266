/**
 * Checks simulator answers against the bundled spec (generated/sps-api.json): the status must
 * be documented for the operation and the JSON body must validate against its schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const SPEC_FILE = join(process.cwd(), 'generated', 'sps-api.json');
export const specAvailable = (): boolean => existsSync(SPEC_FILE);

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Rewrites local refs ('#/...') so they resolve inside the document registered as 'spec'. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value !== null && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `spec${v}` : rebase(v);
    return out;
  }
  return value;
}

export class SpecChecker {
  private readonly doc: Json;
  private readonly ajv: Ajv2020;
  private readonly cache = new Map<string, ValidateFunction | null>();
  /** `METHOD template` -> statuses seen */
  readonly seen = new Map<string, Set<number>>();

  constructor(file = SPEC_FILE) {
    this.doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.doc, 'spec');
  }

  operations(): string[] {
    const out: string[] = [];
    for (const [path, item] of Object.entries(this.doc.paths as Json)) {
      for (const m of METHODS) if ((item as Json)[m]) out.push(`${m.toUpperCase()} ${path}`);
    }
    return out;
  }

  /** Whether the spec documents this operation (for operations another change may add). */
  has(method: string, template: string): boolean {
    return this.operations().includes(`${method.toUpperCase()} ${template}`);
  }

  private response(method: string, template: string, status: number): Json | undefined {
    const op = ((this.doc.paths as Json)[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    if (!op) throw new Error(`operation not in the spec: ${method} ${template}`);
    const responses = op.responses as Json;
    let r = (responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default) as Json | undefined;
    if (r && typeof r.$ref === 'string') {
      const name = r.$ref.split('/').pop() as string;
      r = ((this.doc.components as Json).responses as Json)[name] as Json;
    }
    return r;
  }

  /** Problems with one answer (empty when it conforms). */
  check(method: string, template: string, status: number, body: unknown): string[] {
    const key = `${method} ${template}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key)?.add(status);
    const r = this.response(method, template, status);
    if (!r) return [`${key}: status ${status} is not documented`];
    const schema = ((r.content as Json | undefined)?.['application/json'] as Json | undefined)?.schema;
    if (schema === undefined) return [];
    const cacheKey = `${key} ${status}`;
    let validate = this.cache.get(cacheKey);
    if (validate === undefined) {
      validate = this.ajv.compile(rebase(schema) as Json);
      this.cache.set(cacheKey, validate);
    }
    if (!validate || validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${key} ${status}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** Operations never answered with a 2xx. */
  uncovered(): string[] {
    return this.operations().filter((op) => ![...(this.seen.get(op) ?? [])].some((s) => s >= 200 && s < 300));
  }
}
