/** The server's persistent state: one SQLite file (WAL) holding the event log and exercise records. */
import { openDb, type Db } from './db.js';
import { EventStore } from './events.js';
import { ExerciseRepo } from './exercises.js';
import { AuthRepo } from './auth.js';
import { PastStatsRepo } from './past-stats.js';

export { openDb, schemaVersion, DB_FILE, type Db } from './db.js';
export { EventStore, type EventListener } from './events.js';
export { ExerciseRepo, EXERCISE_STATES, type ExerciseState, type NewExercise } from './exercises.js';
export { type ExerciseRow, type TeamRow, type Schedule } from '../../protocol/index.js';
export {
  AuthRepo,
  hashPassword,
  verifyPassword,
  hashPasswordSync,
  verifyPasswordSync,
  DEMO_PASSWORD,
  MIN_PASSWORD_LENGTH,
  type RevokeListener,
  type Principal,
  type Role,
  type StaffRole,
} from './auth.js';
export { ConflictError, AuthError, ForbiddenError, ValidationError } from './errors.js';
export { MIGRATIONS } from './migrations.js';
export { PastStatsRepo } from './past-stats.js';

export interface Store {
  db: Db;
  events: EventStore;
  exercises: ExerciseRepo;
  auth: AuthRepo;
  /** organizers' figures of past years (imported CSV) */
  pastStats: PastStatsRepo;
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDb(dataDir);
  return {
    db,
    events: new EventStore(db),
    exercises: new ExerciseRepo(db),
    auth: new AuthRepo(db),
    pastStats: new PastStatsRepo(db),
    close: () => db.close(),
  };
}
