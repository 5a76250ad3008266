/**
 * The peers `npm run bench` runs next to `sps-conformance`, on the same spec and the same mock:
 *
 * - Redocly `respect` (the project's dev dependency @redocly/cli): an Arazzo file with one
 *   workflow per operation and one step per documented (status, example), asking the mock for
 *   it with `Prefer:`; respect checks each answer's status, content type and body schema.
 * - Portman + Newman (installed into a temporary folder with npm, not project dependencies):
 *   Portman turns the spec into a Postman collection with one request per documented
 *   (operation, status), each with contract tests (status code, content type, JSON body, schema);
 *   Newman runs it.
 *
 * Dredd is not run: its last release (14.1.0, 2021) does not parse OpenAPI 3.1, the version of
 * this spec (it supports OpenAPI 2 and, experimentally, 3.0).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { HTTP_METHODS } from '../../src/shared/index.js';
import { readDocument } from '../../src/shared/documents.js';

type Json = Record<string, any>;

/** The newest releases that run on Node 20 (engines: portman node >= 12, newman node >= 16). */
export const PORTMAN_VERSION = '1.33.0';
export const NEWMAN_VERSION = '6.2.2';
/** Portman 1.33.0 requires tslib without declaring it. */
const TSLIB_VERSION = '2.8.1';

export interface Pair {
  operationId: string;
  method: string;
  /** Path template. */
  path: string;
  /** Path with every parameter filled from its example. */
  concrete: string;
  pathValues: Record<string, string>;
  status: string;
  /** Named examples of the JSON answer ('' when there are none). */
  example: string;
  auth: 'cookie' | 'basic' | 'none';
  body?: unknown;
}

function securityOf(doc: Json, op: Json): 'cookie' | 'basic' | 'none' {
  const text = JSON.stringify(op.security ?? doc.security ?? []);
  if (text.includes('sessionCookie')) return 'cookie';
  if (text.includes('basicAuth')) return 'basic';
  return 'none';
}

/** One entry per documented (operation, concrete status, named example): what the runner asks the mock for. */
export function documentedPairs(doc: Json): Pair[] {
  const pairs: Pair[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths)) {
    for (const m of HTTP_METHODS) {
      const op = item[m] as Json | undefined;
      if (!op) continue;
      const params = [...((item.parameters as Json[] | undefined) ?? []), ...((op.parameters as Json[] | undefined) ?? [])].map((p) =>
        typeof p.$ref === 'string' ? (doc.components.parameters[p.$ref.split('/').pop()!] as Json) : p,
      );
      const pathValues: Record<string, string> = {};
      const concrete = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        const p = params.find((x) => x.name === name && x.in === 'path');
        const v = String(p?.example ?? p?.schema?.example ?? 'x');
        pathValues[name] = v;
        return encodeURIComponent(v);
      });
      const rbContent = op.requestBody?.content?.['application/json'] as Json | undefined;
      const firstExample = rbContent?.examples ? (Object.values<Json>(rbContent.examples)[0]?.value as unknown) : rbContent?.example;
      for (const [status, resp0] of Object.entries<Json>(op.responses)) {
        if (!/^\d{3}$/.test(status)) continue;
        const resp = typeof resp0.$ref === 'string' ? (doc.components.responses[resp0.$ref.split('/').pop()!] as Json) : resp0;
        const examples = Object.keys((resp?.content?.['application/json']?.examples as Json | undefined) ?? {});
        for (const example of examples.length > 0 ? examples : ['']) {
          pairs.push({
            operationId: String(op.operationId),
            method: m.toUpperCase(),
            path,
            concrete,
            pathValues,
            status,
            example,
            auth: securityOf(doc, op),
            ...(firstExample !== undefined ? { body: firstExample } : {}),
          });
        }
      }
    }
  }
  return pairs;
}

// ---- Redocly respect ------------------------------------------------------------------------

/** An Arazzo 1.0 document: one workflow per operation, one step per (status, example). */
export function arazzoFor(doc: Json, specFile: string): string {
  const byOp = new Map<string, Pair[]>();
  for (const p of documentedPairs(doc)) {
    let list = byOp.get(p.operationId);
    if (!list) byOp.set(p.operationId, (list = []));
    list.push(p);
  }
  const workflows = [...byOp.entries()].map(([operationId, pairs]) => ({
    workflowId: operationId.replace(/[^A-Za-z0-9_-]/g, '_'),
    steps: pairs.map((p, i) => ({
      stepId: `s${i}_${p.status}${p.example ? `_${p.example.replace(/[^A-Za-z0-9_-]/g, '_')}` : ''}`,
      operationId: p.operationId,
      parameters: [
        ...Object.entries(p.pathValues).map(([name, value]) => ({ name, in: 'path', value })),
        { name: 'Prefer', in: 'header', value: `code=${p.status}${p.example ? `, example=${p.example}` : ''}` },
        ...(p.auth === 'cookie' ? [{ name: 'Cookie', in: 'header', value: 'session_id=bench' }] : []),
        ...(p.auth === 'basic' ? [{ name: 'Authorization', in: 'header', value: 'Basic YmVuY2g6YmVuY2g=' }] : []),
      ],
      ...(p.body !== undefined ? { requestBody: { contentType: 'application/json', payload: p.body } } : {}),
      successCriteria: [{ condition: `$statusCode == ${p.status}` }],
    })),
  }));
  return stringify({
    arazzo: '1.0.1',
    info: { title: `${String(doc.info?.title)} (bench)`, version: '1.0.0' },
    sourceDescriptions: [{ name: 'api', type: 'openapi', url: specFile }],
    workflows,
  });
}

