/**
 * One projection per role, in one place: every payload that leaves the server (REST answers,
 * socket snapshots and deltas, exports) goes through one of these functions with the principal
 * it is for. Instructors see everything; organizers everything but join codes (they do not act
 * as teams); trainees an allow-list built by `trainee.ts`.
 */
import type {
  ExerciseRow,
  ExerciseView,
  ReportDeadlines,
  ScoreDelta,
  StepHints,
  StoredEvent,
  TeamRow,
  TeamTimeline,
  TeamView,
  TraineeSnapshot,
} from '../../protocol/index.js';
import type { Principal, Store } from '../store/index.js';
import type { ExerciseService } from '../exercises/index.js';
import type { ScoringPort, TeamScore } from '../ports.js';
import type { ScoreService } from '../scores.js';
import { ForbiddenError } from '../store/index.js';
import {
  DEFAULT_COURSE_VISIBILITY,
  heldHints,
  ownSubmissions,
  reachedSteps,
  reportDeadlines,
  stepOfRef,
  stepRef,
  traineeDelta,
  traineeEvent,
  traineeEvents,
  traineeExercise,
  traineeHints,
  traineeScores,
  traineeTeam,
  traineeTimeline,
  type CourseVisibility,
} from './trainee.js';

/** What the projections read: the store, the exercise service (ground truth, runners), the scores. */
export interface Views {
  store: Store;
  service: ExerciseService;
  scores: ScoreService;
  scoring?: ScoringPort;
}

export const isTrainee = (p: Principal): p is Principal & { role: 'trainee'; exercise: string; team: string } =>
  p.role === 'trainee';

/** The course's visibility rules (a server without scoring rules shows trainees the least). */
export function courseVisibility(v: Views, course: string): CourseVisibility {
  return { ...DEFAULT_COURSE_VISIBILITY, ...(v.scoring?.visibility(course) ?? {}) };
}

/** The moment from which trainees see frozen scores, if the course freezes them and the end is scheduled. */
export function freezeAt(v: Views, exercise: string): Date | undefined {
  const x = v.store.exercises.get(exercise);
  const at = v.scoring?.freezeAt(v.scores.typeLog(exercise, 'score.frozen'), x.course, x.schedule.end);
  return at ? new Date(at) : undefined;
}

/** The trainee's opaque step names for `exercise`/`team`. */
export function refs(v: Views, exercise: string, team: string): (step: string) => string {
  const seed = v.store.exercises.get(exercise).seed;
  return (step) => stepRef(seed, exercise, team, step);
}

export function exerciseFor(p: Principal, x: ExerciseRow): ExerciseView {
  return isTrainee(p) ? traineeExercise(x) : x;
}

/** Teams as `p` may see them: instructors with join codes, organizers without, trainees their own team. */
export function teamsFor(p: Principal, teams: readonly TeamRow[]): TeamView[] {
  if (isTrainee(p)) return teams.filter((t) => t.id === p.team).map(traineeTeam);
  if (p.role === 'instructor') return teams.map((t) => ({ ...t, members: [...t.members] }));
  return teams.map((t) => ({ exercise: t.exercise, id: t.id, name: t.name, members: [...t.members] }));
}

/** The log as `p` may read it (staff: all of it, or one team's and the exercise-wide events). */
export function eventsFor(
  v: Views,
  p: Principal,
  exercise: string,
  events: readonly StoredEvent[],
  team: string | null,
) {
  if (isTrainee(p)) return traineeEvents(events, p.team, refs(v, exercise, p.team));
  return events.filter((e) => !('team' in e) || team === null || e.team === team);
}

/** One new event as `p` receives it live; undefined: not for them. */
export function eventFor(v: Views, p: Principal, e: StoredEvent): StoredEvent | undefined {
  if (!isTrainee(p)) return e;
  if (p.exercise !== e.exercise) return undefined;
  return traineeEvent(e, p.team, refs(v, e.exercise, p.team));
}

/** Scores a principal may see: staff all; trainees their own team, plus the ranking if the course shows it. */
export function scoresFor(v: Views, p: Principal, exercise: string): { scores: TeamScore[]; frozenAt?: string } {
  if (!isTrainee(p)) return { scores: v.scores.scores(exercise) };
  const x = v.store.exercises.get(exercise);
  const freeze = freezeAt(v, exercise);
  const frozen = freeze && v.service.now() >= freeze;
  const all = frozen ? v.scores.scoresAt(exercise, freeze) : v.scores.scores(exercise);
  const { traineesSeeRanking } = courseVisibility(v, x.course);
  const own = ownSubmissions(v.scores.teamLog(exercise, p.team), p.team);
  return {
    scores: traineeScores(all, p.team, traineesSeeRanking, own),
    ...(frozen ? { frozenAt: freeze.toISOString() } : {}),
  };
}

