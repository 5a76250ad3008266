/**
 * `tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top 12]`: prints where a V8 CPU
 * profile (`node --cpu-prof`) spent its time, as self time per package (the `node_modules`
 * folder a function comes from, or `node:` internals, or the project) and per function.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { readDocument } from '../../src/shared/documents.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface ProfileSummary {
  totalMs: number;
  byPackage: Array<{ name: string; ms: number }>;
  byFunction: Array<{ name: string; ms: number }>;
}

/** The package a script URL belongs to: `ajv`, `@stoplight/prism-http`, `node:internal`, `(project)`. */
export function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  if (url.startsWith('node:')) return 'node: internals';
  const i = url.lastIndexOf('/node_modules/');
  if (i >= 0) {
    const rest = url.slice(i + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  return '(project)';
}

export function summarise(profile: CpuProfile, top = 12): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const pkgs = new Map<string, number>();
  const fns = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    const special = f.functionName === '(idle)' || f.functionName === '(program)' || f.functionName === '(garbage collector)';
    const pkg = special ? f.functionName : packageOf(f.url);
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + us);
    const file = f.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/(src|scripts)\//, '$1/');
    const fn = special ? f.functionName : `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    fns.set(fn, (fns.get(fn) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>): Array<{ name: string; ms: number }> =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000 }));
  return { totalMs: (profile.endTime - profile.startTime) / 1000, byPackage: sorted(pkgs), byFunction: sorted(fns) };
}

export function formatSummary(s: ProfileSummary): string {
  const pct = (ms: number): string => `${((ms / s.totalMs) * 100).toFixed(1)}%`;
  return [
    `profile: ${(s.totalMs / 1000).toFixed(2)} s`,
    'self time by package:',
    ...s.byPackage.map((p) => `  ${p.ms.toFixed(0).padStart(7)} ms ${pct(p.ms).padStart(6)}  ${p.name}`),
    'self time by function:',
    ...s.byFunction.map((p) => `  ${p.ms.toFixed(0).padStart(7)} ms ${pct(p.ms).padStart(6)}  ${p.name}`),
  ].join('\n');
}

const invoked = process.argv[1] ? pathToFileURL(resolve(process.argv[1])).href : '';
if (invoked === import.meta.url) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx scripts/bench/profile-summary.ts FILE.cpuprofile [--top N]');
    process.exit(2);
  }
  const topIdx = process.argv.indexOf('--top');
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 12;
  console.log(formatSummary(summarise(readDocument(file) as CpuProfile, top)));
}
