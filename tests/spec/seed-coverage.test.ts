import { describe, expect, it } from 'vitest';
import { deref, loadBundled, type Json } from './lib.js';
import { clusterRoles, joinStatusValues, placeholders, seedFacts, seedSamples } from './seed-facts.js';

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
