import { randomBytes } from 'node:crypto';
import { NotFoundError, teamId } from '../../core/index.js';

import type { Statement } from 'better-sqlite3';
import type { Db } from './db.js';
import { ConflictError } from './errors.js';

import {
  EXERCISE_STATES,
  type ExerciseRow,
  type ExerciseState,
  type Schedule,
  type TeamRow,
} from '../../protocol/index.js';

export { EXERCISE_STATES, type ExerciseState };

/** Allowed moves of the exercise state machine; anything else is a 409. */
const TRANSITIONS: Record<ExerciseState, ExerciseState[]> = {
  // provisioning may be retried from ready (converge) and falls back to created when it fails
  created: ['provisioning', 'archived'],
  provisioning: ['ready', 'created'],
  ready: ['provisioning', 'running', 'ended'],
  running: ['paused', 'ended'],
  paused: ['running', 'ended'],
  ended: ['archived'],
  archived: [],
};

export interface NewExercise {
  id: string;
  title: string;
  course: string;
  scenario: string;
  seed: number;
  topology?: string;
  speed: number;
  schedule: Schedule;
  teams: { name: string; members: string[] }[];
}

type Raw = Omit<ExerciseRow, 'schedule' | 'createdAt' | 'updatedAt'> & {
  schedule: string;
  created_at: string;
  updated_at: string;
};

