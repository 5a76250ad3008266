import { describe, expect, it } from 'vitest';
import { buildSpecModel } from '../../src/model/operations.js';
import { createValidator } from '../../src/model/validate.js';
import { deref, loadBundled, type Json } from './lib.js';
import { clientCodeFacts, type ClientCodeFact, clusterRoles, joinStatusValues, placeholders, seedFacts, seedSamples } from './seed-facts.js';

const doc = loadBundled();

/** Whether `schema` (through $ref, allOf/oneOf/anyOf) has the dotted element path. */
function hasElement(d: Json, schema: Json | undefined, path: string): boolean {
  if (path === '') return schema !== undefined;
  const s = schema ? deref(d, schema) : undefined;
  if (!s) return false;
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    if (Array.isArray(s[key]) && s[key].some((sub: Json) => hasElement(d, sub, path))) return true;
  }
  if (path.startsWith('[]')) return hasElement(d, s.items, path.slice(2).replace(/^\./, ''));
  const m = /^([^.[\]]+)(.*)$/.exec(path);
  if (!m) return false;
  const [, head, rest] = m;
  const child = s.properties?.[head!];
  if (!child) return false;
  return hasElement(d, child, rest!.replace(/^\./, ''));
}

/** Lists every seed fact the document lacks, as readable strings. */
function missingFacts(d: Json): string[] {
  const missing: string[] = [];
  for (const fact of seedFacts) {
    const where = `${fact.method.toUpperCase()} ${fact.path}`;
    const op = d.paths?.[fact.path]?.[fact.method];
    if (!op) {
      missing.push(`${where}: operation missing`);
      continue;
    }
    for (const status of fact.statuses) {
      if (!op.responses?.[String(status)]) missing.push(`${where}: status ${status} missing`);
    }
    for (const [status, types] of Object.entries(fact.errorTypes ?? {})) {
      const resp = op.responses?.[status] ? deref(d, op.responses[status]) : undefined;
      for (const t of types) if (!resp?.['x-error-types']?.includes(t)) missing.push(`${where}: ${status} ${t} missing`);
    }
    const success = Object.keys(op.responses ?? {}).find((s) => s.startsWith('2'));
    const schema = success ? deref(d, op.responses[success]).content?.['application/json']?.schema : undefined;
    for (const el of fact.responseElements ?? []) if (!hasElement(d, schema, el)) missing.push(`${where}: response element ${el} missing`);
    const reqSchema = op.requestBody?.content?.['application/json']?.schema;
    for (const el of fact.requestElements ?? []) if (!hasElement(d, reqSchema, el)) missing.push(`${where}: request element ${el} missing`);
  }
  return missing;
}

/**
 * The `x-sps-source` that governs the element at the dotted path: the last one met on the way
 * from `schema` down to it (through $refs and allOf/oneOf/anyOf), or undefined when the element
 * is missing or nothing on the way is marked.
 */
function sourceOf(d: Json, schema: Json | undefined, path: string, inherited?: Json): Json | undefined {
  if (!schema) return undefined;
  // Along a $ref chain the outermost mark wins: a mark next to a $ref is about this use.
  let s: Json | undefined = schema;
  let own: Json | undefined;
  for (let i = 0; s && i < 10; i++) {
    own ??= s['x-sps-source'];
    if (typeof s.$ref !== 'string') break;
    s = deref(d, { $ref: s.$ref });
  }
  if (!s) return undefined;
  const source = own ?? inherited;
  if (path === '') return source;
  for (const key of ['allOf', 'oneOf', 'anyOf'] as const) {
    for (const sub of Array.isArray(s[key]) ? s[key] : []) {
      const found = sourceOf(d, sub, path, source);
      if (found) return found;
    }
  }
  if (path.startsWith('[]')) return sourceOf(d, s.items, path.slice(2).replace(/^\./, ''), source);
  const m = /^([^.[\]]+)(.*)$/.exec(path);
  const child = m ? s.properties?.[m[1]!] : undefined;
  return child ? sourceOf(d, child, m![2]!.replace(/^\./, ''), source) : undefined;
}

/** Not marked as strong as the fact is: client code (or a vendor page, as strong), or an inference for an [inferred] fact. */
let strength: ClientCodeFact['strength'];
const notClientCode = (source: Json | undefined) =>
  strength === 'inference' ? source?.kind !== 'inference' : source?.kind !== 'client-code' && source?.kind !== 'vendor';

