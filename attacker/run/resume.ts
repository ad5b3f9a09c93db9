/**
 * Where a team's attack stood when its server went away, read back from the event log alone:
 * the scenario clock at the cut (pauses and speed changes respected, the downtime not counted),
 * each finished step's outcome and the scenario time it ended, and the facts steps captured.
 * Pure: no engine, no clock.
 */
import type { AttackControlEvent, AttackStepEvent, EnshuEvent, StoredEvent } from '../../protocol/index.js';
import type { Outcome } from '../actions/types.js';
import type { Plan } from '../plan/plan.js';

export interface RestoredStep {
  status: Outcome;
  reason?: string;
  evidence: string;
  startedAt: string;
  endedAt: string;
  /** scenario seconds when it ended (what steps after it are timed from) */
  endClock: number;
  branchTaken: boolean;
  skippedByInstructor: boolean;
  runs: number;
}

export interface RestoredAttack {
  /** scenario seconds on the team's clock when the attack was cut off */
  clock: number;
  speed: number;
  /** what the attack was doing just before the cut */
  status: 'running' | 'paused' | 'stopped' | 'finished';
  /** how the cut was learnt: a clean shutdown wrote `attack.suspended`; otherwise the log's last moment is taken */
  cut: 'suspended' | 'crash' | 'none';
  steps: Map<string, RestoredStep>;
  captured: Record<string, string>;
}

interface Anchor {
  wall: number;
  clock: number;
  running: boolean;
  speed: number;
}

/** Reasons the runner gives a step it resolves without running its action. */
const NOT_RUN = /^(not run:|branch not taken|skipped by the instructor|the attack was stopped before this step ran)/;
export const SKIPPED_BY_INSTRUCTOR = 'skipped by the instructor';

type Ev = EnshuEvent | StoredEvent;

/**
 * The attack of `plan`'s team as the log tells it, or undefined when it never started.
 * `lastSeen`: the newest time the log shows the server alive (any event of the exercise); a
 * server that died without `attack.suspended` is taken to have died then.
 */
export function restoreFromLog(plan: Plan, events: readonly Ev[], lastSeen?: string): RestoredAttack | undefined {
  const mine = events.filter(
    (e): e is Ev & (AttackControlEvent | AttackStepEvent) =>
      e.type.startsWith('attack.') &&
      'team' in e &&
      e.team === plan.team &&
      e.exercise === plan.exercise &&
      (e as { scenario?: string }).scenario === plan.scenario,
  );
  // a second start (after a stop) begins a new attack: only the last one counts
  const startIdx = mine.map((e) => e.type).lastIndexOf('attack.started');
  if (startIdx < 0) return undefined;
  const run = mine.slice(startIdx);

  const anchors: Anchor[] = [];
  const clockAt = (iso: string): number => {
    const t = Date.parse(iso);
    let a = anchors[0]!;
    for (const x of anchors) if (x.wall <= t) a = x;
    return a.clock + (a.running ? Math.max(0, (t - a.wall) / 1000) * a.speed : 0);
  };
  const last = () => anchors.at(-1)!;
  let status: RestoredAttack['status'] = 'running';
  let cut: RestoredAttack['cut'] = 'none';
  let cutClock: number | undefined;
  const steps = new Map<string, RestoredStep>();
  const captured: Record<string, string> = {};
  const planned = new Map(plan.steps.map((p) => [p.id, p]));

  for (const e of run) {
    const at = Date.parse(e.at);
    if (e.type === 'attack.step') {
      const p = planned.get(e.step);
      if (!p) continue;
      const prev = steps.get(e.step);
      const byInstructor = e.outcome === 'skipped' && e.reason === SKIPPED_BY_INSTRUCTOR;
      const ran = !(e.outcome === 'skipped' && e.reason && NOT_RUN.test(e.reason));
      steps.set(e.step, {
        status: e.outcome,
        ...(e.reason ? { reason: e.reason } : {}),
        evidence: e.evidence,
        startedAt: e.startedAt,
        endedAt: e.endedAt,
        endClock: e.endClock ?? clockAt(e.endedAt),
        // the first run decides the branch (a replay does not change it), as in the runner
        branchTaken: prev ? prev.branchTaken : p.else.length > 0 && e.outcome !== 'succeeded' && !byInstructor,
        skippedByInstructor: (prev?.skippedByInstructor ?? false) || byInstructor,
        runs: (prev?.runs ?? 0) + (ran ? 1 : 0),
      });
      Object.assign(captured, e.captured ?? {});
      continue;
    }
    const speed = e.speed ?? anchors.at(-1)?.speed ?? 1;
    const here = anchors.length ? clockAt(e.at) : 0;
    const clock = e.clock ?? here;
    switch (e.type) {
      case 'attack.started':
        anchors.push({ wall: at, clock: e.clock ?? 0, running: true, speed });
        status = 'running';
        break;
      case 'attack.paused':
        anchors.push({ wall: at, clock, running: false, speed: last().speed });
        status = 'paused';
        break;
      case 'attack.resumed':
        anchors.push({ wall: at, clock, running: true, speed: last().speed });
        status = 'running';
        break;
      case 'attack.speed':
        anchors.push({ wall: at, clock, running: last().running, speed });
        break;
      case 'attack.suspended': {
        const before =
          (e.detail?.status === 'paused' ? 'paused' : e.detail?.status === 'running' ? 'running' : undefined) ??
          (last().running ? 'running' : 'paused');
        anchors.push({ wall: at, clock, running: false, speed: last().speed });
        status = before;
        cut = 'suspended';
        cutClock = clock;
        break;
      }
      case 'attack.restored': {
        const running = e.detail?.status !== 'paused';
        anchors.push({ wall: at, clock, running, speed: e.speed ?? last().speed });
        status = running ? 'running' : 'paused';
        cut = 'none';
        cutClock = undefined;
        break;
      }
      case 'attack.reopened': {
        // the steps run again as if they had not ended; a finished attack goes on
        const ids = Array.isArray(e.detail?.steps) ? (e.detail.steps as string[]) : [];
        for (const id of ids) steps.delete(id);
        if (status === 'finished') {
          anchors.push({ wall: at, clock, running: true, speed: last().speed });
          status = 'running';
        }
        break;
      }
      case 'attack.stopped':
      case 'attack.finished':
        anchors.push({ wall: at, clock, running: false, speed: last().speed });
        status = e.type === 'attack.stopped' ? 'stopped' : 'finished';
        break;
    }
  }

  let clock: number;
  if (cutClock !== undefined) clock = cutClock;
  else if (last().running) {
    // no clean shutdown: the clock ran until the last moment the log shows anyone alive
    const newest = [...run.map((e) => e.at), ...(lastSeen ? [lastSeen] : [])].reduce((a, b) =>
      Date.parse(b) > Date.parse(a) ? b : a,
    );
    clock = clockAt(newest);
    cut = 'crash';
  } else clock = last().clock;
  // a step never ends after the clock that saw it end
  for (const s of steps.values()) clock = Math.max(clock, s.endClock);
  return { clock, speed: last().speed, status, cut, steps, captured };
}
