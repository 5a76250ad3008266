/**
 * `invalid_write`, live with `--allow-writes` only: what an appliance does with a body its
 * schema forbids. Per writable setting (a PUT the spec documents with a JSON request schema;
 * never an action, never a POST that creates, never an `x-sps-never-send` operation), inside a
 * transaction of its own that is always rolled back: read the setting, then PUT a few bodies
 * the request schema forbids (a documented field of the wrong type, a required field missing, a
 * value outside a documented enum; each checked to fail the schema before it is sent), each of
 * which must get a documented 4xx with a documented error type; read the setting again after
 * each and see the value unchanged. Nothing is written when a transaction was open before the
 * run; the rollback is sent after a failure, a timeout, a signal and the deadline too.
 */
import { isObject } from '../../shared/index.js';
import type { OperationModel, SpecModel } from '../../model/operations.js';
import { applicableSchemas, propertySchemas } from '../../model/schema-walk.js';
import type { SchemaValidator } from '../../model/validate.js';
import { resultFor, type CheckDefinition, type Exchange, type LiveNode, type ProbeDefinition } from '../check-api.js';
import { sameValue, sameValueRequestBody } from '../write-safety.js';
import { DEFAULT_ERROR_TYPES } from './error-body.js';
import { describeAnswer, errorTypeOf, isSuccess, show, transactionState } from './util.js';

const check = 'invalid_write';

/** A step of the invalid-write cycle (its own probe kind: its rows stay in the order they were sent). */
export const INVALID_WRITE: ProbeDefinition = { kind: 'invalid_write', order: 7, label: 'a body the schema forbids' };

/** At most this many forbidden bodies per setting. */
const PER_SETTING = 3;

export const invalidWrite: CheckDefinition = {
  name: check,
  passes:
    'with `--allow-writes`, per writable setting inside its own rolled-back transaction: each body the request schema forbids (a documented field of the wrong type, a required field missing, a value outside a documented enum; at most 3) gets a documented 4xx with a documented error type, and the setting reads unchanged afterwards; no transaction is left open',
  mock: 'not applicable',
  probes: [INVALID_WRITE],
  run: () => [],
  live: invalidWrites,
  livePlanned: ({ allowWrites, ops, roles }) => (allowWrites ? ops.filter((o) => roles.get(o) === 'setting-put').length * (3 + 2 * PER_SETTING) : 0),
};

export interface ForbiddenBody {
  /** `wrong type`, `required field missing`, `value outside the documented list`. */
  kind: string;
  /** What was changed, for messages: `body.enabled is a string`. */
  detail: string;
  body: unknown;
}

const WRONG: Record<string, unknown> = {
  string: 12345,
  integer: 'sps-conformance-not-a-number',
  number: 'sps-conformance-not-a-number',
  boolean: 'sps-conformance-not-a-boolean',
  array: 'sps-conformance-not-a-list',
  object: 'sps-conformance-not-an-object',
};

const typesOf = (schema: Record<string, unknown>): string[] =>
  typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];

/** A value none of the documented types accepts (undefined: the schema names no type). */
function wrongValueFor(types: string[]): unknown {
  if (types.length === 0) return undefined;
  for (const candidate of [12345, 'sps-conformance-wrong-type', true, ['sps-conformance'], { 'sps-conformance': true }]) {
    const t = Array.isArray(candidate)
      ? 'array'
      : candidate === null
        ? 'null'
        : typeof candidate === 'object'
          ? 'object'
          : typeof candidate === 'number'
            ? 'number'
            : typeof candidate;
    if (!types.includes(t) && !(t === 'number' && types.includes('integer'))) return candidate;
  }
  return WRONG[types[0]!];
}

/**
 * Up to three bodies the PUT's request schema forbids, made from the value just written back
 * (`valid`): each is validated against the full schema and kept only when it fails there.
 */
