import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Db } from './db.js';
import type { Principal, Role, StaffRole } from '../../protocol/index.js';

export type { Principal, Role, StaffRole };

const TOKEN_HOURS = 24;
const KEY_LEN = 32;
/** the demo password `scripts/start.sh` uses; the server warns loudly whenever it is in effect */
export const DEMO_PASSWORD = 'enshu-demo';
/** the shortest staff password the server accepts (users and ENSHU_ADMIN_PASSWORD) */
export const MIN_PASSWORD_LENGTH = 10;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function scryptAsync(password: string, salt: Buffer, len: number, o: ScryptOptions = {}): Promise<Buffer> {
  return new Promise((res, rej) => scrypt(password, salt, len, o, (err, key) => (err ? rej(err) : res(key))));
}

const format = (salt: Buffer, key: Buffer) => `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;

function parse(stored: string): { salt: Buffer; key: Buffer } | undefined {
  const [kind, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return undefined;
  return { salt: Buffer.from(salt, 'hex'), key: Buffer.from(key, 'hex') };
}

/** scrypt on the thread pool: a login never blocks the event loop (sockets, other requests). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return format(salt, await scryptAsync(password, salt, KEY_LEN));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const p = parse(stored);
  if (!p) return false;
  const got = await scryptAsync(password, p.salt, p.key.length);
  return timingSafeEqual(p.key, got);
}

/** Synchronous variants, for start-up only (bootstrap), never on a request path. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return format(salt, scryptSync(password, salt, KEY_LEN));
}

export function verifyPasswordSync(password: string, stored: string): boolean {
  const p = parse(stored);
  if (!p) return false;
  return timingSafeEqual(p.key, scryptSync(password, p.salt, p.key.length));
}

/** Hashed once per process: unknown user names cost one scrypt like known ones (no user enumeration by timing). */
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('hex')));

export type RevokeListener = (who: { subject?: string; token?: string }) => void;

type UserRow = { role: StaffRole; password_hash: string };
type TokenRow = {
  role: Role;
  subject: string;
  exercise: string | null;
  team: string | null;
  expires_at: string;
  user_role: StaffRole | null;
  team_exists: number | null;
};

/**
 * Users, passwords and bearer tokens. Only token hashes are stored. A token follows its user:
 * `resolve` checks it against the users table on every call (a staff token whose user is gone or
 * whose role changed resolves to nothing), and changing a password or role, deleting a user or
 * logging out deletes the tokens (listeners are told, so live sockets are dropped too).
 */
export class AuthRepo {
  private readonly listeners = new Set<RevokeListener>();
  private readonly byHash;

  constructor(private readonly db: Db) {
    this.byHash = db.prepare(
      `SELECT t.role, t.subject, t.exercise, t.team, t.expires_at,
              u.role AS user_role,
              (SELECT 1 FROM teams m WHERE m.exercise = t.exercise AND m.id = t.team) AS team_exists
         FROM tokens t LEFT JOIN users u ON u.name = t.subject
        WHERE t.hash = ?`,
    );
  }

  userCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  private user(name: string): UserRow | undefined {
    return this.db.prepare('SELECT role, password_hash FROM users WHERE name = ?').get(name) as UserRow | undefined;
  }

  /** Stores the user; a changed password or role revokes every token the user holds. */
  private write(name: string, role: StaffRole, hash: string, changed: boolean, now: Date): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
        )
        .run(name, role, hash, now.toISOString());
      if (changed) this.deleteTokensOf(name);
    })();
    if (changed) this.emit({ subject: name });
  }

  /**
   * Creates or updates a staff user (async scrypt). Changing the password or the role of an
   * existing user revokes their tokens; returns whether it did.
   */
  async setUser(name: string, role: StaffRole, password: string, now = new Date()): Promise<{ revoked: boolean }> {
    const old = this.user(name);
    const changed = !!old && (old.role !== role || !(await verifyPassword(password, old.password_hash)));
    this.write(name, role, changed || !old ? await hashPassword(password) : old.password_hash, changed, now);
    return { revoked: changed };
  }

  /** Start-up variant of `setUser` (bootstrap): synchronous, the same revocation rule. */
  putUser(name: string, role: StaffRole, password: string, now = new Date()): void {
    const old = this.user(name);
    const changed = !!old && (old.role !== role || !verifyPasswordSync(password, old.password_hash));
    this.write(name, role, changed || !old ? hashPasswordSync(password) : old.password_hash, changed, now);
  }

  /** Deletes a user and their tokens; false when there was no such user. */
  deleteUser(name: string): boolean {
    const n = this.db.transaction(() => {
      this.deleteTokensOf(name);
      return this.db.prepare('DELETE FROM users WHERE name = ?').run(name).changes;
    })();
    if (n) this.emit({ subject: name });
    return n > 0;
  }

  users(): { name: string; role: StaffRole }[] {
    return this.db.prepare('SELECT name, role FROM users ORDER BY name').all() as { name: string; role: StaffRole }[];
  }

  role(name: string): StaffRole | undefined {
    return this.user(name)?.role;
  }

  /**
   * The user's role when the password matches, undefined otherwise. Unknown users cost one scrypt
   * against a dummy hash, so the answer takes as long either way.
   */
  async authenticate(name: string, password: string): Promise<StaffRole | undefined> {
    const u = this.user(name);
    const ok = await verifyPassword(password, u?.password_hash ?? (await dummyHash()));
    return u && ok ? u.role : undefined;
  }

  /** Whether any staff user's password is `password` (start-up check for the demo password). */
  async usersWithPassword(password: string): Promise<string[]> {
    const rows = this.db.prepare('SELECT name, password_hash FROM users').all() as {
      name: string;
      password_hash: string;
    }[];
    const out: string[] = [];
    for (const r of rows) if (await verifyPassword(password, r.password_hash)) out.push(r.name);
    return out;
  }

  issue(p: Principal, now = new Date()): string {
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + TOKEN_HOURS * 3600_000).toISOString();
    this.db
      .prepare('INSERT INTO tokens (hash, role, subject, exercise, team, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hashToken(token), p.role, p.subject, p.exercise ?? null, p.team ?? null, expires);
    return token;
  }

  /**
   * The principal a token speaks for, checked against the store as it is now: unexpired, a staff
   * token's user still exists with the role the token was issued for, a trainee token's team still
   * exists. Called on every request and every socket event.
   */
  resolve(token: string, now = new Date()): Principal | undefined {
    const r = this.byHash.get(hashToken(token)) as TokenRow | undefined;
    if (!r || r.expires_at <= now.toISOString()) return undefined;
    if (r.role === 'trainee') {
      if (!r.exercise || !r.team || !r.team_exists) return undefined;
    } else if (r.user_role !== r.role) return undefined;
    return {
      role: r.role,
      subject: r.subject,
      ...(r.exercise ? { exercise: r.exercise } : {}),
      ...(r.team ? { team: r.team } : {}),
    };
  }

  /** Logout: this one token. */
  revoke(token: string): void {
    const n = this.db.prepare('DELETE FROM tokens WHERE hash = ?').run(hashToken(token)).changes;
    if (n) this.emit({ token });
  }

  /** Every token of a staff user (password change, demotion, deletion). */
  revokeUser(name: string): void {
    this.deleteTokensOf(name);
    this.emit({ subject: name });
  }

  /** Told after tokens were revoked (live sockets re-check theirs). */
  onRevoke(l: RevokeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private deleteTokensOf(name: string): void {
    this.db.prepare(`DELETE FROM tokens WHERE subject = ? AND role IN ('instructor', 'organizer')`).run(name);
  }

  private emit(who: { subject?: string; token?: string }): void {
    for (const l of this.listeners) l(who);
  }
}
