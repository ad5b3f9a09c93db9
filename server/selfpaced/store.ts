/**
 * Self-paced windows and seats in the server's SQLite store. Their own tables, created here if
 * missing (they hang off exercises by id; the exercise itself lives in the exercises table).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/index.js';

export interface WindowRow {
  id: string;
  title: string;
  course: string;
  scenario: string;
  opensAt: string;
  closesAt: string;
  capacity: number;
  idleMinutes: number;
  speed: number;
  code: string;
  createdBy: string;
  createdAt: string;
}

export type FinishReason = 'finished' | 'idle' | 'closed' | 'failed';

export interface SeatRow {
  exercise: string;
  window: string;
  name: string;
  seq: number;
  queued: boolean;
  registeredAt: string;
  lastActiveAt: string;
  finishedAt: string | null;
  finishReason: FinishReason | null;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS selfpaced_windows (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, course TEXT NOT NULL, scenario TEXT NOT NULL,
    opens_at TEXT NOT NULL, closes_at TEXT NOT NULL, capacity INTEGER NOT NULL,
    idle_minutes REAL NOT NULL, speed REAL NOT NULL, code TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL, created_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS selfpaced_seats (
    exercise TEXT PRIMARY KEY, window TEXT NOT NULL REFERENCES selfpaced_windows (id),
    name TEXT NOT NULL, seq INTEGER NOT NULL, queued INTEGER NOT NULL,
    registered_at TEXT NOT NULL, last_active_at TEXT NOT NULL,
    finished_at TEXT, finish_reason TEXT
  );
  CREATE INDEX IF NOT EXISTS selfpaced_seats_window ON selfpaced_seats (window, seq);
`;

const WINDOW_COLUMNS = `id, title, course, scenario, opens_at AS opensAt, closes_at AS closesAt, capacity,
  idle_minutes AS idleMinutes, speed, code, created_by AS createdBy, created_at AS createdAt`;
const SEAT_COLUMNS = `exercise, window, name, seq, queued, registered_at AS registeredAt,
  last_active_at AS lastActiveAt, finished_at AS finishedAt, finish_reason AS finishReason`;

type RawSeat = Omit<SeatRow, 'queued'> & { queued: number };
const seat = (r: RawSeat | undefined): SeatRow | undefined => (r ? { ...r, queued: r.queued === 1 } : undefined);

/**
 * Window codes: longer than a team's join code (a window admits anyone who has it, for weeks),
 * still easy to read out: 12 characters without look-alikes, in three groups.
 */
export function windowCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let s = '';
  for (const x of randomBytes(12)) s += alphabet[x % alphabet.length];
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8)}`;
}

export class SelfPacedRepo {
  constructor(private readonly db: Db) {
    db.exec(SCHEMA);
  }

  createWindow(w: WindowRow): WindowRow {
    this.db
      .prepare(
        `INSERT INTO selfpaced_windows (id, title, course, scenario, opens_at, closes_at, capacity, idle_minutes, speed, code, created_by, created_at)
         VALUES (@id, @title, @course, @scenario, @opensAt, @closesAt, @capacity, @idleMinutes, @speed, @code, @createdBy, @createdAt)`,
      )
      .run(w);
    return w;
  }

  window(id: string): WindowRow | undefined {
    return this.db.prepare(`SELECT ${WINDOW_COLUMNS} FROM selfpaced_windows WHERE id = ?`).get(id) as
      WindowRow | undefined;
  }

  windowByCode(code: string): WindowRow | undefined {
    return this.db.prepare(`SELECT ${WINDOW_COLUMNS} FROM selfpaced_windows WHERE code = ?`).get(code) as
      WindowRow | undefined;
  }

  windows(): WindowRow[] {
    return this.db
      .prepare(`SELECT ${WINDOW_COLUMNS} FROM selfpaced_windows ORDER BY created_at, id`)
      .all() as WindowRow[];
  }

  closeWindow(id: string, at: string): void {
    this.db.prepare('UPDATE selfpaced_windows SET closes_at = ? WHERE id = ? AND closes_at > ?').run(at, id, at);
  }

  /** The next seat number of a window (seats are never deleted, so numbers are never reused). */
  nextSeq(window: string): number {
    const r = this.db.prepare('SELECT MAX(seq) AS m FROM selfpaced_seats WHERE window = ?').get(window) as {
      m: number | null;
    };
    return (r.m ?? 0) + 1;
  }

  addSeat(s: SeatRow): SeatRow {
    this.db
      .prepare(
        `INSERT INTO selfpaced_seats (exercise, window, name, seq, queued, registered_at, last_active_at, finished_at, finish_reason)
         VALUES (@exercise, @window, @name, @seq, @queued, @registeredAt, @lastActiveAt, @finishedAt, @finishReason)`,
      )
      .run({ ...s, queued: s.queued ? 1 : 0 });
    return s;
  }

  seat(exercise: string): SeatRow | undefined {
    return seat(
      this.db.prepare(`SELECT ${SEAT_COLUMNS} FROM selfpaced_seats WHERE exercise = ?`).get(exercise) as RawSeat,
    );
  }

  /** every seat, oldest registration first (the queue's order) */
  seats(window?: string): SeatRow[] {
    const rows = (
      window
        ? this.db
            .prepare(`SELECT ${SEAT_COLUMNS} FROM selfpaced_seats WHERE window = ? ORDER BY registered_at, seq`)
            .all(window)
        : this.db.prepare(`SELECT ${SEAT_COLUMNS} FROM selfpaced_seats ORDER BY registered_at, seq`).all()
    ) as RawSeat[];
    return rows.map((r) => seat(r)!);
  }

  dequeue(exercise: string, at: string): void {
    this.db.prepare('UPDATE selfpaced_seats SET queued = 0, last_active_at = ? WHERE exercise = ?').run(at, exercise);
  }

  touch(exercise: string, at: string): void {
    this.db
      .prepare('UPDATE selfpaced_seats SET last_active_at = ? WHERE exercise = ? AND finished_at IS NULL')
      .run(at, exercise);
  }

  /** Marks a seat done; false when it already was (teardown runs once). */
  finish(exercise: string, at: string, reason: FinishReason): boolean {
    return (
      this.db
        .prepare(
          'UPDATE selfpaced_seats SET finished_at = ?, finish_reason = ?, queued = 0 WHERE exercise = ? AND finished_at IS NULL',
        )
        .run(at, reason, exercise).changes === 1
    );
  }
}