export function forbiddenBodies(model: SpecModel, validator: SchemaValidator, put: OperationModel, valid: unknown): ForbiddenBody[] {
  const pointer = put.requestBody?.schemaPointer;
  if (!pointer) return [];
  const out: ForbiddenBody[] = [];
  const keep = (b: ForbiddenBody): void => {
    if (out.length < PER_SETTING && !out.some((o) => o.kind === b.kind) && !validator.validate(pointer, b.body).valid) out.push(b);
  };
  const schemas = applicableSchemas(model, validator, valid, pointer);
  if (isObject(valid)) {
    const props = schemas.flatMap((s) => (isObject(s.schema.properties) ? Object.keys(s.schema.properties) : []));
    // A documented field of the wrong type.
    for (const key of [...new Set(props)]) {
      const types = propertySchemas(schemas, key).pointers.flatMap((p) => {
        const s = model.deref(model.at(p), p).value;
        return isObject(s) ? typesOf(s) : [];
      });
      const wrong = wrongValueFor([...new Set(types)]);
      if (wrong === undefined) continue;
      keep({
        kind: 'wrong type',
        detail: `field ${key} is ${show(wrong, 40)}, documented as ${[...new Set(types)].join(' or ')}`,
        body: { ...valid, [key]: wrong },
      });
      if (out.some((o) => o.kind === 'wrong type')) break;
    }
    // A required field missing.
    const required = [
      ...new Set(schemas.flatMap((s) => (Array.isArray(s.schema.required) ? s.schema.required.filter((r): r is string => typeof r === 'string') : []))),
    ];
    for (const key of required) {
      if (!(key in valid)) continue;
      const body = { ...valid };
      delete body[key];
      keep({ kind: 'required field missing', detail: `required field ${key} left out`, body });
      if (out.some((o) => o.kind === 'required field missing')) break;
    }
    // A value outside a documented list.
    for (const key of [...new Set(props)]) {
      const listed = propertySchemas(schemas, key).pointers.some((p) => {
        const s = model.deref(model.at(p), p).value;
        return isObject(s) && Array.isArray(s.enum);
      });
      if (!listed) continue;
      keep({
        kind: 'value outside the documented list',
        detail: `field ${key} is "sps-conformance-undocumented-value", not one of its documented values`,
        body: { ...valid, [key]: 'sps-conformance-undocumented-value' },
      });
      if (out.some((o) => o.kind === 'value outside the documented list')) break;
    }
  } else {
    // A scalar or list setting: the whole body of the wrong type.
    const types = [...new Set(schemas.flatMap((s) => typesOf(s.schema)))];
    const wrong = wrongValueFor(types.length > 0 ? types : [Array.isArray(valid) ? 'array' : typeof valid]);
    if (wrong !== undefined)
      keep({ kind: 'wrong type', detail: `the body is ${show(wrong, 40)}, documented as ${types.join(' or ') || 'another type'}`, body: wrong });
    const enumerated = schemas.some((s) => Array.isArray(s.schema.enum));
    if (enumerated)
      keep({
        kind: 'value outside the documented list',
        detail: 'the body is "sps-conformance-undocumented-value", not one of its documented values',
        body: 'sps-conformance-undocumented-value',
      });
  }
  return out;
}

async function invalidWrites(env: LiveNode): Promise<void> {
  const { node } = env;
  if (!env.allowWrites) return;
  const settings = env.ops.filter((o) => env.roles.get(o) === 'setting-put' && !isNeverSend(env.model, o));
  const skip = (op: OperationModel, message: string): void => env.skip(op, INVALID_WRITE.kind, check, op.path, message);
  if (env.lockedAtStart || env.transactionAtStart !== 'closed') {
    for (const op of settings) skip(op, `not sent: the transaction status of node ${node} was not "closed" at the start; nothing is written`);
    return;
  }
  if (/locked by another session/.test(env.writes)) {
    // write_roundtrip ran first and met another session's lock: no second open.
    for (const op of settings) skip(op, `not sent: the configuration is locked by another session on node ${node}; its transaction is left alone`);
    return;
  }
  const openOp = env.findOp('POST', '/api/transaction');
  const rollbackOp = env.findOp('DELETE', '/api/transaction');
  if (!openOp || !rollbackOp) {
    for (const op of settings) skip(op, 'not sent: the spec documents no POST/DELETE /api/transaction to roll back with');
    return;
  }
  env.progress('invalid writes');
  for (const put of settings) {
    if (env.givenUp()) {
      skip(put, `not sent: node ${node} was given up`);
      continue;
    }
    if ((await cycle(env, put, openOp, rollbackOp)) === 'locked') {
      for (const rest of settings.slice(settings.indexOf(put) + 1)) skip(rest, `not sent: the configuration is locked by another session on node ${node}`);
      break;
    }
  }
  if (env.getTx) {
    const ex = await env.send(env.getTx, INVALID_WRITE.kind, env.getTx.path, 'session');
    const state = transactionState(ex?.response?.json);
    if (ex)
      env.row(
        ex,
        resultFor(
          ex,
          check,
          state === 'closed' ? 'passed' : 'failed',
          state === 'closed'
            ? 'after the invalid writes: no transaction left open'
            : `after the invalid writes the transaction is ${state ?? 'in an unknown state'}: it may be left open on node ${node}`,
        ),
      );
  }
}

function isNeverSend(model: SpecModel, op: OperationModel): boolean {
  const raw = model.at(op.pointer);
  return isObject(raw) && 'x-sps-never-send' in raw;
}