/** Lists every SDK fact the document lacks or does not mark as client code. */
function missingClientCodeFacts(d: Json): string[] {
  const missing: string[] = [];
  const validator = createValidator(buildSpecModel(d));
  for (const fact of clientCodeFacts) {
    strength = fact.strength;
    const where = `${fact.method.toUpperCase()} ${fact.path} (${fact.sdks.join(', ')})`;
    const op = d.paths?.[fact.path]?.[fact.method];
    if (!op) {
      missing.push(`${where}: operation missing`);
      continue;
    }
    if (fact.operation && notClientCode(op['x-sps-source'])) missing.push(`${where}: operation not marked client-code`);
    for (const status of fact.statuses ?? []) if (!op.responses?.[String(status)]) missing.push(`${where}: status ${status} missing`);
    if (fact.security === 'none' && !(Array.isArray(op.security) && op.security.length === 0)) missing.push(`${where}: not callable without a session`);
    if (fact.security === 'optional') {
      const reqs: Json[] = Array.isArray(op.security) ? op.security : [];
      const anonymous = reqs.some((r) => Object.keys(r).length === 0);
      if (!anonymous || !reqs.some((r) => 'sessionCookie' in r)) missing.push(`${where}: session not optional`);
    }
    for (const type of fact.securitySchemeTypes ?? []) {
      const names = (Array.isArray(op.security) ? op.security : (d.security ?? [])).flatMap((r: Json) => Object.keys(r));
      const scheme = names.map((n: string) => d.components?.securitySchemes?.[n]).find((sch: Json | undefined) => sch?.type === type);
      if (!scheme) missing.push(`${where}: security scheme ${type} missing`);
      else if (type !== 'http' && notClientCode(scheme['x-sps-source'])) missing.push(`${where}: security scheme ${type} not marked client-code`);
    }
    const params: Json[] = (op.parameters ?? []).map((p: Json) => deref(d, p));
    for (const [name, values] of Object.entries(fact.queryParams ?? {})) {
      const param = params.find((p) => p.in === 'query' && p.name === name);
      if (!param) {
        missing.push(`${where}: query parameter ${name} missing`);
        continue;
      }
      if (notClientCode(param['x-sps-source'])) missing.push(`${where}: query parameter ${name} not marked client-code`);
      const model = buildSpecModel(d).operations.find((o) => o.path === fact.path && o.method === fact.method.toUpperCase());
      const pointer = model?.parameters.find((p) => p.in === 'query' && p.name === name)?.schemaPointer;
      for (const v of values) if (!pointer || !validator.validate(pointer, v).valid) missing.push(`${where}: query parameter ${name} refuses ${v}`);
    }
    for (const [status, headers] of Object.entries(fact.responseHeaders ?? {})) {
      const resp = op.responses?.[status] ? deref(d, op.responses[status]) : undefined;
      for (const h of headers) {
        const header = resp?.headers?.[h];
        if (!header) missing.push(`${where}: ${status} header ${h} missing`);
        else if (notClientCode(header['x-sps-source'])) missing.push(`${where}: ${status} header ${h} not marked client-code`);
      }
    }
    if (fact.optionalRequestBody) {
      const rb = op.requestBody ? deref(d, op.requestBody) : undefined;
      if (!rb) missing.push(`${where}: request body missing`);
      else {
        if (rb.required === true) missing.push(`${where}: request body required`);
        if (notClientCode(rb['x-sps-source'])) missing.push(`${where}: request body not marked client-code`);
        const model = buildSpecModel(d).operations.find((o) => o.path === fact.path && o.method === fact.method.toUpperCase());
        const pointer = model?.requestBody?.schemaPointer;
        for (const v of fact.optionalRequestBody) {
          if (!pointer || !validator.validate(pointer, v).valid) missing.push(`${where}: request body refuses ${JSON.stringify(v)}`);
        }
      }
    }
    const success = Object.keys(op.responses ?? {}).find((st) => st.startsWith('2'));
    const schema = success ? deref(d, op.responses[success]).content?.['application/json']?.schema : undefined;
    for (const el of fact.responseElements ?? []) {
      if (!hasElement(d, schema, el)) missing.push(`${where}: response element ${el} missing`);
      else if (notClientCode(sourceOf(d, schema, el, op['x-sps-source']))) missing.push(`${where}: response element ${el} not marked client-code`);
    }
  }
  return missing;
}

function substitute(text: string): unknown {
  let out = text;
  for (const [from, to] of Object.entries(placeholders)) out = out.split(from).join(to);
  return JSON.parse(out);
}

