/**
 * Helpers for the document-level tests: load the split and bundled spec, walk its examples and
 * validate them with Ajv in JSON Schema 2020-12 mode (the dialect of OpenAPI 3.1), through the
 * same validator the conformance runner uses (src/model/validate.ts).
 */
import { fileURLToPath } from 'node:url';
import { buildSpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { HTTP_METHODS } from '../../src/shared/index.js';
import { readDocument } from '../../src/shared/documents.js';

export { HTTP_METHODS };

export const root = fileURLToPath(new URL('../../', import.meta.url));
export type Json = Record<string, any>;

export function loadBundled(): Json {
  return readDocument(`${root}generated/sps-api.json`) as Json;
}

export function loadRoot(): Json {
  return readDocument(`${root}openapi/openapi.yaml`) as Json;
}

export interface OperationRef {
  path: string;
  method: string;
  op: Json;
}

export function operations(doc: Json): OperationRef[] {
  const out: OperationRef[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ path, method, op: item[method] });
  }
  return out;
}

/** Resolves a local `#/...` $ref (one level at a time) in the bundled document. */
export function deref(doc: Json, node: Json): Json {
  let cur = node;
  for (let i = 0; cur && typeof cur.$ref === 'string' && i < 10; i++) {
    cur = pointerGet(doc, cur.$ref.slice(1));
  }
  return cur;
}

export function pointerGet(doc: Json, pointer: string): any {
  return pointer
    .split('/')
    .slice(1)
    .reduce<any>((acc, raw) => (acc == null ? acc : acc[raw.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}

const esc = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

export interface ExampleCase {
  /** JSON pointer of the example value in the bundled document. */
  pointer: string;
  /** JSON pointer of the schema the example must satisfy. */
  schemaPointer: string;
  value: unknown;
  /** Whether the example is a request (writeOnly allowed) or a response (readOnly allowed). */
  direction: 'request' | 'response' | 'parameter';
}

/** Every example of the document: media types (requests and responses), parameters, headers. */
export function collectExamples(doc: Json): ExampleCase[] {
  const cases: ExampleCase[] = [];
  const fromMedia = (media: Json, base: string, direction: ExampleCase['direction']) => {
    if (!media?.schema) return;
    const schemaPointer = `${base}/schema`;
    if ('example' in media) cases.push({ pointer: `${base}/example`, schemaPointer, value: media.example, direction });
    for (const [name, ex] of Object.entries<Json>(media.examples ?? {})) {
      const resolved = deref(doc, ex);
      cases.push({ pointer: `${base}/examples/${esc(name)}/value`, schemaPointer, value: resolved.value, direction });
    }
  };
  const fromContent = (content: Json | undefined, base: string, direction: ExampleCase['direction']) => {
    for (const [type, media] of Object.entries<Json>(content ?? {})) fromMedia(media, `${base}/content/${esc(type)}`, direction);
  };
  const fromParam = (param: Json, base: string) => {
    if (param?.schema && 'example' in param) {
      cases.push({ pointer: `${base}/example`, schemaPointer: `${base}/schema`, value: param.example, direction: 'parameter' });
    }
  };
  for (const [name, param] of Object.entries<Json>(doc.components?.parameters ?? {})) fromParam(param, `#/components/parameters/${esc(name)}`);
  for (const [name, resp] of Object.entries<Json>(doc.components?.responses ?? {})) {
    fromContent(resp.content, `#/components/responses/${esc(name)}`, 'response');
  }
  for (const { path, method, op } of operations(doc)) {
    const base = `#/paths/${esc(path)}/${method}`;
    for (const [i, p] of ((op.parameters ?? []) as Json[]).entries()) fromParam(p, `${base}/parameters/${i}`);
    if (op.requestBody && !op.requestBody.$ref) fromContent(op.requestBody.content, `${base}/requestBody`, 'request');
    for (const [status, resp] of Object.entries<Json>(op.responses ?? {})) {
      if (resp.$ref) continue; // shared responses are checked once, above
      fromContent(resp.content, `${base}/responses/${status}`, 'response');
      for (const [h, header] of Object.entries<Json>(resp.headers ?? {})) fromParam(header, `${base}/responses/${status}/headers/${esc(h)}`);
    }
  }
  return cases;
}

export interface ExampleProblem {
  pointer: string;
  file: string;
  errors: string[];
}

/** Maps a pointer in the bundle to the hand-written file it came from (root `$ref`s). */
export function sourceFileOf(pointer: string, rootDoc: Json): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts[0] === 'paths') {
    const ref = rootDoc.paths?.[parts[1] ?? '']?.$ref;
    if (ref) return `openapi/${ref}`;
  }
  if (parts[0] === 'components') {
    const ref = rootDoc.components?.[parts[1] ?? '']?.[parts[2] ?? '']?.$ref;
    if (ref) return `openapi/${ref}`;
  }
  return 'openapi/openapi.yaml';
}

/** Validates every example against its schema; returns the problems (empty when all pass). */
export function validateExamples(doc: Json, rootDoc: Json = loadRoot()): ExampleProblem[] {
  const validator = createValidator(buildSpecModel(doc));
  const problems: ExampleProblem[] = [];
  for (const ex of collectExamples(doc)) {
    const outcome = validator.validate(ex.schemaPointer, ex.value);
    if (!outcome.valid) problems.push({ pointer: ex.pointer, file: sourceFileOf(ex.pointer, rootDoc), errors: outcome.errors });
  }
  return problems;
}

export function formatProblems(problems: ExampleProblem[]): string {
  return problems.map((p) => `${p.file} ${p.pointer}: ${p.errors.join('; ')}`).join('\n');
}