function fromRaw(r: Raw): ExerciseRow {
  return {
    id: r.id,
    title: r.title,
    course: r.course,
    scenario: r.scenario,
    seed: r.seed,
    topology: r.topology,
    state: r.state,
    speed: r.speed,
    schedule: JSON.parse(r.schedule) as Schedule,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Join codes are short enough to read aloud in a classroom, and unique across exercises. */
function joinCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const b = randomBytes(8);
  let s = '';
  for (const x of b) s += alphabet[x % alphabet.length];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export class ExerciseRepo {
  /** prepared once: every live event reads the exercise and its teams, and preparing costs more than the query */
  private readonly statements = new Map<string, Statement<unknown[]>>();
  /**
   * Exercise rows as last read: a live event reads its exercise several times (routes, projections
   * of each audience). Every write to the table goes through this class and drops its row; rows
   * read inside a transaction are not kept (it may roll back). Callers get their own copy.
   */
  private readonly rows = new Map<string, ExerciseRow>();
  /** each exercise's teams with their members, kept the same way */
  private readonly teamRows = new Map<string, TeamRow[]>();
  constructor(private readonly db: Db) {}

  private sql(text: string): Statement<unknown[]> {
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  create(x: NewExercise, now = new Date()): ExerciseRow {
    const at = now.toISOString();
    if (this.find(x.id)) throw new ConflictError(`exercise ${x.id} already exists`, { exercise: x.id });
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO exercises (id, title, course, scenario, seed, topology, state, speed, schedule, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'created', ?, ?, ?, ?)`,
        )
        .run(
          x.id,
          x.title,
          x.course,
          x.scenario,
          x.seed,
          x.topology ?? null,
          x.speed,
          JSON.stringify(x.schedule),
          at,
          at,
        );
      const team = this.db.prepare('INSERT INTO teams (exercise, id, name, join_code) VALUES (?, ?, ?, ?)');
      const member = this.db.prepare('INSERT OR IGNORE INTO members (exercise, team, name) VALUES (?, ?, ?)');
      x.teams.forEach((t, i) => {
        const id = teamId(i + 1);
        team.run(x.id, id, t.name, joinCode());
        for (const m of t.members) member.run(x.id, id, m);
      });
    })();
    this.rows.delete(x.id);
    this.teamRows.delete(x.id);
    return this.get(x.id);
  }

  find(id: string): ExerciseRow | undefined {
    let row = this.rows.get(id);
    if (!row) {
      const r = this.sql('SELECT * FROM exercises WHERE id = ?').get(id) as Raw | undefined;
      if (!r) return undefined;
      row = fromRaw(r);
      if (!this.db.inTransaction) this.rows.set(id, row);
    }
    return { ...row, schedule: { ...row.schedule } };
  }

  get(id: string): ExerciseRow {
    const x = this.find(id);
    if (!x) throw new NotFoundError(`no exercise ${id}`, { exercise: id });
    return x;
  }

  list(): ExerciseRow[] {
    return (this.sql('SELECT * FROM exercises ORDER BY created_at, id').all() as Raw[]).map(fromRaw);
  }

  /**
   * Moves the exercise to `to`, or throws a ConflictError naming the allowed moves. `from` narrows
   * the states the move may start from (a verb's meaning: `start` is ready → running, `resume` is
   * paused → running), so `start` on a paused exercise and `resume` on a ready one are 409s too.
   */
  transition(id: string, to: ExerciseState, now = new Date(), from?: readonly ExerciseState[]): ExerciseRow {
    const x = this.get(id);
    if (!TRANSITIONS[x.state].includes(to)) {
      const allowed = TRANSITIONS[x.state];
      throw new ConflictError(
        `exercise ${id} is ${x.state}; it cannot become ${to}${allowed.length ? ` (from ${x.state} it can become: ${allowed.join(', ')})` : ''}`,
        { exercise: id },
      );
    }
    if (from && !from.includes(x.state)) {
      throw new ConflictError(`exercise ${id} is ${x.state}; this needs it to be ${from.join(' or ')}`, {
        exercise: id,
      });
    }
    this.sql('UPDATE exercises SET state = ?, updated_at = ? WHERE id = ?').run(to, now.toISOString(), id);
    this.rows.delete(id);
    return this.get(id);
  }

  canTransition(from: ExerciseState, to: ExerciseState): boolean {
    return TRANSITIONS[from].includes(to);
  }

  setSpeed(id: string, speed: number): void {
    this.sql('UPDATE exercises SET speed = ? WHERE id = ?').run(speed, id);
    this.rows.delete(id);
  }

  teams(exercise: string): TeamRow[] {
    return this.teamsHeld(exercise).map((t) => ({ ...t, members: [...t.members] }));
  }

  private teamsHeld(exercise: string): readonly TeamRow[] {
    let rows = this.teamRows.get(exercise);
    if (!rows) {
      const teams = this.sql(
        'SELECT exercise, id, name, join_code AS joinCode FROM teams WHERE exercise = ? ORDER BY id',
      ).all(exercise) as Omit<TeamRow, 'members'>[];
      const members = this.sql('SELECT team, name FROM members WHERE exercise = ? ORDER BY rowid').all(exercise) as {
        team: string;
        name: string;
      }[];
      rows = teams.map((t) => ({ ...t, members: members.filter((m) => m.team === t.id).map((m) => m.name) }));
      if (!this.db.inTransaction) this.teamRows.set(exercise, rows);
    }
    return rows;
  }

  team(exercise: string, team: string): TeamRow {
    const t = this.teamsHeld(exercise).find((x) => x.id === team);
    if (!t) throw new NotFoundError(`exercise ${exercise} has no team ${team}`, { exercise, team });
    return { ...t, members: [...t.members] };
  }

  teamByCode(code: string): TeamRow | undefined {
    const r = this.sql('SELECT exercise, id FROM teams WHERE join_code = ?').get(code.trim().toUpperCase()) as
      { exercise: string; id: string } | undefined;
    return r && this.team(r.exercise, r.id);
  }

  addMember(exercise: string, team: string, name: string, now = new Date()): void {
    this.sql(
      `INSERT INTO members (exercise, team, name, joined_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (exercise, team, name) DO UPDATE SET joined_at = excluded.joined_at`,
    ).run(exercise, team, name, now.toISOString());
    this.teamRows.delete(exercise);
  }
}
