/**
 * Classifies what the crawl found against the contract: for each endpoint whether a path
 * template of the spec covers it and the GET operationId; the spec's GET paths a node answered
 * 404 or never listed; totals; and, for several nodes, the node x endpoint differences.
 * Produces the {@link DiscoveryReport} that the reports and the drafts are made from.
 */
import { matchesTemplate, type SpecModel } from '../model/operations.js';
import type { NodeCrawl, SampledCollection, Shape } from './crawl.js';

export interface ClassifiedEndpoint {
  path: string;
  /** The path with the ids of sampled collections replaced: `/api/x/items/{itemId}`. */
  template: string;
  status: number;
  content_type: string;
  shape: Shape;
  in_spec: boolean;
  /** The spec's path template that covers it. */
  spec_path?: string;
  operationId?: string;
  body_skipped?: string;
  error?: string;
}

export interface NodeDiscovery {
  node: string;
  url: string;
  version?: string;
  fatal?: string;
  requests: number;
  logins: number;
  bound_hit: number;
  duration_ms: number;
  endpoints: ClassifiedEndpoint[];
  collections: SampledCollection[];
  /** Spec GET paths this node answered with 404. */
  spec_not_found: string[];
  /** Spec GET paths (templates) no fetched endpoint of this node matched. */
  spec_not_listed: string[];
  totals: { found: number; covered: number; not_covered: number };
}

export interface DiscoveryReport {
  spec: { file: string; version: string; get_paths: number };
  started_at: string;
  duration_ms: number;
  nodes: NodeDiscovery[];
  /** Endpoint templates that not every node has, with each node's status (null: not found). */
  differences: { template: string; in_spec: boolean; status: Record<string, number | null> }[];
  totals: { found: number; covered: number; not_covered: number };
  exit_code: number;
  messages: string[];
}

/** `policies` -> `policy`, `sessions` -> `session` (English plurals SPS uses). */
export function singular(word: string): string {
  return word.replace(/ies$/, 'y').replace(/(?<!s)s$/, '');
}

/** `backup_policies` -> `backupPolicyId`: the parameter name of a sampled collection's items. */
export function paramName(collectionPath: string): string {
  const seg = collectionPath.slice(collectionPath.lastIndexOf('/') + 1);
  const camel = singular(seg)
    .replace(/[-_]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase())
    .replace(/[^A-Za-z0-9]/g, '');
  return `${camel || 'item'}Id`;
}

/** Replaces each segment right below a sampled collection with its `{param}`. */
export function templateOf(path: string, collections: Iterable<string>): string {
  let out = path;
  const sorted = [...collections].sort((a, b) => b.length - a.length);
  for (const c of sorted) {
    if (path.startsWith(`${c}/`)) {
      const rest = path.slice(c.length + 1).split('/');
      rest[0] = `{${paramName(c)}}`;
      const inner = templateOf(
        c,
        sorted.filter((x) => x !== c),
      );
      out = `${inner}/${rest.join('/')}`;
      break;
    }
  }
  return out;
}

export interface SpecIndex {
  match(path: string): { template: string; operationId?: string } | undefined;
  getPaths: string[];
}

export function indexSpec(spec: SpecModel): SpecIndex {
  const gets = new Map(spec.operations.filter((op) => op.method === 'GET').map((op) => [op.path, op.operationId]));
  const literal = spec.pathTemplates.filter((t) => !t.includes('{'));
  const templated = spec.pathTemplates.filter((t) => t.includes('{'));
  return {
    getPaths: [...gets.keys()],
    match(path) {
      const exact = literal.find((t) => t === path) ?? templated.find((t) => matchesTemplate(t, path));
      if (!exact) return undefined;
      const operationId = gets.get(exact);
      return { template: exact, ...(operationId ? { operationId } : {}) };
    },
  };
}

export function classifyNode(crawl: NodeCrawl, spec: SpecIndex): NodeDiscovery {
  const collections = crawl.collections.map((c) => c.path);
  const endpoints = [...crawl.endpoints]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((e): ClassifiedEndpoint => {
      const m = spec.match(e.path);
      return {
        path: e.path,
        template: templateOf(e.path, collections),
        status: e.status,
        content_type: e.contentType,
        shape: e.shape,
        in_spec: m !== undefined,
        ...(m ? { spec_path: m.template } : {}),
        ...(m?.operationId ? { operationId: m.operationId } : {}),
        ...(e.bodySkipped ? { body_skipped: e.bodySkipped } : {}),
        ...(e.error ? { error: e.error } : {}),
      };
    });
  const answered = endpoints.filter((e) => e.status !== 0);
  const notFound = new Set(answered.filter((e) => e.status === 404 && e.spec_path).map((e) => e.spec_path!));
  const listed = new Set(answered.filter((e) => e.status !== 404 && e.spec_path).map((e) => e.spec_path!));
  // Totals count endpoint templates: the sampled items of a collection are one endpoint.
  const templates = new Map(answered.filter((e) => e.status !== 404).map((e) => [e.template, e.in_spec]));
  const covered = [...templates.values()].filter(Boolean).length;
  return {
    node: crawl.node,
    url: crawl.url,
    ...(crawl.version ? { version: crawl.version } : {}),
    ...(crawl.fatal ? { fatal: crawl.fatal } : {}),
    requests: crawl.requests,
    logins: crawl.logins,
    bound_hit: crawl.boundHit,
    duration_ms: crawl.durationMs,
    endpoints,
    collections: crawl.collections,
    spec_not_found: [...notFound].sort(),
    spec_not_listed: spec.getPaths.filter((p) => !listed.has(p) && !notFound.has(p)).sort(),
    totals: { found: templates.size, covered, not_covered: templates.size - covered },
  };
}

/** Templates that some node lacks or answers differently, with every node's status. */
export function differences(nodes: NodeDiscovery[]): DiscoveryReport['differences'] {
  if (nodes.length < 2) return [];
  const all = new Map<string, { in_spec: boolean; status: Record<string, number | null> }>();
  for (const n of nodes) {
    for (const e of n.endpoints) {
      const row = all.get(e.template) ?? { in_spec: e.in_spec, status: Object.fromEntries(nodes.map((x) => [x.node, null])) };
      row.status[n.node] ??= e.status;
      all.set(e.template, row);
    }
  }
  return [...all.entries()]
    .filter(([, r]) => new Set(Object.values(r.status)).size > 1)
    .map(([template, r]) => ({ template, ...r }))
    .sort((a, b) => a.template.localeCompare(b.template));
}
