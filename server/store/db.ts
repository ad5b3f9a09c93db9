import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'enshu.sqlite';

/**
 * Opens (creating if needed) the store under `dataDir` in WAL mode and applies pending
 * migrations in one transaction each. WAL with synchronous=NORMAL: a committed event survives a
 * crash or kill of the server process; only an OS crash or power cut may lose the last commits.
 * The data directory is made 0700 and the database file 0600 (also when they already exist).
 * `durable: 'full'` (ENSHU_STORE_SYNC=full) fsyncs every commit too, at ~6 ms per event here.
 */
export function openDb(
  dataDir: string,
  durable: 'normal' | 'full' = process.env.ENSHU_STORE_SYNC === 'full' ? 'full' : 'normal',
): Db {
  // the store holds password and token hashes and every team's answers: owner only
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = join(dataDir, DB_FILE);
  // created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode
  closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${durable === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db): void {
  const current = schemaVersion(db);
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
}
