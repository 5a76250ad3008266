/**
 * Draft path files for what the crawl found outside the contract, in this repository's layout
 * (`paths/<area>/<name>.yaml`, as `openapi/openapi.yaml` refers to them). Each has a response
 * schema inferred from every sample of every node, an example with placeholder values, and
 * `x-sps-source: { kind: observed, version, node }`. Drafts are written to the draft directory
 * only, never into `openapi/`: a maintainer reviews one and moves it in (README, "Discovering
 * the live API").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { SecretRegistry } from '../redact.js';
import { mediaTypeBase } from '../shared/index.js';
import { singular, type DiscoveryReport } from './classify.js';
import type { NodeCrawl } from './crawl.js';
import { inferSchema, placeholderExample, type Schema } from './infer.js';

/** The tags of openapi/openapi.yaml by path area; other areas get a new tag to declare. */
const AREA_TAGS: Record<string, string> = {
  navigation: 'Navigation',
  authentication: 'Authentication',
  transaction: 'Transactions',
  local_services: 'Local services',
  datetime: 'Date and time',
  management: 'Management',
  policies: 'Policies',
  network: 'Network',
  cluster: 'Cluster',
};

/** `/api/configuration/datetime/timezone` -> `datetime/timezone.yaml` (the layout of openapi/paths/). */
export function draftFileName(template: string): string {
  const all = template.split('/').filter(Boolean); // ['api', ...]
  let segs = all.slice(1);
  if (segs[0] === 'configuration' && segs.length > 1) segs = segs.slice(1);
  if (segs.length === 0 || (segs.length === 1 && segs[0] === 'configuration')) return `navigation/${all[all.length - 1]}.yaml`;
  const area = segs[0]!;
  const name = segs.length === 1 ? area : segs.slice(1).join('_');
  return `${area}/${name}.yaml`;
}

function pascal(text: string): string {
  return text
    .replace(/\{[^}]*\}/g, '')
    .split(/[^A-Za-z]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1).toLowerCase())
    .join('');
}

function words(text: string): string {
  return text.replace(/[_-]+/g, ' ').trim();
}

export interface Draft {
  template: string;
  file: string;
  operationId: string;
  tag: string;
  /** Whether the tag still has to be declared in openapi.yaml. */
  newTag: boolean;
  document: Record<string, unknown>;
}

interface Group {
  template: string;
  shape: string;
  status: number;
  contentType: string;
  samples: unknown[];
  nodes: { node: string; version?: string }[];
}

