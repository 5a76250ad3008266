/**
 * The roles file (`--roles FILE`, YAML or JSON): the accounts `access_control` checks and what
 * each may and may not do, as `METHOD /path/**` patterns. Validated with Ajv against
 * {@link ROLES_SCHEMA}; passwords come from an environment variable or a file, never from the
 * roles file itself (a `password` key is refused) and never from the command line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject } from 'ajv';
import { readYamlOrJsonFile } from '../shared/cli-options.js';
import { patternMatches, patternSpecificity } from '../shared/index.js';
import type { OperationModel } from '../model/operations.js';
import type { AccessPattern, RoleAccount } from './check-api.js';
import { UsageError } from '../shared/cli-options.js';

export type { AccessPattern, RoleAccount } from './check-api.js';

const PATTERN = '^(GET|PUT|POST|DELETE|PATCH|\\*) /\\S*$';

/** The JSON Schema (2020-12) of a roles file. */
export const ROLES_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['users'],
  additionalProperties: false,
  properties: {
    users: {
      type: 'object',
      minProperties: 1,
      propertyNames: { minLength: 1 },
      additionalProperties: { $ref: '#/$defs/user' },
    },
  },
  $defs: {
    user: {
      type: 'object',
      additionalProperties: false,
      properties: {
        password_env: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
        password_file: { type: 'string', minLength: 1 },
        may: { type: 'array', items: { type: 'string', pattern: PATTERN } },
        may_not: { type: 'array', items: { type: 'string', pattern: PATTERN } },
      },
      oneOf: [{ required: ['password_env'] }, { required: ['password_file'] }],
    },
  },
} as const;

const validate = new Ajv2020({ allErrors: true, strict: true, strictRequired: false }).compile(ROLES_SCHEMA);

/** `/users/auditor/may/2` -> `user auditor, may[2]`. Never quotes a value that could be a secret. */
function describeError(err: ErrorObject, data: unknown): string | undefined {
  const parts = err.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where =
    parts[0] === 'users' && parts[1] !== undefined
      ? `user ${JSON.stringify(parts[1])}${parts[2] ? `, ${parts[2]}${parts[3] !== undefined ? `[${parts[3]}]` : ''}` : ''}`
      : parts.length > 0
        ? parts.join('.')
        : 'the file';
  if (err.keyword === 'additionalProperties') {
    const key = String((err.params as { additionalProperty: string }).additionalProperty);
    if (/pass|secret|token/i.test(key))
      return `${where}: "${key}": a password must never be in the roles file; use password_env (an environment variable) or password_file`;
    return `${where}: unknown key "${key}" (allowed: ${parts.length === 0 ? 'users' : 'password_env, password_file, may, may_not'})`;
  }
  if (err.keyword === 'oneOf') return `${where}: needs exactly one of password_env or password_file`;
  if (err.schemaPath.includes('/oneOf/')) return undefined; // the branches of oneOf, said by the oneOf error
  if (err.keyword === 'pattern' && (parts[2] === 'may' || parts[2] === 'may_not')) {
    const value = (data as { users: Record<string, Record<string, string[]>> }).users[parts[1]!]![parts[2]]![Number(parts[3])];
    return `${where}: ${JSON.stringify(value)} is not "METHOD /path" (METHOD: GET, PUT, POST, DELETE, PATCH or *; in the path * is one segment, ** any number)`;
  }
  if (err.keyword === 'pattern' && parts[2] === 'password_env') return `${where}: not an environment variable name`;
  return `${where}: ${err.message ?? err.keyword}`;
}

function parsePattern(text: string): AccessPattern {
  const space = text.indexOf(' ');
  return { method: text.slice(0, space), path: text.slice(space + 1), text };
}

/** Validates a parsed roles file; throws {@link UsageError} naming the user and the entry. */
export function checkRolesDocument(
  data: unknown,
  label: string,
): asserts data is { users: Record<string, { password_env?: string; password_file?: string; may?: string[]; may_not?: string[] }> } {
  if (validate(data)) return;
  const lines = [...new Set((validate.errors ?? []).map((e) => describeError(e, data)).filter((l): l is string => l !== undefined))];
  // A password in the file is the one to fix first.
  lines.sort((a, b) => Number(b.includes('a password must never')) - Number(a.includes('a password must never')));
  throw new UsageError(`--roles ${label}: ${lines.join('; ')}`);
}

/** Reads, validates and resolves a roles file: every account with its password (from `env` or its file). */
export function loadRolesFile(file: string, env: NodeJS.ProcessEnv): RoleAccount[] {
  const data = readYamlOrJsonFile('--roles', file);
  checkRolesDocument(data, file);
  return Object.entries(data.users).map(([name, u]) => {
    let password: string | undefined;
    let passwordSource: string;
    if (u.password_env !== undefined) {
      passwordSource = u.password_env;
      password = env[u.password_env];
      if (password === undefined || password === '')
        throw new UsageError(`--roles ${file}: user ${JSON.stringify(name)}: password_env ${u.password_env} is not set`);
    } else {
      const pwFile = resolve(dirname(file), u.password_file!);
      passwordSource = `file ${u.password_file}`;
      try {
        password = readFileSync(pwFile, 'utf8').split(/\r?\n/)[0] ?? '';
      } catch (err) {
        throw new UsageError(
          `--roles ${file}: user ${JSON.stringify(name)}: password_file ${u.password_file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        );
      }
      if (password === '') throw new UsageError(`--roles ${file}: user ${JSON.stringify(name)}: password_file ${u.password_file}: the first line is empty`);
    }
    return { name, password, passwordSource, may: (u.may ?? []).map(parsePattern), mayNot: (u.may_not ?? []).map(parsePattern) };
  });
}

export interface AccessDecision {
  expected: 'allowed' | 'denied';
  /** The pattern that decided, as written. */
  rule: string;
}

/**
 * What the roles file says about an operation (its path template: `*` matches `{nodeId}`): the
 * most specific matching pattern wins (more literal path segments, then an exact method over
 * `*`); on a tie `may_not` wins. Undefined: the file says nothing about it.
 */
export function accessFor(account: RoleAccount, op: Pick<OperationModel, 'method' | 'path'>): AccessDecision | undefined {
  let best: { score: number; decision: AccessDecision } | undefined;
  const consider = (patterns: AccessPattern[], expected: AccessDecision['expected']): void => {
    for (const p of patterns) {
      if (p.method !== '*' && p.method !== op.method) continue;
      if (!patternMatches(p.path, op.path)) continue;
      const score = patternSpecificity(p.path) * 2 + (p.method === '*' ? 0 : 1);
      if (!best || score > best.score || (score === best.score && expected === 'denied')) best = { score, decision: { expected, rule: p.text } };
    }
  };
  consider(account.may, 'allowed');
  consider(account.mayNot, 'denied');
  return best?.decision;
}