describe('coverage of the vendor pages (seeds)', () => {
  it('has every seed endpoint, method, status code, error type and element', () => {
    expect(missingFacts(doc)).toEqual([]);
  });

  it('reports what a spec lacks (the check can fail)', () => {
    const broken = structuredClone(doc);
    delete broken.paths['/api/cluster'].get.responses['201'];
    delete broken.components.schemas.JoinRequest.properties.psk;
    delete broken.paths['/api/cluster/configuration_sync'];
    expect(missingFacts(broken)).toEqual([
      'GET /api/cluster: status 201 missing',
      'POST /api/cluster/join_request: response element body.psk missing',
      'GET /api/cluster/configuration_sync: operation missing',
    ]);
  });

  it('has every fact of the vendor SDKs, marked as client code (an [inferred] one as an inference)', () => {
    expect(missingClientCodeFacts(doc)).toEqual([]);
  });

  it('reports an SDK fact the spec lacks or does not mark (the check can fail)', () => {
    const broken = structuredClone(doc);
    delete broken.paths['/api/transaction'].post.requestBody;
    delete broken.components.responses.AuthenticationFailure.headers['WWW-Authenticate'];
    broken.paths['/api/authentication'].get.parameters = broken.paths['/api/authentication'].get.parameters.filter(
      (p: Json) => p.$ref !== '#/components/parameters/LoginType',
    );
    broken.paths['/api/authentication'].get.security = [{ basicAuth: [] }];
    delete broken.paths['/api/authentication/login_methods'].get.security;
    delete broken.paths['/api/info'];
    broken.components.schemas.Meta.properties.changes['x-sps-source'] = { kind: 'reading', reason: 'mutated' };
    const overstated = structuredClone(doc);
    overstated.components.responses.AuthenticationFailure.headers['WWW-Authenticate']['x-sps-source'] = {
      kind: 'client-code',
      sdks: ['SafeguardJava'],
      shows: 'mutated',
    };
    expect(missingClientCodeFacts(overstated)).toEqual(['GET /api/authentication (SafeguardJava): 401 header WWW-Authenticate not marked client-code']);
    expect(missingClientCodeFacts(broken)).toEqual([
      'POST /api/transaction (SafeguardJava, safeguard-ps, SafeguardDotNet): request body missing',
      'GET /api/authentication (SafeguardJava): 401 header WWW-Authenticate missing',
      'GET /api/authentication (safeguard-ps): security scheme mutualTLS missing',
      'GET /api/authentication (safeguard-ps): query parameter type missing',
      'GET /api/authentication/login_methods (safeguard-ps): not callable without a session',
      'GET /api/info (safeguard-ps, SafeguardDotNet, SafeguardJava): operation missing',
      'GET /api/transaction (safeguard-ps): response element meta.changes not marked client-code',
    ]);
  });

  it('reports an SDK fact the spec narrows (a required body, an x509 the parameter refuses)', () => {
    const broken = structuredClone(doc);
    broken.paths['/api/transaction'].post.requestBody.required = true;
    broken.paths['/api/transaction'].post.requestBody.content['application/json'].schema = { type: 'object', minProperties: 1 };
    broken.components.parameters.LoginType.schema.enum = ['basic'];
    broken.paths['/api/info'].get.security = [{ sessionCookie: [] }];
    expect(missingClientCodeFacts(broken)).toEqual([
      'POST /api/transaction (SafeguardJava, safeguard-ps, SafeguardDotNet): request body required',
      'POST /api/transaction (SafeguardJava, safeguard-ps, SafeguardDotNet): request body refuses {}',
      'GET /api/authentication (safeguard-ps): query parameter type refuses x509',
      'GET /api/info (safeguard-ps, SafeguardDotNet, SafeguardJava): session not optional',
    ]);
  });

  it('has the join status values and the cluster roles', () => {
    expect(deref(doc, doc.components.schemas.JoinStatus).properties.status.enum).toEqual(joinStatusValues);
    expect(deref(doc, doc.components.schemas.ClusterRole).enum).toEqual(clusterRoles);
  });

  it.each(seedSamples.map((s) => [`${s.method.toUpperCase()} ${s.path} ${s.status}`, s] as const))(
    'carries the seed sample of %s as an example',
    (_name, s) => {
      const resp = deref(doc, doc.paths[s.path][s.method].responses[s.status]);
      const examples = Object.values<Json>(resp.content['application/json'].examples ?? {}).map((e) => deref(doc, e).value);
      expect(examples).toContainEqual(substitute(s.sample));
    },
  );

  it('uses the encryption path of the curl example and explains the other spelling', () => {
    expect(doc.paths['/api/management/exported_configuration_encryption']).toBeUndefined();
    const op = doc.paths['/api/configuration/management/exported_configuration_encryption'].get;
    expect(op.description).toContain('/api/management/exported_configuration_encryption');
  });

  it('replaces secrets in examples with obviously fake values', () => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('Ler7HZDFmZCxnLLgHNRfZYfORhlZS99l9vEVr5UKtJEb1d4WeaHcBmQJLs4VDWIn');
    expect(text).not.toContain('a1f71d030e657634730b9e887cb59a5e56162860');
  });
});
