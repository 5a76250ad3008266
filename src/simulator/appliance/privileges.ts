/**
 * Privileges by area, as SPS usergroups grant them ("Basic Settings > Cluster management" with
 * read and write/perform rights): a user's rules decide whether a method on a path is allowed.
 */
import { patternMatches, patternSpecificity } from '../../shared/path-pattern.js';
import type { SimBehaviour, SimPrivilege, SimUser } from '../types.js';

export { patternMatches };

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

/** Default rules of the role names that carry them. */
export const ROLE_PRIVILEGES: Readonly<Record<string, readonly SimPrivilege[]>> = {
  admin: [{ path: '/api/**', read: true, write: true }],
  auditor: [{ path: '/api/**', read: true, write: false }],
  operator: [
    { path: '/api/**', read: true, write: true },
    { path: '/api/cluster/**', read: false, write: false },
  ],
};

/** The rules of a user listed under `role`; throws for a role without defaults or own rules. */
export function privilegesOf(role: string, user: SimUser): readonly SimPrivilege[] {
  if (user.privileges) {
    for (const p of user.privileges) validatePattern(p.path);
    return user.privileges.map((p) => ({ ...p }));
  }
  const defaults = Object.hasOwn(ROLE_PRIVILEGES, role) ? ROLE_PRIVILEGES[role] : undefined;
  if (!defaults) throw new TypeError(`user role "${role}" has no default privileges: give it "privileges"`);
  return defaults;
}

function validatePattern(pattern: string): void {
  if (!pattern.startsWith('/')) throw new TypeError(`privilege path must start with "/": ${pattern}`);
}

function decide(rules: readonly SimPrivilege[], method: string, path: string): boolean | undefined {
  let best: SimPrivilege | undefined;
  for (const r of rules) {
    if (!patternMatches(r.path, path)) continue;
    if (!best || patternSpecificity(r.path) >= patternSpecificity(best.path)) best = r;
  }
  if (!best) return undefined;
  return WRITE_METHODS.has(method) ? best.write : best.read;
}

export interface Principal {
  username: string;
  role: string;
  privileges: readonly SimPrivilege[];
}

/** Whether the principal may use `method` on `path`, wrong-privilege switches included. */
export function isAllowed(who: Principal, method: string, path: string, behaviour: Readonly<SimBehaviour>): boolean {
  const bugs = behaviour.privilegeBugs;
  const write = WRITE_METHODS.has(method);
  if (bugs?.auditorCanWrite && who.role === 'auditor' && write) return true;
  if (bugs?.operatorCanReadCluster && who.role === 'operator' && !write && patternMatches('/api/cluster/**', path)) {
    return true;
  }
  if (bugs?.operatorCannotWrite && who.role === 'operator' && write) return false;
  const grants = bugs?.grants && Object.hasOwn(bugs.grants, who.username) ? bugs.grants[who.username] : undefined;
  if (grants && decide(grants, method, path) === true) return true;
  return decide(who.privileges, method, path) ?? false;
}