// ---- Portman + Newman -----------------------------------------------------------------------

/**
 * A Portman configuration: contract tests on every operation's default answer, and a variation
 * per other documented status (with `Prefer: code=...`), each with the same contract tests.
 */
export function portmanConfig(doc: Json): Json {
  const contract = {
    statusCode: { enabled: true },
    contentType: { enabled: true },
    jsonBody: { enabled: true },
    schemaValidation: { enabled: true },
  };
  const variationTests: Json[] = [];
  const seen = new Set<string>();
  for (const p of documentedPairs(doc)) {
    const key = `${p.operationId} ${p.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    variationTests.push({
      openApiOperationId: p.operationId,
      openApiResponse: p.status,
      variations: [
        {
          name: `${p.operationId}_${p.status}`,
          openApiResponse: p.status,
          overwrites: [{ overwriteRequestHeaders: [{ key: 'Prefer', value: `code=${p.status}` }] }],
          tests: { contractTests: [contract] },
        },
      ],
    });
  }
  return {
    version: 1.0,
    tests: { contractTests: [], variationTests },
    overwrites: [
      {
        openApiOperation: '*::/*',
        overwriteRequestHeaders: [
          { key: 'Cookie', value: 'session_id=bench' },
          { key: 'Authorization', value: 'Basic YmVuY2g6YmVuY2g=' },
        ],
      },
    ],
    globals: { stripResponseExamples: true },
  };
}

export interface PeerTools {
  dir: string;
  portman: string;
  newman: string;
}

/** Installs Portman and Newman into `dir` (npm, exact versions), once. */
export function installPeers(dir: string, log: (s: string) => void): PeerTools {
  const tools = { dir, portman: join(dir, 'node_modules', '.bin', 'portman'), newman: join(dir, 'node_modules', '.bin', 'newman') };
  if (existsSync(tools.portman) && existsSync(tools.newman)) return tools;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sps-bench-peers', private: true }));
  log(`installing @apideck/portman@${PORTMAN_VERSION} and newman@${NEWMAN_VERSION} into ${dir} (npm)`);
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--save-exact',
      `@apideck/portman@${PORTMAN_VERSION}`,
      `newman@${NEWMAN_VERSION}`,
      `tslib@${TSLIB_VERSION}`,
    ],
    {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 10 * 60_000,
    },
  );
  return tools;
}

/** Requests Newman sent, from its JSON report. */
export function newmanRequests(reportFile: string): { requests: number; assertions: number; failed: number } | undefined {
  if (!existsSync(reportFile)) return undefined;
  const r = readDocument(reportFile) as Json;
  const stats = r.run?.stats as Json | undefined;
  return { requests: Number(stats?.requests?.total ?? 0), assertions: Number(stats?.assertions?.total ?? 0), failed: Number(stats?.assertions?.failed ?? 0) };
}

/** Requests in a Postman collection (one per item, folders walked): what Newman sends once. */
export function collectionRequests(collectionFile: string): number | undefined {
  if (!existsSync(collectionFile)) return undefined;
  const walk = (items: unknown): number =>
    Array.isArray(items) ? items.reduce<number>((n, it: Json) => n + (Array.isArray(it.item) ? walk(it.item) : it.request ? 1 : 0), 0) : 0;
  return walk((readDocument(collectionFile) as Json).item);
}

/** Requests respect sent, from its JSON output (one per step run). */
export function respectRequests(jsonFile: string): { requests: number; failedSteps: number } | undefined {
  if (!existsSync(jsonFile)) return undefined;
  const r = readDocument(jsonFile) as Json;
  let requests = 0;
  let failedSteps = 0;
  const visit = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') {
      const o = x as Json;
      if (o.request && typeof o.request === 'object' && (o.request as Json).method) {
        requests++;
        if (Array.isArray(o.checks) && (o.checks as Json[]).some((c) => c.passed === false)) failedSteps++;
      }
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit(r);
  return { requests, failedSteps };
}
