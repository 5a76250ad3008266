/**
 * The compatibility kit: clients generated from generated/sps-api.json by two other maintained
 * generators that run on Node 20 (@hey-api/openapi-ts and swagger-typescript-api, pinned in
 * package.json), into a temporary folder (never committed), compiled under `strict` together
 * with the scenario a consuming team would write (tests/publish/compat/*.scenario.ts.tmpl), then
 * run against the simulator over HTTPS with its CA: log in, read a setting, open a transaction,
 * change the value, read the change log, roll back. The same scenario the project's own client
 * runs (tests/e2e). Limitations and workarounds: docs/consumers.md.
 *
 * Generating and compiling a client of ~190 paths takes 30-90 s per generator.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.js';

const execFileAsync = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
const spec = join(root, 'generated', 'sps-api.json');
mkdirSync(join(root, '.tmp'), { recursive: true });
// Inside the repository (.tmp/ is ignored) so that the generated code resolves node's types.
const work = mkdtempSync(join(root, '.tmp', 'compat-'));
const ADMIN = { username: 'admin', password: 'compat-kit-password' };
let sim: SimulatorHandle;

interface ScenarioResult {
  before: string;
  staged: string;
  changes: unknown[];
  after: string;
}
type Scenario = (baseUrl: string, username: string, password: string, fetchImpl: typeof fetch, newZone: string) => Promise<ScenarioResult>;

/** A fetch that trusts one CA: what a team does for an appliance with a private CA. */
function fetchWithCa(ca: string): typeof fetch {
  return async (input, init) => {
    const req = new Request(input, init);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = Object.fromEntries(req.headers);
    if (body) headers['content-length'] = String(body.length);
    else if (['POST', 'PUT', 'PATCH'].includes(req.method)) headers['content-length'] = '0';
    return new Promise<Response>((resolve, reject) => {
      const r = request(req.url, { method: req.method, headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) h.append(k, x);
            else if (v !== undefined) h.set(k, String(v));
          }
          const status = res.statusCode ?? 0;
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: h }));
        });
      });
      r.on('error', reject);
      r.end(body);
    });
  };
}

async function run(cmd: string, args: string[], cwd = root): Promise<void> {
  try {
    await execFileAsync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${[cmd.split('/').pop(), ...args].join(' ')} failed:\n${`${e.stdout ?? ''}\n${e.stderr ?? ''}`.slice(-4000) || e.message}`);
  }
}

/** Generates one client into work/<dir>, next to its scenario, and compiles both under strict. */
async function prepare(name: string, generate: (out: string) => Promise<void>): Promise<Scenario> {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  await generate(dir);
  copyFileSync(join(root, 'tests', 'publish', 'compat', `${name}.scenario.ts.tmpl`), join(dir, 'scenario.ts'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'],
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
        noEmit: true,
        skipLibCheck: true,
      },
      files: ['scenario.ts'],
    }),
  );
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  await run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(dir, 'tsconfig.json')]);
  const mod = (await import(pathToFileURL(join(dir, 'scenario.ts')).href)) as { scenario: Scenario };
  return mod.scenario;
}

const generators: Record<string, (out: string) => Promise<void>> = {
  'hey-api': (out) => run(bin('openapi-ts'), ['-i', spec, '-o', join(out, 'hey'), '-c', '@hey-api/client-fetch']),
  // The CLI of 13.13.0 writes the axios client whatever --http-client says; the API does not.
  'swagger-typescript-api': (out) =>
    run(process.execPath, [
      '--input-type=module',
      '-e',
      `import { generateApi } from 'swagger-typescript-api'; await generateApi({ input: ${JSON.stringify(spec)}, output: ${JSON.stringify(join(out, 'sta'))}, fileName: 'Api.ts', httpClientType: 'fetch', enumStyle: 'union', silent: true });`,
    ]),
};
const scenarios = new Map<string, Promise<Scenario>>();

beforeAll(async () => {
  sim = await startSimulator({ nodes: 1, https: true, users: { admin: ADMIN } });
  // Both generators at once: they are independent.
  for (const [name, generate] of Object.entries(generators)) {
    const p = prepare(name, generate);
    p.catch(() => {}); // reported by the test that awaits it
    scenarios.set(name, p);
  }
}, 60_000);

afterAll(async () => {
  await sim?.close();
  rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(generators))('a client generated by %s', (name) => {
  it('compiles under strict, logs in, reads, changes in a transaction, reads the change log and rolls back', async () => {
    const scenario = await scenarios.get(name)!;
    const node = sim.nodes[0]!;
    const committed = JSON.stringify(node.state.committedConfig());
    const zone = 'Pacific/Chatham';
    const r = await scenario(node.url, ADMIN.username, ADMIN.password, fetchWithCa(sim.caPem!), zone);
    expect(typeof r.before).toBe('string');
    expect(r.before).not.toBe(zone);
    expect(r.staged).toBe(zone);
    expect(r.changes.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.changes)).toContain('timezone');
    expect(r.after).toBe(r.before);
    expect(JSON.stringify(node.state.committedConfig())).toBe(committed);
    expect(node.state.openTransaction()).toBeFalsy();
  }, 400_000);
});
