/** Login sessions of one node and the check of Basic credentials against the configured users. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock, SimPrivilege, SimUser, SimUsers } from '../types.js';
import { privilegesOf, ROLE_PRIVILEGES } from './privileges.js';

export interface Session {
  id: string;
  /** A short non-secret handle for logs and `openTransaction().holder`. */
  handle: string;
  username: string;
  /** The key the user is listed under in `users` (`admin`, `auditor`, `operator`, ...). */
  role: string;
  privileges: readonly SimPrivilege[];
  createdMs: number;
  lastSeenMs: number;
}

export interface Account {
  username: string;
  role: string;
  privileges: readonly SimPrivilege[];
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Compares two secrets in constant time (over their digests, so lengths may differ). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Parses `Authorization: Basic base64(user:pass)` (UTF-8). */
export function parseBasicAuth(header: string | undefined): SimUser | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Login sessions of one node: 40-hex ids, sliding idle timeout. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly accounts: Array<Account & { password: string }>;
  private counter = 0;

  constructor(
    users: SimUsers,
    private readonly clock: SimClock,
    private readonly idleMs: number,
  ) {
    this.accounts = Object.entries(users).flatMap(([role, u]) =>
      u ? [{ username: u.username, password: u.password, role, privileges: privilegesOf(role, u) }] : [],
    );
  }

  authenticate(creds: SimUser | undefined): Account | undefined {
    if (!creds) return undefined;
    for (const a of this.accounts) {
      if (creds.username === a.username && sameSecret(creds.password, a.password)) {
        return { username: a.username, role: a.role, privileges: a.privileges };
      }
    }
    return undefined;
  }

  /**
   * The `acceptAnyPassword` switch: Basic credentials with any password log in, a configured
   * user name as that user, any other name as a read-only account (the `auditor` defaults).
   */
  authenticateAnyPassword(creds: SimUser): Account {
    const known = this.accounts.find((a) => a.username === creds.username);
    if (known) return { username: known.username, role: known.role, privileges: known.privileges };
    return { username: creds.username, role: 'unknown', privileges: ROLE_PRIVILEGES.auditor! };
  }

  create(account: Account): Session {
    const now = this.clock.now();
    const session: Session = {
      id: randomBytes(20).toString('hex'),
      handle: `s${++this.counter}`,
      username: account.username,
      role: account.role,
      privileges: account.privileges,
      createdMs: now,
      lastSeenMs: now,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  /**
   * The `acceptMadeUpSession` switch: an unknown, non-empty session id is taken as a session of
   * the first configured user (admin), kept under that id from then on.
   */
  adopt(id: string): Session | undefined {
    const first = this.accounts[0];
    if (!id || !first) return undefined;
    const session = this.create(first);
    this.sessions.delete(session.id);
    const adopted = { ...session, id };
    this.sessions.set(id, adopted);
    return adopted;
  }

  /** Looks the session up and slides its idle timeout. Expired sessions are gone. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    s.lastSeenMs = this.clock.now();
    return s;
  }

  /** Removes idle sessions; returns the removed ones (their lock must be released). */
  sweep(): Session[] {
    const now = this.clock.now();
    const gone: Session[] = [];
    for (const s of this.sessions.values()) {
      if (now - s.lastSeenMs >= this.idleMs) gone.push(s);
    }
    for (const s of gone) this.sessions.delete(s.id);
    return gone;
  }

  /** Ends every session (after a commit that changes the cluster interface or promotes). */
  dropAll(): void {
    this.sessions.clear();
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  count(): number {
    return this.sessions.size;
  }
}
