/**
 * Schema migrations, applied in order once each. Never edit a released entry: append a new one,
 * so a data directory written by any earlier version opens cleanly.
 */
export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        exercise TEXT NOT NULL,
        team TEXT,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX events_exercise ON events (exercise, seq);
      CREATE TABLE exercises (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        course TEXT NOT NULL,
        scenario TEXT NOT NULL,
        seed INTEGER NOT NULL,
        topology TEXT,
        state TEXT NOT NULL,
        speed REAL NOT NULL DEFAULT 1,
        schedule TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE teams (
        exercise TEXT NOT NULL REFERENCES exercises(id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        join_code TEXT NOT NULL UNIQUE,
        PRIMARY KEY (exercise, id)
      );
      CREATE TABLE members (
        exercise TEXT NOT NULL,
        team TEXT NOT NULL,
        name TEXT NOT NULL,
        joined_at TEXT,
        PRIMARY KEY (exercise, team, name)
      );
      CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('instructor', 'organizer')),
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE tokens (
        hash TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        subject TEXT NOT NULL,
        exercise TEXT,
        team TEXT,
        expires_at TEXT NOT NULL
      );
    `,
  },
  {
    // tokens are revoked by user (password change, demotion, deletion)
    version: 2,
    sql: `CREATE INDEX tokens_subject ON tokens (subject, role);`,
  },
  {
    // organizers' figures of past years, imported from CSV (#14); course '' is a year's published total
    version: 3,
    sql: `
      CREATE TABLE past_stats (
        fiscal_year INTEGER NOT NULL,
        course TEXT NOT NULL,
        sessions INTEGER,
        participants INTEGER,
        venues TEXT NOT NULL,
        period TEXT NOT NULL,
        PRIMARY KEY (fiscal_year, course)
      );
    `,
  },
];
