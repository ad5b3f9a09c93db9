import { createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Db } from './db.js';

import type { Principal, Role, StaffRole } from '../../protocol/index.js';

export type { Principal, Role, StaffRole };

const TOKEN_HOURS = 24;

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString('hex')}$${key.toString('hex')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [kind, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'hex');
  const got = scryptSync(password, Buffer.from(salt, 'hex'), want.length);
  return timingSafeEqual(want, got);
}

/** Users, passwords and bearer tokens. Only token hashes are stored. */
export class AuthRepo {
  constructor(private readonly db: Db) {}

  userCount(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  /** Creates or replaces a staff user's password and role. */
  putUser(name: string, role: StaffRole, password: string, now = new Date()): void {
    this.db
      .prepare(
        `INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash`,
      )
      .run(name, role, hashPassword(password), now.toISOString());
  }

  users(): { name: string; role: StaffRole }[] {
    return this.db.prepare('SELECT name, role FROM users ORDER BY name').all() as { name: string; role: StaffRole }[];
  }

  /** The user's role when the password matches, undefined otherwise (same answer for unknown users). */
  login(name: string, password: string): StaffRole | undefined {
    const u = this.db.prepare('SELECT role, password_hash FROM users WHERE name = ?').get(name) as
      { role: StaffRole; password_hash: string } | undefined;
    if (!u) {
      verifyPassword(password, hashPassword('timing-equaliser'));
      return undefined;
    }
    return verifyPassword(password, u.password_hash) ? u.role : undefined;
  }

  issue(p: Principal, now = new Date()): string {
    const token = randomBytes(32).toString('base64url');
    const expires = new Date(now.getTime() + TOKEN_HOURS * 3600_000).toISOString();
    this.db
      .prepare('INSERT INTO tokens (hash, role, subject, exercise, team, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hashToken(token), p.role, p.subject, p.exercise ?? null, p.team ?? null, expires);
    return token;
  }

  resolve(token: string, now = new Date()): Principal | undefined {
    const r = this.db
      .prepare('SELECT role, subject, exercise, team, expires_at FROM tokens WHERE hash = ?')
      .get(hashToken(token)) as
      { role: Role; subject: string; exercise: string | null; team: string | null; expires_at: string } | undefined;
    if (!r || r.expires_at <= now.toISOString()) return undefined;
    return {
      role: r.role,
      subject: r.subject,
      ...(r.exercise ? { exercise: r.exercise } : {}),
      ...(r.team ? { team: r.team } : {}),
    };
  }

  revoke(token: string): void {
    this.db.prepare('DELETE FROM tokens WHERE hash = ?').run(hashToken(token));
  }
}
