/**
 * When the steps of one team's attack are due on its scenario clock, and what the others wait
 * for, in words. Pure: it reads the plan, the steps' states and one reading of the clock, and
 * owns no timer, engine or step state, so the runner's tick, the due-time query a restore
 * needs, and the tests all get the same answer from the same function (`timing`).
 */
import type { StepState, StepStatus } from '../../protocol/index.js';
import type { Outcome } from '../actions/types.js';
import type { Plan, PlannedStep } from '../plan/plan.js';
import { formatOffset } from './clock.js';

/** What scheduling reads of a step's state. */
export type StepView = Pick<StepState, 'id' | 'status' | 'branchTaken' | 'skippedByInstructor' | 'endClock' | 'reason'>;

export interface ClockReading {
  /** scenario seconds since start */
  now: number;
  /** nothing fires while paused, and the waiting steps say so */
  paused: boolean;
}

/** Where one step that has not run stands. */
export type Standing =
  /** its time has come: it fires now unless the attack is paused */
  | { id: string; kind: 'due'; due: number }
  /** it waits for its time only */
  | { id: string; kind: 'later'; due: number; why: string }
  /** it waits for other steps; `due` once its time is known and only a condition holds it */
  | { id: string; kind: 'blocked'; why: string; due?: number }
  /** it will never run (a branch not taken, or a predecessor that failed): resolve it as skipped */
  | { id: string; kind: 'never'; reason: string };

export interface Pass {
  /** every step without an outcome, in plan order: the order the runner applies them in */
  steps: Standing[];
  /** the earliest scenario time a step waiting only for its time is due */
  nextDue: number | undefined;
}

type Timing = Exclude<Standing, { kind: 'due' | 'later' }> | { id: string; kind: 'timed'; due: number };
type Effective = { state: 'ok'; endClock: number } | { state: 'pending'; why: string } | { state: 'bad'; why: string };

const RESOLVED: ReadonlySet<StepStatus> = new Set<Outcome>(['succeeded', 'blocked', 'failed', 'skipped']);

export const hasOutcome = (status: StepStatus): boolean => RESOLVED.has(status);

/** Every step has an outcome: nothing is left to schedule. */
export const settled = (steps: Iterable<Pick<StepView, 'status'>>): boolean =>
  [...steps].every((s) => hasOutcome(s.status));

/**
 * Whether a step's else branch runs once it ended with `outcome`. The first end decides, so a
 * replay never changes it; an instructor's skip never takes it, because what waits for a skipped
 * step goes on without it (restoreFromLog reads the log by the same rule).
 */
export function takesElse(
  p: Pick<PlannedStep, 'else'>,
  s: Pick<StepView, 'branchTaken' | 'skippedByInstructor'>,
  end: { outcome: Outcome; replay?: boolean },
): boolean {
  if (s.branchTaken || end.replay) return s.branchTaken;
  return p.else.length > 0 && end.outcome !== 'succeeded' && !s.skippedByInstructor;
}

export class Scheduler {
  private readonly planned: ReadonlyMap<string, PlannedStep>;

  constructor(private readonly plan: Pick<Plan, 'steps'>) {
    this.planned = new Map(plan.steps.map((p) => [p.id, p]));
  }

  /**
   * One look at every step that has not run. The runner applies each standing before the next
   * step is looked at, so a later step sees an earlier one as the runner left it (fired, waiting,
   * or resolved without running); the pass does the same on its own copy to give that answer.
   */
  pass(steps: ReadonlyMap<string, StepView>, clock: ClockReading): Pass {
    const view = new Map(steps);
    const out: Standing[] = [];
    let nextDue: number | undefined;
    for (const p of this.plan.steps) {
      const s = view.get(p.id)!;
      if (s.status !== 'pending' && s.status !== 'waiting') continue;
      const st = this.standing(view, p, clock);
      out.push(st);
      if (st.kind === 'never') {
        view.set(p.id, {
          ...s,
          status: 'skipped',
          reason: st.reason,
          endClock: clock.now,
          branchTaken: takesElse(p, s, { outcome: 'skipped' }),
        });
      } else if (st.kind === 'due') {
        if (!clock.paused) view.set(p.id, { ...s, status: 'running' });
      } else {
        view.set(p.id, { ...s, status: 'waiting' });
        if (st.kind === 'later') nextDue = Math.min(nextDue ?? Infinity, st.due);
      }
    }
    return { steps: out, nextDue };
  }

