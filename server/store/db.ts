import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export const DB_FILE = 'enshu.sqlite';

/**
 * Opens (creating if needed) the store under `dataDir` in WAL mode and applies pending
 * migrations in one transaction each. WAL with synchronous=NORMAL: a committed event survives a
 * crash or kill of the server process; only an OS crash or power cut may lose the last commits.
 * `durable: 'full'` (ENSHU_STORE_SYNC=full) fsyncs every commit too, at ~6 ms per event here.
 */
export function openDb(
  dataDir: string,
  durable: 'normal' | 'full' = process.env.ENSHU_STORE_SYNC === 'full' ? 'full' : 'normal',
): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE));
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
