/**
 * The type-level half of the breaking-change gate: `sps-api.d.ts` of the release against the new
 * one, compiled by tsc under `strict`. For every operation and documented status the release
 * has (and the new spec still has):
 *   - a response body of the new types must be assignable to the release's type (code written
 *     against the release reads the new answers);
 *   - the release's request body and parameters must be assignable to the new types (code
 *     written against the release still compiles when it sends them).
 * What the spec diff misses (a change redocly does not rate, a `$ref` target swapped) shows up
 * here as a compile error, named by operation.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HTTP_METHODS } from '../src/shared/index.js';

type Json = any;

export interface TypeFinding {
  operation: string;
  side: 'response' | 'request body' | 'parameters';
  status?: string;
  message: string;
}

function operationsOf(doc: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const item of Object.values<Json>(doc.paths ?? {})) for (const m of HTTP_METHODS) if (item?.[m]?.operationId) out.set(item[m].operationId, item[m]);
  return out;
}

/** Compiles the checks; one finding per failing line. `root` has node_modules/typescript. */
export function typeCheck(root: string, baseDts: string, revisionDts: string, base: Json, revision: Json): TypeFinding[] {
  const tmp = mkdtempSync(join(tmpdir(), 'sps-types-'));
  try {
    copyFileSync(baseDts, join(tmp, 'base.d.ts'));
    copyFileSync(revisionDts, join(tmp, 'revision.d.ts'));
    const lines = [
      "import type { operations as B } from './base.js';",
      "import type { operations as R } from './revision.js';",
      'type Content<T> = T extends { content: infer C } ? C : never;',
      'declare function accept<T>(value: T): void;',
      'declare function given<T>(): T;',
    ];
    const at = new Map<number, Omit<TypeFinding, 'message'>>();
    const add = (line: string, finding: Omit<TypeFinding, 'message'>) => {
      lines.push(line);
      at.set(lines.length, finding);
    };
    const next = operationsOf(revision);
    for (const [id, op] of operationsOf(base)) {
      const now = next.get(id);
      if (!now) continue; // removed or renamed: the spec diff names it
      const key = JSON.stringify(id);
      for (const status of Object.keys(op.responses ?? {})) {
        if (!(status in (now.responses ?? {}))) continue;
        const s = /^\d+$/.test(status) ? status : JSON.stringify(status);
        add(`accept<Content<B[${key}]['responses'][${s}]>>(given<Content<R[${key}]['responses'][${s}]>>());`, { operation: id, side: 'response', status });
      }
      if (op.requestBody && now.requestBody)
        add(`accept<R[${key}]['requestBody']>(given<B[${key}]['requestBody']>());`, { operation: id, side: 'request body' });
      add(`accept<R[${key}]['parameters']>(given<B[${key}]['parameters']>());`, { operation: id, side: 'parameters' });
    }
    writeFileSync(join(tmp, 'check.ts'), `${lines.join('\n')}\n`);
    writeFileSync(
      join(tmp, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: false, types: [] },
        files: ['check.ts'],
      }),
    );
    let output = '';
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(tmp, 'tsconfig.json'), '--pretty', 'false'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (err) {
      output = (err as { stdout?: string }).stdout ?? String(err);
    }
    const findings: TypeFinding[] = [];
    const seen = new Set<number>();
    for (const m of output.matchAll(/check\.ts\((\d+),\d+\): error (TS\d+: [^\n]*)/g)) {
      const line = Number(m[1]);
      const where = at.get(line);
      if (!where || seen.has(line)) continue;
      seen.add(line);
      findings.push({ ...where, message: m[2]!.slice(0, 300) });
    }
    const other = output.split('\n').filter((l) => /error TS/.test(l) && !/^check\.ts\(/.test(l.replace(/^.*[\\/]/, '')));
    if (other.length > 0 && findings.length === 0) throw new Error(`type check could not compile:\n${other.slice(0, 5).join('\n')}`);
    return findings;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
