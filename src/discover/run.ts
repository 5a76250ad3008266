/**
 * `runDiscovery(options)`: crawls every node in parallel (each with its own login, concurrency
 * and request bound), classifies what was found against the spec and returns the report, the
 * crawls (with the bodies, in memory, for the drafts) and the exit code.
 */
import { isObject } from '../shared/index.js';
import { readFileSync } from 'node:fs';
import { DEFAULT_SPEC_FILE, loadSpec, type SpecModel } from '../model/operations.js';
import type { SecretRegistry } from '../redact.js';
import { userAgentFor } from '../client/version.js';
import { classifyNode, differences, indexSpec, type DiscoveryReport } from './classify.js';
import { crawlNode, type NodeCrawl } from './crawl.js';

export const DISCOVER_DEFAULTS = { maxRequests: 500, concurrency: 2, timeoutMs: 10_000, sampleSize: 3 } as const;

export interface DiscoverOptions {
  urls: string[];
  username: string;
  password: string;
  caFile?: string;
  insecure?: boolean;
  specFile?: string;
  maxRequests?: number;
  concurrency?: number;
  timeoutMs?: number;
  sampleSize?: number;
  failOnUncovered?: boolean;
  secrets: SecretRegistry;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export interface DiscoveryRun {
  report: DiscoveryReport;
  crawls: NodeCrawl[];
  spec: SpecModel;
}

/** `https://sps1/api/` -> `https://sps1` (a trailing /api is ignored, as in the main CLI). */
export function baseUrlOf(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api$/, '');
}

/**
 * The spec's own GET paths that no directory links to: without a parameter, whose parent is
 * not a directory or collection of the spec (the transaction's change log, linked only from an
 * open transaction), never one marked `x-sps-never-send`. The crawl asks them besides the links.
 */
export function specGetPaths(spec: SpecModel): string[] {
  const paths = isObject(spec.document.paths) ? spec.document.paths : {};
  const listed = (p: string): boolean => {
    const item = paths[p];
    return isObject(item) && (item['x-sps-kind'] === 'directory' || item['x-sps-kind'] === 'collection');
  };
  return spec.operations
    .filter((op) => op.method === 'GET' && !op.path.includes('{') && !listed(op.path.slice(0, op.path.lastIndexOf('/'))))
    .filter((op) => {
      const raw = spec.at(op.pointer);
      return !(isObject(raw) && 'x-sps-never-send' in raw);
    })
    .map((op) => op.path);
}

export async function runDiscovery(o: DiscoverOptions): Promise<DiscoveryRun> {
  const started = Date.now();
  const spec = loadSpec(o.specFile ?? DEFAULT_SPEC_FILE);
  const index = indexSpec(spec);
  const ca = o.caFile ? readFileSync(o.caFile) : undefined;
  const crawls = await Promise.all(
    o.urls.map((url, i) =>
      crawlNode({
        node: `node${i + 1}`,
        baseUrl: baseUrlOf(url),
        username: o.username,
        password: o.password,
        ...(ca ? { ca } : {}),
        ...(o.insecure ? { insecure: true } : {}),
        timeoutMs: o.timeoutMs ?? DISCOVER_DEFAULTS.timeoutMs,
        concurrency: o.concurrency ?? DISCOVER_DEFAULTS.concurrency,
        maxRequests: o.maxRequests ?? DISCOVER_DEFAULTS.maxRequests,
        sampleSize: o.sampleSize ?? DISCOVER_DEFAULTS.sampleSize,
        userAgent: userAgentFor('sps-conformance'),
        secrets: o.secrets,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
        extraPaths: specGetPaths(spec),
      }),
    ),
  );
  const nodes = crawls.map((c) => classifyNode(c, index));
  const templates = new Map<string, boolean>();
  for (const n of nodes) for (const e of n.endpoints) if (e.status !== 0 && e.status !== 404) templates.set(e.template, e.in_spec);
  const covered = [...templates.values()].filter(Boolean).length;
  const messages: string[] = [];
  for (const n of nodes) {
    if (n.fatal) messages.push(`${n.node} (${n.url}): ${n.fatal}`);
    const failed = n.endpoints.filter((e) => e.status >= 500);
    if (failed.length > 0) {
      messages.push(
        `${n.node}: ${failed.length} endpoint(s) answered a server error, the crawl went on: ${failed.map((e) => `GET ${e.path} ${e.status}`).join(', ')}`,
      );
    }
    if (n.bound_hit) {
      messages.push(
        `${n.node}: --max-requests ${o.maxRequests ?? DISCOVER_DEFAULTS.maxRequests} reached with ${n.bound_hit} paths not fetched: the report is incomplete (raise --max-requests)`,
      );
    }
  }
  const uncovered = templates.size - covered;
  const exit_code = nodes.some((n) => n.fatal) ? 2 : o.failOnUncovered && uncovered > 0 ? 1 : 0;
  const report: DiscoveryReport = {
    spec: { file: spec.file, version: spec.version, get_paths: index.getPaths.length },
    started_at: new Date(started).toISOString(),
    duration_ms: Date.now() - started,
    nodes,
    differences: differences(nodes),
    totals: { found: templates.size, covered, not_covered: uncovered },
    exit_code,
    messages,
  };
  return { report, crawls, spec };
}
