import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SimClock, SimUser, SimUsers } from './types.js';

export type Privilege = 'admin' | 'operator';

export interface Session {
  id: string;
  /** A short non-secret handle for logs and `openTransaction().holder`. */
  handle: string;
  username: string;
  privilege: Privilege;
  createdMs: number;
  lastSeenMs: number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

function sameSecret(a: string, b: string): boolean {
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

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !(name in out)) out[name] = value;
  }
  return out;
}

/** Login sessions of one node: 40-hex ids, sliding idle timeout. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private counter = 0;

  constructor(
    private readonly users: SimUsers,
    private readonly clock: SimClock,
    private readonly idleMs: number,
  ) {}

  authenticate(creds: SimUser | undefined): Privilege | undefined {
    if (!creds) return undefined;
    const { admin, operator } = this.users;
    if (creds.username === admin.username && sameSecret(creds.password, admin.password)) return 'admin';
    if (operator && creds.username === operator.username && sameSecret(creds.password, operator.password)) return 'operator';
    return undefined;
  }

  create(username: string, privilege: Privilege): Session {
    const now = this.clock.now();
    const session: Session = {
      id: randomBytes(20).toString('hex'),
      handle: `s${++this.counter}`,
      username,
      privilege,
      createdMs: now,
      lastSeenMs: now,
    };
    this.sessions.set(session.id, session);
    return session;
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

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  count(): number {
    return this.sessions.size;
  }
}
