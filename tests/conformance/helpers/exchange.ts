/**
 * Recorded exchanges for check tests, on the fixture spec (fixtures/mini-spec.yaml), and the
 * shape of a check's failing fixture (in the test beside the check, checks/<file>.test.ts).
 */
import { fileURLToPath } from 'node:url';
import type { ConformanceOptions } from '../../../src/conformance/options.js';
import type { CheckContext, Exchange, ProbeKind } from '../../../src/conformance/check-api.js';
import { loadSpec, type OperationModel } from '../../../src/model/operations.js';
import { createValidator } from '../../../src/model/validate.js';
import { createJudge } from '../../../src/model/verdict.js';
import type { SimSwitch } from '../../../src/simulator/index.js';
import type { Break } from './breakable-sps.js';

export const model = loadSpec(fileURLToPath(new URL('../fixtures/mini-spec.yaml', import.meta.url)));
export const validator = createValidator(model);
export const live: CheckContext = { model, validator, judge: createJudge(model, validator), target: 'live', strict: false, sessionCookieName: 'session_id' };
export const mock: CheckContext = { ...live, target: 'mock' };

export function op(id: string): OperationModel {
  const found = model.operation(id);
  if (!found) throw new Error(`no ${id} in the fixture`);
  return found;
}

function parseOrUndefined(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

export interface ExchangeOptions {
  path?: string;
  contentType?: string;
  probe?: ProbeKind;
  setCookies?: string[];
  headers?: Record<string, string>;
  requestedStatus?: number;
  raw?: string;
}

/** An exchange of the fixture spec's operation `operationId` that received `status` and `body`. */
export function exchange(operationId: string, status: number, body: unknown, opts: ExchangeOptions = {}): Exchange {
  const o = op(operationId);
  const contentType = opts.contentType ?? 'application/json';
  const bodyText = opts.raw ?? (body === undefined ? '' : JSON.stringify(body));
  return {
    node: 'node1',
    target: 'live',
    op: o,
    probe: opts.probe ?? 'normal',
    method: o.method,
    path: opts.path ?? o.path,
    ...(opts.requestedStatus !== undefined ? { requestedStatus: opts.requestedStatus } : {}),
    response: {
      status,
      headers: { 'content-type': contentType, ...opts.headers },
      setCookies: opts.setCookies ?? [],
      bodyText,
      json: contentType.includes('json') ? parseOrUndefined(bodyText) : undefined,
      durationMs: 1,
    },
    curl: 'curl ...',
  };
}

/**
 * Proof that a check can fail: one recorded exchange the check fails on; a live run against the
 * simulator (the bundled spec) with switches of its catalogue (src/simulator/catalogue.ts); or,
 * for a break the catalogue has no switch for, a live run against the breakable SPS stand-in on
 * the fixture spec. Every check of the registry has one in `fixtures/checks/<check>.ts`
 * (tests/conformance/registry.test.ts).
 */
export type CheckFixture = {
  /** The failure message of the check, matched against its `failed` row. */
  message: RegExp;
} & (
  | { exchange: Exchange; context?: CheckContext }
  | {
      simulator: {
        /** Switches of every node. */
        switches?: SimSwitch[];
        /** Switches per node (index 0 is node 1); their count is the number of nodes (default 1). */
        nodeSwitches?: SimSwitch[][];
        /** Start the nodes as one cluster. */
        cluster?: boolean;
        options?: Partial<ConformanceOptions>;
      };
    }
  | { breakableSps: { breaks: Break[]; options?: Partial<ConformanceOptions> } }
);
