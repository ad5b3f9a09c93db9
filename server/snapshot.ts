import type { z } from 'zod';
import type { SnapshotSchema } from '../protocol/index.js';
import type { Principal } from './store/index.js';
import {
  eventsFor,
  exerciseFor,
  freezeAt,
  isTrainee,
  scoresFor,
  teamsFor,
  traineeSnapshot,
  type Views,
} from './visibility/index.js';

export type { Views };
export { freezeAt };

/** Scores a principal may see (server/visibility): staff all, trainees their own (and the ranking if shown). */
export const visibleScores = scoresFor;

/** What a room's join acknowledges and a team's REST snapshot answers. */
export type SnapshotAnswer = z.infer<typeof SnapshotSchema>;

/** A room's snapshot as `p` may see it: trainees get the trainee projection, staff the whole room. */
export function snapshot(v: Views, p: Principal, exercise: string, team: string | null): SnapshotAnswer {
  if (isTrainee(p)) return traineeSnapshot(v, p, exercise);
  const x = v.store.exercises.get(exercise);
  const { scores, frozenAt } = scoresFor(v, p, exercise);
  return {
    exercise: exerciseFor(p, x),
    team,
    teams: teamsFor(p, v.store.exercises.teams(exercise)),
    events: eventsFor(v, p, exercise, v.scores.log(exercise), team),
    scores,
    runners: v.service.runnerStates(exercise),
    ...(frozenAt ? { frozenAt } : {}),
  };
}
