/**
 * The spec as one simulated node serves it: the bundled document (or another one, for tests),
 * cut to the node's SPS version (`versionView`), its operation model, and the one place where a
 * documented PUT/POST body is checked against its request schema (`checkRequestBody`).
 */
import { isJsonMediaType } from '../../shared/index.js';
import { isObject, parseJsonText } from '../../shared/json.js';
import { buildSpecModel, DEFAULT_SPEC_FILE, readSpecDocument, type JsonObject, type OperationModel, type SpecModel } from '../../model/operations.js';
import { createDocumentValidator, type SchemaValidator } from '../../model/validate.js';
import { coerceVersion, versionView } from '../../model/versions.js';
import { ApiError, syntactic } from '../appliance/api-error.js';

/** The SPS version a simulated node is when none is given (the newest 7.x the vendor pages document). */
export const DEFAULT_SPS_VERSION = '7.5.1';

export interface SimSpec {
  /** The node's SPS version (as given, e.g. `6.9` or `7.5.1`). */
  readonly version: string;
  /** The version-cut document. */
  readonly document: JsonObject;
  readonly model: SpecModel;
  readonly validator: SchemaValidator;
  /** The documented operation of a method and path template. */
  operation(method: string, template: string): OperationModel | undefined;
}

export interface SimSpecSource {
  /** A bundled spec file (JSON or YAML); default `generated/sps-api.json`. */
  specFile?: string;
  /** A bundled document (wins over `specFile`); it is not changed. */
  specDocument?: JsonObject;
}

const cache = new Map<string, SimSpec>();
const documents = new Map<string, JsonObject>();

/** The spec of a node of SPS `version`; one per (file, version) in this process. */
export function loadSimSpec(source: SimSpecSource, version: string): SimSpec {
  if (coerceVersion(version) === undefined) throw new RangeError(`not an SPS version: ${JSON.stringify(version)}`);
  const file = source.specFile ?? DEFAULT_SPEC_FILE;
  const key = `${file}\u0000${version}`;
  if (!source.specDocument) {
    const hit = cache.get(key);
    if (hit) return hit;
  }
  let full = source.specDocument;
  if (!full) {
    full = documents.get(file) ?? readSpecDocument(file);
    documents.set(file, full);
  }
  const document = versionView(full, version);
  const model = buildSpecModel(document, source.specDocument ? '<memory>' : file);
  const validator = createDocumentValidator(document);
  const byRoute = new Map<string, OperationModel>();
  for (const op of model.operations) byRoute.set(`${op.method} ${op.path}`, op);
  const spec: SimSpec = {
    version,
    document,
    model,
    validator,
    operation: (method, template) => byRoute.get(`${method.toUpperCase()} ${template}`),
  };
  if (!source.specDocument) cache.set(key, spec);
  return spec;
}

/**
 * The one check of a request body: malformed JSON is a `SyntacticError`; a body that breaks the
 * operation's request schema is 400 `InvalidRequestBody` (a documented error type) listing the
 * problems, unless `acceptInvalid` (the `acceptInvalidBodies` switch) lets it through to be
 * stored. An empty body of an operation whose body is optional passes. Returns the parsed body
 * (undefined when there was none).
 */
export function checkRequestBody(spec: SimSpec, op: OperationModel | undefined, path: string, rawBody: string, acceptInvalid: boolean): unknown {
  const parsed = parseJsonText(rawBody);
  if (!parsed.ok && parsed.reason === 'empty') return undefined;
  if (!parsed.ok) {
    if (!op?.requestBody || !isJsonMediaType(op.requestBody.mediaType)) return undefined; // not a JSON body: its handler decides
    throw syntactic('The request body is not valid JSON.', { path, reason: parsed.reason });
  }
  const value = parsed.value;
  const pointer = op?.requestBody && isJsonMediaType(op.requestBody.mediaType) ? op.requestBody.schemaPointer : undefined;
  if (pointer === undefined || acceptInvalid) return value;
  const outcome = spec.validator.validate(pointer, value);
  if (!outcome.valid) {
    throw new ApiError(400, 'InvalidRequestBody', 'The request body does not match the schema of this endpoint.', {
      path,
      problems: outcome.errors,
    });
  }
  return value;
}

export { isObject };