/** A score delta as `p` receives it; undefined: not for them (another team, or the trainees' freeze is on). */
export function deltaFor(v: Views, p: Principal, d: ScoreDelta): ScoreDelta | undefined {
  if (!isTrainee(p)) return d;
  if (p.exercise !== d.exercise || p.team !== d.team) return undefined;
  const freeze = freezeAt(v, d.exercise);
  if (freeze && v.service.now() >= freeze) return undefined;
  const x = v.store.exercises.get(d.exercise);
  return traineeDelta(
    d,
    courseVisibility(v, x.course).traineesSeeRanking,
    // only a breakdown needs the team's own submissions (a batch's summary has none)
    Array.isArray(d.score.detail) ? ownSubmissions(v.scores.teamLog(d.exercise, p.team), p.team) : new Map(),
  );
}

/** A team's report deadlines from the log (`upTo`: only the events it keeps). */
export function deadlinesOf(
  v: Views,
  exercise: string,
  team: string,
  upTo?: (e: StoredEvent) => boolean,
): ReportDeadlines {
  // the scores' running fold has them at once: counting over the whole log costs a fold of it
  const folded = upTo ? undefined : v.scores.deadlines(exercise, team, v.service.now());
  if (folded) return folded;
  const x = v.store.exercises.get(exercise);
  const log = v.scores.log(exercise);
  // the scoring's own deadlines (exercise clock, #14/#15) where the port offers them
  if (v.scoring?.deadlines)
    return v.scoring.deadlines(upTo ? log.filter(upTo) : log, {
      course: x.course,
      team,
      truths: v.service.truths(exercise),
      now: v.service.now(),
    });
  return reportDeadlines(
    upTo ? log.filter(upTo) : log,
    team,
    v.service.truths(exercise).get(team),
    courseVisibility(v, x.course),
  );
}

/** A trainee's snapshot of their team: every field built by the trainee projection. */
export function traineeSnapshot(v: Views, p: Principal & { team: string }, exercise: string): TraineeSnapshot {
  const x = v.store.exercises.get(exercise);
  const { scores, frozenAt } = scoresFor(v, p, exercise);
  return {
    exercise: traineeExercise(x),
    team: p.team,
    teams: v.store.exercises
      .teams(exercise)
      .filter((t) => t.id === p.team)
      .map(traineeTeam),
    events: traineeEvents(v.scores.log(exercise), p.team, refs(v, exercise, p.team)),
    scores,
    deadlines: deadlinesOf(v, exercise, p.team),
    ...(frozenAt ? { frozenAt } : {}),
  };
}

/** The scenario's hints for a team as `p` may see them (staff: every step, every text). */
export function hintsFor(v: Views, p: Principal, exercise: string, team: string): StepHints[] {
  const log = v.scores.log(exercise);
  const truth = v.service.truths(exercise).get(team);
  if (isTrainee(p)) return traineeHints(truth, log, team, refs(v, exercise, team));
  const got = heldHints(log, team);
  return (truth?.steps ?? []).map((s) => ({
    step: s.id,
    title: s.title,
    technique: s.technique,
    hints: s.hints.map((h) => {
      const g = got.get(`${s.id}\n${h.id}`);
      return { id: h.id, cost: h.cost, ...(g ? { got: g } : {}), text: h.text };
    }),
  }));
}

/**
 * The step a trainee's hint purchase names: their opaque reference (or, for staff, the step id),
 * refused with 403 unless the team's attack has reached that step. An unknown hint (404) or one
 * the team holds (409) is the exercise service's to refuse; its errors name no step.
 */
export function hintStepFor(v: Views, p: Principal, exercise: string, team: string, step: string): string {
  if (!isTrainee(p)) return step;
  const truth = v.service.truths(exercise).get(team);
  const id = stepOfRef(v.store.exercises.get(exercise).seed, exercise, team, truth, step);
  if (!id || !reachedSteps(v.scores.log(exercise), team).has(id))
    throw new ForbiddenError('no such hint for your team yet', { exercise, team });
  return id;
}

/**
 * The after-action timeline as `p` may read it: staff always; trainees their own lanes while the
 * exercise runs, the whole timeline once it ended if the course opens it (`afterActionForTrainees`).
 */
export function timelineFor(v: Views, p: Principal, exercise: string, timeline: TeamTimeline): TeamTimeline {
  if (!isTrainee(p)) return timeline;
  const x = v.store.exercises.get(exercise);
  const over = x.state === 'ended' || x.state === 'archived';
  if (over && courseVisibility(v, x.course).afterActionForTrainees) return timeline;
  return traineeTimeline(timeline, v.scores.log(exercise), p.team);
}