  /** When a step that has not run is due on the scenario clock, if that is known yet. */
  dueAt(steps: ReadonlyMap<string, StepView>, id: string): number | undefined {
    const t = this.timing(steps, this.step(id));
    return t.kind === 'never' ? undefined : t.due;
  }

  /** Steps with no outcome whose time had come by `clock` (a restored attack runs them again). */
  overdue(steps: ReadonlyMap<string, StepView>, clock: number): string[] {
    return this.plan.steps
      .filter((p) => !hasOutcome(steps.get(p.id)!.status) && (this.dueAt(steps, p.id) ?? Infinity) <= clock)
      .map((p) => p.id);
  }

  private step(id: string): PlannedStep {
    const p = this.planned.get(id);
    if (!p) throw new RangeError(`no step "${id}" in the plan`);
    return p;
  }

  private standing(view: ReadonlyMap<string, StepView>, p: PlannedStep, clock: ClockReading): Standing {
    const t = this.timing(view, p);
    if (t.kind !== 'timed') return t;
    if (clock.now >= t.due) return { id: p.id, kind: 'due', due: t.due };
    const why = clock.paused
      ? `paused; fires at T+${formatOffset(t.due)}`
      : `fires at T+${formatOffset(t.due)} (in ${formatOffset(t.due - clock.now)} scenario time)`;
    return { id: p.id, kind: 'later', due: t.due, why };
  }

  /** Where a step stands apart from the clock: the one computation behind `pass` and `dueAt`. */
  private timing(view: ReadonlyMap<string, StepView>, p: PlannedStep): Timing {
    const id = p.id;
    if (p.branchOf) {
      const parent = view.get(p.branchOf)!;
      if (!hasOutcome(parent.status)) {
        return {
          id,
          kind: 'blocked',
          why: `runs only if ${p.branchOf} is blocked or fails; waits for ${p.branchOf} (${parent.status})`,
        };
      }
      if (!parent.branchTaken) return { id, kind: 'never', reason: `branch not taken: ${p.branchOf} ${parent.status}` };
    }
    let due: number;
    if (p.at !== undefined) {
      due = p.plannedOffset;
    } else {
      let latest = 0;
      let blocker: string | undefined;
      let bad: string | undefined;
      for (const d of p.after) {
        // a fallback is timed from the end of the step it stands in for, whatever that step's outcome
        if (d === p.branchOf) {
          latest = Math.max(latest, view.get(d)!.endClock ?? 0);
          continue;
        }
        const e = this.effective(view, d);
        if (e.state === 'bad') bad = e.why;
        else if (e.state === 'pending') blocker ??= e.why;
        else latest = Math.max(latest, e.endClock);
      }
      if (bad) return { id, kind: 'never', reason: `not run: ${bad}` };
      if (blocker) return { id, kind: 'blocked', why: `waits for ${blocker}` };
      // a negative jitter may pull a step earlier, never before its predecessors end
      due = latest + Math.max(0, p.delay + p.jitter);
    }
    if (p.condition && 'step' in p.condition && !hasOutcome(view.get(p.condition.step)!.status)) {
      return { id, kind: 'blocked', why: `its condition waits for step ${p.condition.step}`, due };
    }
    return { id, kind: 'timed', due };
  }

  /** Whether later steps may go on after `id`: ok, not yet, or no (with why). */
  private effective(view: ReadonlyMap<string, StepView>, id: string): Effective {
    const s = view.get(id)!;
    if (!hasOutcome(s.status)) return { state: 'pending', why: `step ${id} (${s.status})` };
    if (s.status === 'succeeded' || s.skippedByInstructor) return { state: 'ok', endClock: s.endClock ?? 0 };
    const p = this.planned.get(id)!;
    if (s.branchTaken && p.else.length) {
      const branches = p.else.map((e) => ({ e, r: this.effective(view, e) }));
      const ok = branches.flatMap((b) => (b.r.state === 'ok' ? [b.r.endClock] : []));
      if (ok.length) return { state: 'ok', endClock: Math.max(...ok) };
      const pending = branches.find((b) => b.r.state === 'pending');
      if (pending) return { state: 'pending', why: `else branch ${pending.e} of ${id}` };
      return { state: 'bad', why: `step ${id} was ${s.status} and no else branch succeeded` };
    }
    // a reason that only says the step was not run repeats what its own predecessors said
    const cause = s.reason && !s.reason.startsWith('not run:') ? ` (${s.reason})` : '';
    return { state: 'bad', why: `step ${id} was ${s.status}${cause}` };
  }
}
