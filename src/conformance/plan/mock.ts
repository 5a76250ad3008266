/**
 * The mock plan: every documented (operation, status, named example) asked of Prism with
 * `Prefer:`, then the probes of the selected checks for every operation they apply to; a probe
 * that cannot mean anything against Prism is reported as skipped with its `mockSkip` reason.
 */
import { availableParallelism } from 'node:os';
import { fillPath, type OperationModel } from '../../model/operations.js';
import { probeOwner } from '../checks/index.js';
import { CannotRunError } from '../cannot-run.js';
import { runLimited } from '../limit.js';
import { AbortedError, type AuthMode, type NodeSession } from '../node-session.js';
import { PrismStartError, type PrismHandle } from '../prism.js';
import type { TargetInfo } from '../report/report.js';
import type { RunResources } from '../run-resources.js';
import { NORMAL } from '../check-api.js';
import { madeUpIdCandidates, type RunContext } from './context.js';
import { acceptFor, requestBodyFor, requiredQuery } from './request.js';
import { neverSendReason } from '../write-safety.js';

function mockPath(run: RunContext, op: OperationModel): string {
  const values: Record<string, string> = {};
  for (const p of op.pathParams) {
    const fromExample = p.example !== undefined ? String(p.example) : undefined;
    const candidate = fromExample ?? madeUpIdCandidates(p, undefined).find((c) => !p.schemaPointer || run.validator.validate(p.schemaPointer, c).valid);
    values[p.name] = candidate ?? 'example';
  }
  return `${fillPath(op.path, values)}${requiredQuery(op)}`;
}

function authFor(op: OperationModel): AuthMode {
  if (op.security === 'basicAuth') return 'basic';
  if (op.security === 'sessionCookie') return 'session';
  return 'none';
}

/** Whether the mock plan would send anything: when not, no Prism needs to be started. */
export function mockSendsAnything(run: RunContext): boolean {
  if (run.ops.length === 0) return false;
  return run.probes.some((p) => p === NORMAL || (p.appliesTo && !p.mockSkip && run.ops.some((op) => p.appliesTo!(op))));
}

/**
 * Starts Prism (unless `mockUrl` is given) and runs the mock plan. Prism and the sessions are
 * opened through the run's `resources`, which the runner closes at the end; `early` is a Prism
 * the runner already started through them (while the spec loaded).
 */
export async function runMockTarget(run: RunContext, resources: RunResources, early?: Promise<PrismHandle>): Promise<void> {
  const { options } = run;
  const mockUrls: string[] = [];
  const prisms: PrismHandle[] = [];
  const needed = mockSendsAnything(run);
  if (options.mockUrl) mockUrls.push(options.mockUrl);
  else if (needed) {
    // Prism answers on one core and spends most of a mock run's time. Several Prisms on the
    // same spec can share the requests on a machine with spare cores; on 2 cores, where the
    // runner needs one, two instances measured slower than one (README, Measurements).
    const instances = Math.max(1, Math.min(options.mockInstances, availableParallelism()));
    const started = await Promise.allSettled(Array.from({ length: instances }, (_, i) => (i === 0 && early ? early : resources.startPrism(options.specFile))));
    for (const s of started) if (s.status === 'fulfilled') prisms.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      const err = failed.reason as unknown;
      if (err instanceof PrismStartError) throw new CannotRunError(`cannot start the Prism mock: ${err.message}`);
      throw err;
    }
    mockUrls.push(...prisms.map((p) => p.url));
  }
  if (run.signal?.aborted) throw new AbortedError('aborted');
  const note =
    mockUrls.length === 0
      ? 'not started: the selection sends nothing to the mock'
      : `Prism mock of the spec${mockUrls.length > 1 ? ` (${mockUrls.length} instances sharing the requests)` : ''}`;
  // Operations a live run never sends (x-sps-never-send): Prism may answer them, a node never does.
  const neverSent = run.ops
    .filter((op) => op.neverSend !== undefined)
    .map((op) => `${op.operationId} (${op.method} ${op.path}): ${neverSendReason(op)} (exercised against the mock only)`);
  const target: TargetInfo = {
    node: 'mock',
    url: mockUrls[0] ?? '',
    kind: 'mock',
    loggedIn: false,
    transactionAtStart: 'n/a',
    writes: 'not applicable (mock)',
    requests: 0,
    notes: [note, ...neverSent],
  };
  // A mock that stops answering (Prism crashed or was killed) is given up like a live node.
  const mockClients = (mockUrls.length > 0 ? mockUrls : ['http://127.0.0.1:0']).map((baseUrl) =>
    resources.openSession({ label: 'mock', baseUrl, target: 'mock', sessionCookieName: run.check.sessionCookieName }, { target }),
  );
  run.report.targets.push(target);
  await runMock(run, mockClients);
  const dead = prisms.find((p) => p.exited);
  if (dead) {
    const last = dead.lastLines();
    throw new CannotRunError(`the Prism mock stopped during the run${last ? `: ${last}` : ''}`);
  }
  // A mock that does not answer (a --mock-url nobody listens on, or one that went away) cannot
  // be checked: exit 2 with the reason, not a failure per request.
  const gone = mockClients.find((c) => c.deadReason);
  if (gone) throw new CannotRunError(`the mock at ${gone.baseUrl} does not answer: ${gone.deadReason}`);
}

async function runMock(run: RunContext, mockClients: NodeSession[]): Promise<void> {
  const client = mockClients[0]!;
  const tasks: Array<() => Promise<void>> = [];
  const probes: Array<() => Promise<void>> = [];
  // Requests are spread round-robin over the Prism instances.
  let turn = 0;
  const next = (): NodeSession => mockClients[turn++ % mockClients.length]!;
  const normal = run.probes.includes(NORMAL);
  for (const op of run.ops) {
    const path = mockPath(run, op);
    for (const resp of normal ? op.responses : []) {
      if (!/^\d{3}$/.test(resp.status)) continue;
      const code = Number(resp.status);
      const names = resp.json ? Object.keys(resp.json.examples) : [];
      for (const name of names.length > 0 ? names : ['']) {
        const via = next();
        tasks.push(async () => {
          const prefer = name ? { code, example: name } : { code };
          run.record(0, await via.send({ op, probe: 'normal', path, auth: authFor(op), prefer, accept: acceptFor(op), ...requestBodyFor(run.model, op) }));
          run.progress(client, 'documented statuses');
        });
      }
    }
    for (const probe of run.probes) {
      if (!probe.appliesTo?.(op)) continue;
      if (probe.mockSkip) {
        run.skipRow(0, client.label, op, probe.kind, probeOwner(probe.kind), path, `${probe.label}: ${probe.mockSkip}`);
        continue;
      }
      const via = next();
      probes.push(async () => {
        run.record(0, await via.send({ op, probe: probe.kind, path, auth: probe.auth ?? 'none', accept: acceptFor(op), ...requestBodyFor(run.model, op) }));
        run.progress(client, 'probes');
      });
    }
  }
  // Prism is a local process: a few more requests in flight than against an appliance.
  const width = Math.max(run.options.concurrency, 4) * mockClients.length;
  run.progress(client, 'documented statuses');
  await runLimited(width, tasks);
  run.progress(client, 'probes');
  await runLimited(width, probes);
}
