import type { z } from 'zod';
import type { StoredEvent, SnapshotSchema } from '../protocol/index.js';
import type { Principal, Store } from './store/index.js';
import type { ExerciseService } from './exercises/index.js';
import type { ScoringPort, TeamScore } from './ports.js';
import type { ScoreService } from './scores.js';

export interface Views {
  store: Store;
  service: ExerciseService;
  scores: ScoreService;
  scoring?: ScoringPort;
}

/** The moment from which trainees see frozen scores, if the course freezes them and the end is scheduled. */
export function freezeAt(v: Views, exercise: string): Date | undefined {
  const x = v.store.exercises.get(exercise);
  const at = v.scoring?.freezeAt(v.scores.log(exercise), x.course, x.schedule.end);
  return at ? new Date(at) : undefined;
}

/** Scores a principal may see: staff all; trainees their own team, plus the ranking if the course shows it. */
export function visibleScores(v: Views, p: Principal, exercise: string): { scores: TeamScore[]; frozenAt?: string } {
  if (p.role !== 'trainee') return { scores: v.scores.scores(exercise) };
  const x = v.store.exercises.get(exercise);
  const freeze = freezeAt(v, exercise);
  const frozen = freeze && v.service.now() >= freeze;
  const all = frozen ? v.scores.scoresAt(exercise, freeze) : v.scores.scores(exercise);
  const ranking = v.scoring?.visibility(x.course).traineesSeeRanking ?? false;
  const scores = all
    .filter((s) => ranking || s.team === p.team)
    .map((s) =>
      s.team === p.team ? s : { team: s.team, total: s.total, phases: s.phases, ...(s.rank ? { rank: s.rank } : {}) },
    )
    .sort((a, b) => Number(b.team === p.team) - Number(a.team === p.team));
  return { scores, ...(frozen ? { frozenAt: freeze.toISOString() } : {}) };
}

export function teamEvents(events: readonly StoredEvent[], team: string | null): StoredEvent[] {
  // exercise-wide events (state changes) are everyone's; team events only the team's
  return events.filter((e) => !('team' in e) || team === null || e.team === team);
}

/** What a room's join acknowledges and a team's REST snapshot answers. */
export type SnapshotAnswer = z.infer<typeof SnapshotSchema>;

export function snapshot(v: Views, p: Principal, exercise: string, team: string | null): SnapshotAnswer {
  const x = v.store.exercises.get(exercise);
  const staff = p.role !== 'trainee';
  const teams = v.store.exercises
    .teams(exercise)
    .filter((t) => staff || t.id === p.team)
    .map(({ joinCode, ...t }) => (staff ? { ...t, joinCode } : t));
  const { scores, frozenAt } = visibleScores(v, p, exercise);
  const runners = v.service.runnerStates(exercise);
  return {
    exercise: x,
    team,
    teams,
    events: teamEvents(v.scores.log(exercise), team),
    scores,
    runners: staff ? runners : Object.fromEntries(Object.entries(runners).filter(([t]) => t === p.team)),
    ...(frozenAt ? { frozenAt } : {}),
  };
}