/** The documented 4xx statuses of an operation and the error types documented for one of them. */
function documented4xx(op: OperationModel, status: number): { statuses: number[]; types: string[] } {
  const statuses = op.statuses.filter((s) => s >= 400 && s < 500);
  const resp = op.responses.find((r) => r.status === String(status)) ?? op.responses.find((r) => r.status === `${String(status)[0]}XX`);
  const types = resp && resp.errorTypes.length > 0 ? resp.errorTypes : (DEFAULT_ERROR_TYPES[status] ?? []);
  return { statuses, types };
}

async function cycle(env: LiveNode, put: OperationModel, openOp: OperationModel, rollbackOp: OperationModel): Promise<'done' | 'locked' | 'skipped'> {
  const { node } = env;
  const getOp = env.findOp('GET', put.path);
  const path = put.pathParams.length > 0 ? (getOp ? env.concrete.get(getOp) : undefined) : put.path;
  const setting = `${put.operationId} (PUT ${path ?? put.path})`;
  const skip = (message: string): 'skipped' => {
    env.skip(put, INVALID_WRITE.kind, check, path ?? put.path, `${setting}: ${message}`);
    return 'skipped';
  };
  if (!getOp || !path) return skip('not sent: no object to read first');
  const row = (ex: Exchange, ok: boolean, message: string): void => env.row(ex, resultFor(ex, check, ok ? 'passed' : 'failed', `${setting}: ${message}`));
  let mayBeOpen = false;
  try {
    const open = await env.send(openOp, INVALID_WRITE.kind, openOp.path, 'session', { emptyBody: true });
    if (!open) return 'skipped';
    if (open.response?.status === 409 || errorTypeOf(open.response?.json) === 'ConfigurationLocked') return 'locked';
    mayBeOpen = !open.response || isSuccess(open.response.status);
    if (!isSuccess(open.response?.status)) return skip(`not sent: POST /api/transaction answered ${describeAnswer(open)}`);
    const first = await env.send(getOp, INVALID_WRITE.kind, path, 'session');
    const original = isObject(first?.response?.json) ? first.response.json.body : undefined;
    if (original === undefined) return skip(`not sent: reading it first got ${first ? describeAnswer(first) : 'nothing'}`);
    const prepared = sameValueRequestBody(env.model, env.validator, put, original);
    if (!prepared.ok) return skip(`not sent: ${prepared.reason}`);
    const bodies = forbiddenBodies(env.model, env.validator, put, prepared.body);
    if (bodies.length === 0) return skip('not sent: its request schema documents no type, required field or list of values to break');
    for (const forbidden of bodies) {
      if (env.givenUp()) break;
      const what = `a body the schema forbids (${forbidden.kind}: ${forbidden.detail})`;
      const ex = await env.send(put, INVALID_WRITE.kind, path, 'session', { body: forbidden.body });
      if (!ex) break;
      if (!ex.response) {
        row(ex, false, `${what}: no answer (${describeAnswer(ex)})`);
        continue;
      }
      const status = ex.response.status;
      const type = errorTypeOf(ex.response.json);
      const { statuses, types } = documented4xx(put, status);
      if (isSuccess(status))
        row(ex, false, `${what} was accepted with ${describeAnswer(ex)}; expected a documented 4xx (${statuses.join(', ') || 'none documented'})`);
      else if (!statuses.includes(status)) row(ex, false, `${what}: answered ${describeAnswer(ex)}; the documented 4xx are ${statuses.join(', ') || 'none'}`);
      else if (types.length > 0 && (typeof type !== 'string' || !types.includes(type)))
        row(ex, false, `${what}: answered ${status} with error.type ${show(type ?? null)}, documented for ${status}: ${types.join(', ')}`);
      else row(ex, true, `${what}: refused with ${status} ${String(type ?? '')}`.trimEnd());
      // The value must be unchanged, whatever the answer was.
      const again = await env.send(getOp, INVALID_WRITE.kind, path, 'session');
      const now = isObject(again?.response?.json) ? again.response.json.body : undefined;
      if (again) {
        const same = now !== undefined && sameValue(now, original);
        row(
          again,
          same,
          same
            ? `after ${forbidden.kind}: the setting reads unchanged`
            : `after ${forbidden.kind}: the setting reads ${show(now ?? null)}, not ${show(original)}: the invalid body was stored`,
        );
      }
    }
    return 'done';
  } finally {
    if (mayBeOpen) {
      // Sent even after an abort: this is the cleanup the abort waits for.
      const ex = await env.sendCleanup(rollbackOp, INVALID_WRITE.kind, rollbackOp.path);
      const ok = isSuccess(ex.response?.status);
      env.row(
        ex,
        resultFor(
          ex,
          check,
          ok ? 'passed' : 'failed',
          ok
            ? `${setting}: transaction rolled back`
            : `${setting}: ROLLBACK FAILED on node ${node}: DELETE /api/transaction got ${describeAnswer(ex)}; a transaction may be left open`,
        ),
      );
    }
  }
}
