/**
 * Safety rules and helpers of the write cycle. The runner only ever writes a setting back with
 * the value it just read, inside a transaction it opened itself, and always rolls that
 * transaction back; it never commits and never sends an operation that changes cluster
 * membership.
 */
import { isObject, jsonEqual } from '../shared/index.js';
import type { OperationModel, SpecModel } from '../model/operations.js';
import { applicableSchemas, itemSchemas, propertySchemas } from '../model/schema-walk.js';
import type { SchemaValidator } from '../model/validate.js';
import type { OperationRole } from './check-api.js';

/** Operations that change cluster membership: never sent to a target by the runner. */
export const CLUSTER_MEMBERSHIP_OPERATIONS: ReadonlySet<string> = new Set([
  'promoteClusterNode',
  'createJoinRequest',
  'createClusterNode',
  'updateClusterNode',
]);

export type { OperationRole } from './check-api.js';

const TRANSACTION = '/api/transaction';

export function isClusterMembership(op: OperationModel): boolean {
  if (CLUSTER_MEMBERSHIP_OPERATIONS.has(op.operationId)) return true;
  return op.method !== 'GET' && (op.path === '/api/cluster' || op.path.startsWith('/api/cluster/'));
}

/** Whether a POST creates an object of a collection (the documented `x-sps-kind`, or the shape of the paths). */
export function isCollectionCreate(op: OperationModel, all: readonly OperationModel[]): boolean {
  // Only the configuration tree: never the cluster, firmware, sessions or actions.
  if (op.method !== 'POST' || op.neverSend !== undefined || op.pathParams.length > 0 || !op.path.startsWith('/api/configuration/') || isClusterMembership(op))
    return false;
  if (op.kind !== undefined) return op.kind === 'collection';
  return all.some((o) => o.method === 'GET' && childOf(op.path, o.path));
}

/** Whether a DELETE removes one object of a collection whose POST creates objects. */
export function isObjectDelete(op: OperationModel, all: readonly OperationModel[]): boolean {
  if (op.method !== 'DELETE' || op.neverSend !== undefined || (op.kind !== undefined && op.kind !== 'object')) return false;
  return all.some((o) => isCollectionCreate(o, all) && childOf(o.path, op.path));
}

/** `child` is `parent/{param}`. */
export function childOf(parent: string, child: string): boolean {
  if (!child.startsWith(`${parent}/`)) return false;
  const rest = child.slice(parent.length + 1);
  return !rest.includes('/') && rest.startsWith('{') && rest.endsWith('}');
}

/** What the runner may do with an operation against a live target. */
export function operationRole(op: OperationModel, all: OperationModel[]): OperationRole {
  // `x-sps-never-send` comes first: such an operation is never a read, a probe or a write.
  if (op.neverSend !== undefined) return 'never-send';
  if (op.security === 'basicAuth') return 'login';
  if (op.method === 'GET' || op.method === 'HEAD') return 'read';
  if (isClusterMembership(op)) return 'cluster-membership';
  if (op.path === TRANSACTION) {
    if (op.method === 'POST') return 'transaction-open';
    if (op.method === 'DELETE') return 'transaction-rollback';
    return 'transaction-commit';
  }
  if (op.path.startsWith(`${TRANSACTION}/`)) return 'other-write';
  if (op.method === 'PUT' && all.some((o) => o.method === 'GET' && o.path === op.path)) return 'setting-put';
  if (isCollectionCreate(op, all) && all.some((o) => o.method === 'GET' && o.path === op.path)) return 'collection-create';
  if (isObjectDelete(op, all)) return 'object-delete';
  return 'other-write';
}

/** The report line of an `x-sps-never-send` operation. */
export function neverSendReason(op: Pick<OperationModel, 'neverSend'> | undefined): string {
  return `never sent: ${op?.neverSend ?? 'the spec marks it x-sps-never-send'}`;
}

/** Why an operation is not sent to a live target (undefined: it is sent). */
export function notSentReason(role: OperationRole, allowWrites: boolean, op?: OperationModel): string | undefined {
  switch (role) {
    case 'never-send':
      return neverSendReason(op);
    case 'cluster-membership':
      return 'never sent to a target: it changes cluster membership (exercised against the simulator and the mock)';
    case 'transaction-commit':
      return 'never sent to a target: the runner never commits';
    case 'other-write':
      return 'never sent to a target: the runner only writes settings back with their current value (exercised against the mock)';
    case 'setting-put':
    case 'collection-create':
    case 'object-delete':
    case 'transaction-open':
    case 'transaction-rollback':
      return allowWrites ? undefined : 'read-only run: writes need --allow-writes';
    case 'not-in-version':
      return "not documented for the node's SPS version";
    default:
      return undefined;
  }
}

/** `{key, meta: {href}}` (an embedded reference, as GET returns it) -> the bare key, everywhere. */
export function referencesToKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referencesToKeys);
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 2 && typeof value.key === 'string' && isObject(value.meta) && typeof value.meta.href === 'string') {
    return value.key;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = referencesToKeys(v);
  return out;
}

/** Removes the properties the request schema marks `readOnly`, recursively. */
export function stripReadOnly(model: SpecModel, validator: SchemaValidator, value: unknown, pointer: string, depth = 0): unknown {
  if (depth > 30) return value;
  const schemas = applicableSchemas(model, validator, value, pointer);
  if (Array.isArray(value)) {
    const items = itemSchemas(schemas);
    return items[0] ? value.map((v) => stripReadOnly(model, validator, v, items[0]!, depth + 1)) : value;
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const { pointers } = propertySchemas(schemas, key);
    const readOnly = pointers.some((p) => {
      const s = model.deref(model.at(p), p).value;
      return isObject(s) && s.readOnly === true;
    });
    if (readOnly) continue;
    out[key] = pointers[0] ? stripReadOnly(model, validator, child, pointers[0], depth + 1) : child;
  }
  return out;
}

/** Equal JSON values once embedded references are bare keys (key order ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  return jsonEqual(referencesToKeys(a), referencesToKeys(b));
}

/**
 * The body to PUT a setting back unchanged: the `body` of its GET with references as bare keys
 * and read-only properties removed, validated against the request schema. A setting whose
 * request needs something GET does not return (a write-only secret) cannot be written back.
 */
export function sameValueRequestBody(
  model: SpecModel,
  validator: SchemaValidator,
  put: OperationModel,
  current: unknown,
): { ok: true; body: unknown } | { ok: false; reason: string } {
  const pointer = put.requestBody?.schemaPointer;
  if (!pointer) return { ok: false, reason: 'the PUT documents no JSON request schema' };
  const body = stripReadOnly(model, validator, referencesToKeys(current), pointer);
  const check = validator.validate(pointer, body);
  if (!check.valid) {
    return { ok: false, reason: `the value read back does not fit the PUT request schema (${check.errors.join('; ')})` };
  }
  return { ok: true, body };
}
