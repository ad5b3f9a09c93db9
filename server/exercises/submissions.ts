/**
 * What teams hand in and what the instructor hands out: findings, response actions, reports,
 * recoveries, hints (bought or released) and report grades. Each is one event in the log; the
 * scoring rules fold them. The checks here are the ones the log cannot express: the exercise
 * must be open, the hint must exist, a hint is held once, a graded report must exist.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../core/index.js';
import type { EnshuEvent, StoredEvent } from '../../protocol/index.js';
import { ConflictError, type Principal } from '../store/index.js';
import type { ExerciseContext } from './context.js';
import type { TruthCache } from './truths.js';

export type SubmissionBody =
  | { type: 'finding.submitted'; indicatorType?: string; value?: string; technique?: string; text: string }
  | { type: 'action.submitted'; node?: string; what: string }
  | { type: 'report.submitted'; kind: string; language: string; fields: Record<string, string> }
  | { type: 'recovery.declared'; what: string };

export class Submissions {
  constructor(
    private readonly c: ExerciseContext,
    private readonly truths: TruthCache,
  ) {}

  /** Submissions are accepted while the exercise runs or is paused; the log is closed after it ends. */
  private open(exercise: string, team: string): void {
    const x = this.c.store.exercises.get(exercise);
    this.c.store.exercises.team(exercise, team);
    if (x.state !== 'running' && x.state !== 'paused') {
      throw new ConflictError(
        `exercise ${exercise} is ${x.state}; submissions are accepted while it is running or paused`,
        { exercise, team },
      );
    }
  }

  submit(exercise: string, team: string, p: Principal, body: SubmissionBody): StoredEvent {
    this.open(exercise, team);
    return this.c.append({ ...body, exercise, team, at: this.c.at(), id: randomUUID(), by: p.subject } as EnshuEvent);
  }

  private hintOf(exercise: string, team: string, step: string, hint: string) {
    const s = this.truths
      .truths(exercise)
      .get(team)
      ?.steps.find((x) => x.id === step);
    const h = s?.hints.find((x) => x.id === hint);
    // the message names neither step nor hint: a trainee's request must not learn what exists
    if (!h) throw new NotFoundError('no such hint', { exercise, team });
    return h;
  }

  releaseHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    this.hintOf(exercise, team, step, hint);
    return this.c.append({ type: 'hint.released', exercise, team, at: this.c.at(), step, hint, cost: 0 });
  }

  buyHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    this.open(exercise, team);
    const h = this.hintOf(exercise, team, step, hint);
    const had = this.c.store.events
      .list(exercise)
      .some(
        (e) =>
          (e.type === 'hint.bought' || e.type === 'hint.released') &&
          e.team === team &&
          e.hint === hint &&
          e.step === step,
      );
    if (had) throw new ConflictError(`team ${team} already has this hint`, { exercise, team });
    return this.c.append({ type: 'hint.bought', exercise, team, at: this.c.at(), step, hint, cost: h.cost });
  }

  grade(exercise: string, team: string, report: string, by: string, grade: number, comment: string): StoredEvent {
    this.c.store.exercises.team(exercise, team);
    const found = this.c.store.events
      .list(exercise)
      .some((e) => e.type === 'report.submitted' && e.team === team && e.id === report);
    if (!found) throw new NotFoundError(`team ${team} has no report ${report}`, { exercise, team });
    return this.c.append({ type: 'report.graded', exercise, team, at: this.c.at(), report, by, grade, comment });
  }
}