/** One draft per endpoint template outside the contract that answered 2xx on some node. */
export function buildDrafts(report: DiscoveryReport, crawls: NodeCrawl[], spec: { operationIds: Iterable<string>; pathTemplates: Iterable<string> }): Draft[] {
  const groups = new Map<string, Group>();
  report.nodes.forEach((n, i) => {
    const crawl = crawls[i]!;
    const bodies = new Map(crawl.endpoints.map((e) => [e.path, e.body]));
    for (const e of n.endpoints) {
      if (e.in_spec || e.status < 200 || e.status >= 300) continue;
      const g = groups.get(e.template) ?? { template: e.template, shape: e.shape, status: e.status, contentType: e.content_type, samples: [], nodes: [] };
      const body = bodies.get(e.path);
      if (body !== undefined) g.samples.push(body);
      if (!g.nodes.some((x) => x.node === n.node)) g.nodes.push({ node: n.node, ...(n.version ? { version: n.version } : {}) });
      groups.set(e.template, g);
    }
  });
  const used = new Set(spec.operationIds);
  const usedFiles = new Set([...spec.pathTemplates].map(draftFileName));
  const drafts: Draft[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.template.localeCompare(b.template))) {
    let file = draftFileName(g.template);
    if (usedFiles.has(file)) file = `${file.split('/')[0]}/${g.template.split('/').filter(Boolean).slice(1).join('_')}.yaml`;
    for (let n = 2; usedFiles.has(file); n++) file = file.replace(/(_\d+)?\.yaml$/, `_${n}.yaml`);
    usedFiles.add(file);
    const area = file.split('/')[0]!;
    const segs = g.template.split('/').filter(Boolean);
    const last = segs[segs.length - 1]!;
    const named = last.startsWith('{') ? singular(segs[segs.length - 2] ?? 'item') : last;
    let operationId = g.shape === 'directory' ? `list${pascal(named)}Endpoints` : g.shape === 'list' ? `list${pascal(named)}` : `get${pascal(named)}`;
    if (used.has(operationId)) operationId = operationId.replace(/^(get|list)/, (v) => `${v}${pascal(area)}`);
    while (used.has(operationId)) operationId = `${operationId}Again`;
    used.add(operationId);
    const tag = AREA_TAGS[area] ?? (pascal(area) || 'Observed');
    const params = [...g.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const first = g.nodes[0]!;
    const seenOn = g.nodes.map((x) => `${x.node}${x.version ? ` (SPS ${x.version})` : ''}`).join(', ');
    const json = mediaTypeBase(g.contentType) === 'application/json' || g.samples.length > 0;
    // JSON that was not read (over the size cap) is free-form; a download is a string of its type.
    const schema: Schema = g.samples.length > 0 ? inferSchema(g.samples) : json ? {} : { type: 'string' };
    const example = g.samples.length > 0 ? placeholderExample(g.samples[0]) : json ? {} : STRING_BODY;
    const mediaType = json ? 'application/json' : mediaTypeBase(g.contentType) || 'application/octet-stream';
    const op: Record<string, unknown> = {
      operationId,
      summary: `${g.shape === 'directory' || g.shape === 'list' ? 'List' : 'Get'} ${words(named)} (observed, not documented)`,
      description:
        `Observed by \`sps-conformance discover\` on ${seenOn}; not documented by the vendor. ` +
        `The schema was inferred from ${g.samples.length} sample(s) (types only; \`required\` lists what every sample had) ` +
        `and the example keeps their structure with placeholder values. Review it before relying on it.`,
      tags: [tag],
      'x-sps-source': { kind: 'observed', version: first.version ?? 'unknown', node: first.node },
      // Seen on this version; whether other versions have it is unknown (docs/spec-conventions.md).
      'x-sps-versions': observedVersions(g.nodes.map((x) => x.version)),
      ...(params.length > 0
        ? {
            parameters: params.map((name) => ({
              name,
              in: 'path',
              required: true,
              description: 'Id of one item of the collection (observed).',
              schema: { type: 'string' },
            })),
          }
        : {}),
      responses: {
        '200': {
          description:
            g.samples.length > 0
              ? 'As observed.'
              : `As observed: a ${mediaType} body that the crawl did not read (${json ? 'over its size cap' : 'not JSON'}).`,
          content: { [mediaType]: { schema, examples: { observed: { summary: 'Structure and types of a sample, placeholder values', value: example } } } },
        },
        '401': { $ref: '../../components/responses/Unauthenticated.yaml' },
      },
    };
    const kind = g.shape === 'directory' ? 'directory' : g.shape === 'list' ? 'collection' : last.startsWith('{') ? 'object' : json ? 'setting' : 'file';
    drafts.push({ template: g.template, file, operationId, tag, newTag: !(area in AREA_TAGS), document: { 'x-sps-kind': kind, get: op } });
  }
  return drafts;
}

const STRING_BODY = 'string';

/** Writes the drafts under `dir`; every file passes through the SecretRegistry. Returns the files. */
export function writeDrafts(drafts: Draft[], dir: string, secrets: SecretRegistry): string[] {
  const files: string[] = [];
  for (const d of drafts) {
    const target = join(dir, d.file);
    mkdirSync(dirname(target), { recursive: true });
    const header =
      `# DRAFT for ${d.template}: observed on a live SPS, not documented. Not part of the contract.\n` +
      `# To adopt it: review it, move it to openapi/paths/${d.file}, add to openapi/openapi.yaml\n` +
      `#   ${d.template}:\n#     $ref: paths/${d.file}\n` +
      (d.newTag ? `# and declare the tag "${d.tag}" (with a description) under tags:.\n` : '') +
      `# Then: npm run lint && npm run generate && npm test.\n`;
    writeFileSync(target, secrets.redact(header + stringify(d.document, { lineWidth: 0 })));
    files.push(target);
  }
  return files;
}

/** The `x-sps-versions` of a draft: the versions it was seen on (`=7.1.1 || =7.2`), or any when unknown. */
function observedVersions(versions: (string | undefined)[]): string {
  const seen = [...new Set(versions.map((v) => /^\d+(\.\d+){0,2}/.exec(v ?? '')?.[0]).filter((v): v is string => v !== undefined))];
  return seen.length > 0 ? seen.map((v) => `=${v}`).join(' || ') : '>=0';
}
