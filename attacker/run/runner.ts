/**
 * One team's attack: a plan played on the team's own scenario clock. Steps fire when their
 * time comes or their predecessors end; every run of an action becomes an `attack.step` event;
 * waiting steps say what they wait for; stop undoes what the actions left behind.
 *
 * This file is the lifecycle: the status, the clock and its timer, the actions in flight and the
 * events. When each step is due is scheduler.ts's answer (pure); running one is executor.ts's.
 */
import { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import { EnshuError, repoRoot, type GroundTruth } from '../../core/index.js';
import { type Engine } from '../../orchestrator/index.js';
import type {
  AttackControlEvent,
  EnshuEvent,
  EventSink,
  StoredEvent,
  RunnerState,
  RunnerStatus,
  StepState,
  StepStatus,
} from '../../protocol/index.js';
import { cleanC2 } from '../actions/implant.js';
import type { SharedState } from '../actions/types.js';
import { planFor, type Plan } from '../plan/plan.js';
import { groundTruth } from '../plan/truth.js';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioClock, round3 } from './clock.js';
import { StepExecutor, type Cleanup } from './executor.js';
import { RangeView } from './range-view.js';
import { rebuildEffects } from './restore.js';
import { restoreFromLog, SKIPPED_BY_INSTRUCTOR } from './resume.js';
import { Scheduler, settled } from './scheduler.js';

/** The executor's reason for a step whose node stayed down longer than the step's wait (executor.ts nodeDown). */
const NODE_DOWN = /^node \S+ was not running \(/;

/** The range was built from another seed than the exercise's: the plan's facts would not match it. */
export class SeedMismatchError extends EnshuError {
  constructor(
    readonly exerciseSeed: string,
    readonly rangeSeed: string,
    context: { exercise: string; team: string },
  ) {
    super(
      `the range of team ${context.team} in exercise ${context.exercise} was built with seed "${rangeSeed}", but the exercise's seed is "${exerciseSeed}": ` +
        `the scenario's facts (staff, passwords, files) would not match the range; run with seed "${rangeSeed}" or provision the range again`,
      context,
    );
  }
}

export type { RunnerState, RunnerStatus, StepState, StepStatus };

export interface RunnerOptions {
  engine: Engine;
  exercise: string;
  team: string;
  scenario: Scenario;
  seed: string | number;
  sink: EventSink;
  speed?: number;
  /** how long a step waits for its stopped node before it fails (default ENSHU_STEP_NODE_WAIT_S, 10 min) */
  nodeWaitMs?: number;
}

export interface StopResult {
  cleaned: string[];
  errors: string[];
}

export class AttackRunner extends EventEmitter {
  readonly plan: Plan;
  private readonly clock: ScenarioClock;
  private readonly scheduler: Scheduler;
  private readonly executor: StepExecutor;
  private readonly steps = new Map<string, StepState>();
  /** directory of the scenario file, for relative paths (atomic files) */
  private readonly baseDir: string;
  private status: RunnerStatus = 'idle';
  private range: RangeView | undefined;
  private readonly shared: SharedState = { implants: new Map(), c2: new Map(), implantIds: new Set() };
  private readonly captured: Record<string, string> = {};
  private readonly cleanups: Cleanup[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private sinkChain: Promise<unknown> = Promise.resolve();
  private finished!: Promise<void>;
  private resolveFinished!: () => void;

  constructor(private readonly opts: RunnerOptions) {
    super();
    this.plan = planFor(opts.scenario, { exercise: opts.exercise, team: opts.team, seed: opts.seed });
    this.clock = new ScenarioClock(opts.speed ?? 1);
    for (const p of this.plan.steps) {
      this.steps.set(p.id, {
        id: p.id,
        technique: p.technique,
        tactic: p.tactic,
        node: p.node,
        kind: p.kind,
        status: 'pending',
        plannedOffset: p.plannedOffset,
        branchTaken: false,
        skippedByInstructor: false,
        runs: 0,
      });
    }
    this.scheduler = new Scheduler(this.plan);
    this.baseDir = opts.scenario.file ? dirname(opts.scenario.file) : repoRoot;
    this.executor = new StepExecutor({
      plan: this.plan,
      steps: this.steps,
      shared: this.shared,
      captured: this.captured,
      cleanups: this.cleanups,
      baseDir: this.baseDir,
      ...(opts.nodeWaitMs !== undefined ? { nodeWaitMs: opts.nodeWaitMs } : {}),
      signal: this.abort.signal,
      clock: () => this.clock.elapsed(),
      suspended: () => this.status === 'suspended',
      record: (event) => this.append(event),
      changed: () => this.emitState(),
    });
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  get exercise(): string {
    return this.opts.exercise;
  }

  get team(): string {
    return this.opts.team;
  }

  /** Resolves the team's range (nothing outside it is ever touched) and starts the clock. */
  async start(): Promise<void> {
    await this.attach();
    this.status = 'running';
    this.clock.start();
    this.control('attack.started');
    this.tick();
  }

  /** The team's range, refused when it is missing or was built from another seed. */
  private async attach(): Promise<void> {
    if (this.status !== 'idle')
      throw new EnshuError(`the attack on ${this.team} is already ${this.status}`, {
        exercise: this.exercise,
        team: this.team,
      });
    const range = (await RangeView.resolve(this.opts.engine, this.exercise, this.team)).withAliases(this.plan.nodes);
    if (range.nodeNames().length === 0) {
      throw new EnshuError(`team ${this.team} of exercise ${this.exercise} has no running range`, {
        exercise: this.exercise,
        team: this.team,
      });
    }
    if (range.seed !== undefined && range.seed !== this.plan.seed) {
      throw new SeedMismatchError(this.plan.seed, range.seed, { exercise: this.exercise, team: this.team });
    }
    this.range = range;
  }

  /**
   * Continues an attack a previous server started, from its team's event log: finished steps
   * keep their outcome and are not run again (their implants and cleanups are taken over), the
   * clock goes on from the scenario time already elapsed (the downtime does not count), and
   * steps that were due but have no outcome — in flight when the server went away — run again:
   * an action half done is worth less to the exercise than the attack it belongs to, and every
   * action is written to be run again (replay). Records `attack.restored`.
   * `lastSeen`: the newest time of the exercise's log, for a server that died without a clean shutdown.
   */
  async restore(
    history: readonly (EnshuEvent | StoredEvent)[],
    o: { lastSeen?: string } = {},
  ): Promise<{ rerun: string[] }> {
    const r = restoreFromLog(this.plan, history, o.lastSeen);
    if (!r) {
      await this.start();
      return { rerun: [] };
    }
    await this.attach();
    for (const [id, rs] of r.steps) {
      const s = this.steps.get(id)!;
      Object.assign(s, { ...rs, waitingFor: undefined });
      if (rs.reason === undefined) delete s.reason;
    }
    Object.assign(this.captured, r.captured);
    this.clock.seek(r.clock);
    this.clock.setSpeed(r.speed);
    if (r.status === 'stopped') {
      // nothing left to do: the attack was stopped before the restart (its cleanup ran then)
      this.status = r.status;
      this.emitState();
      this.resolveFinished();
      return { rerun: [] };
    }
    const lost = await rebuildEffects({
      plan: this.plan,
      range: this.range!,
      shared: this.shared,
      scope: this.executor.scope(this.range),
      steps: this.steps,
      cleanups: this.cleanups,
      baseDir: this.baseDir,
    });
    if (r.status === 'finished') {
      // a finished attack left its traces for the teams: its implants and cleanups are taken over
      // (a replay finds the implants, `end` removes them), nothing runs again
      this.status = 'finished';
      this.emitState();
      this.resolveFinished();
      return { rerun: [] };
    }
    const rerun = this.scheduler.overdue(this.steps, r.clock);
    this.status = r.status;
    if (this.status === 'running') this.clock.start();
    this.control('attack.restored', {
      status: this.status,
      cut: r.cut,
      finished: [...r.steps.keys()],
      rerun,
      ...(lost.length ? { cleanupNotRestored: lost } : {}),
    });
    this.tick();
    return { rerun };
  }

  /**
   * The server is shutting down: the clock stops where it is and `attack.suspended` records it;
   * actions in flight are told to stop and their results are dropped (a restart runs them again).
   * Nothing is cleaned up: the range keeps the attack's traces for the teams.
   */
  async suspend(graceMs = 3000): Promise<void> {
    if (this.status !== 'running' && this.status !== 'paused') return;
    const was = this.status;
    this.clock.pause();
    if (this.timer) clearTimeout(this.timer);
    this.status = 'suspended';
    const inFlight = [...this.steps.values()].filter((s) => s.status === 'running').map((s) => s.id);
    this.control('attack.suspended', { status: was, inFlight });
    this.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    await this.sinkChain;
    this.emitState();
    this.resolveFinished();
  }

  pause(): void {
    if (this.status !== 'running') return;
    this.clock.pause();
    this.status = 'paused';
    this.control('attack.paused');
    this.tick();
  }

  resume(): void {
    if (this.status !== 'paused') return;
    this.clock.start();
    this.status = 'running';
    this.control('attack.resumed');
    this.tick();
  }

  setSpeed(x: number): void {
    const before = this.clock.speed;
    this.clock.setSpeed(x);
    // a restarted server rebuilds the clock from the log: a speed change must be in it
    if (x !== before && (this.status === 'running' || this.status === 'paused')) this.control('attack.speed');
    this.tick();
  }

  /** Instructor: do not run this step; what waits for it goes on without it. */
  skip(stepId: string): void {
    const s = this.step(stepId);
    if (s.status !== 'pending' && s.status !== 'waiting') {
      throw new EnshuError(`step ${stepId} is ${s.status}; only a step that has not run can be skipped`, {
        team: this.team,
        step: stepId,
      });
    }
    s.skippedByInstructor = true;
    this.resolveWithoutRunning(s, SKIPPED_BY_INSTRUCTOR);
  }

  /**
   * The range came back (a reset, the engine watch): steps that failed only because their node was
   * down longer than the wait, and what was resolved without running because of them, are open again
   * and run as the plan times them. Returns the reopened step ids (none: nothing changes).
   */
  reopenNodeFailures(why: string): string[] {
    if (this.status !== 'running' && this.status !== 'paused' && this.status !== 'finished') return [];
    const open = new Set(
      [...this.steps.values()].filter((s) => s.status === 'failed' && NODE_DOWN.test(s.reason ?? '')).map((s) => s.id),
    );
    if (!open.size) return [];
    // what never ran because a reopened step failed waits for it again, transitively
    for (let grew = true; grew;) {
      grew = false;
      for (const p of this.plan.steps) {
        const s = this.steps.get(p.id)!;
        if (open.has(p.id) || s.status !== 'skipped' || !/^not run: /.test(s.reason ?? '')) continue;
        if (p.after.some((a) => open.has(a))) {
          open.add(p.id);
          grew = true;
        }
      }
    }
    const ids = this.plan.steps.map((p) => p.id).filter((id) => open.has(id));
    for (const id of ids) {
      const s = this.steps.get(id)!;
      s.status = 'pending';
      for (const k of ['reason', 'evidence', 'startedAt', 'endedAt', 'endClock', 'dueAt', 'waitingFor'] as const)
        delete s[k];
    }
    this.control('attack.reopened', { steps: ids, why });
    if (this.status === 'finished') {
      this.status = 'running';
      // done() waits for this attack's new end, not the one it already reached
      this.finished = new Promise((r) => (this.resolveFinished = r));
      this.clock.start();
    }
    this.emitState();
    this.tick();
    return ids;
  }

  /** Instructor: run this step's action again now, whatever its state. */
  replay(stepId: string): Promise<void> {
    const s = this.step(stepId);
    if (this.status === 'stopping' || this.status === 'stopped' || this.status === 'idle') {
      throw new EnshuError(`cannot replay ${stepId}: the attack is ${this.status}`, { team: this.team, step: stepId });
    }
    if (s.status === 'running') throw new EnshuError(`step ${stepId} is running`, { team: this.team, step: stepId });
    return this.track(this.executor.run(s, this.range!, { replay: true }));
  }

  /** Stops the clock, lets running actions end, then undoes everything in reverse order. */
  async stop(): Promise<StopResult> {
    if (this.status === 'stopped' || this.status === 'stopping') {
      await this.finished;
      return { cleaned: [], errors: [] };
    }
    const wasIdle = this.status === 'idle';
    this.status = 'stopping';
    this.clock.pause();
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
    const result: StopResult = { cleaned: [], errors: [] };
    for (const s of this.steps.values()) {
      if (!wasIdle && (s.status === 'pending' || s.status === 'waiting'))
        this.resolveWithoutRunning(s, 'the attack was stopped before this step ran');
    }
    while (this.cleanups.length) {
      const c = this.cleanups.pop()!;
      try {
        await c.run();
        result.cleaned.push(c.label);
      } catch (err) {
        result.errors.push(`${c.label}: ${(err as Error).message}`);
      }
    }
    // C2 listeners that no implant's cleanup took down (e.g. started for an exfiltration only)
    for (const node of new Set([...this.shared.c2.keys()].map((k) => k.split(':')[0]!))) {
      try {
        await cleanC2(this.range!, this.shared, node, [...this.shared.implantIds]);
        result.cleaned.push(`C2 on ${node}`);
      } catch (err) {
        result.errors.push(`C2 on ${node}: ${(err as Error).message}`);
      }
    }
    this.status = 'stopped';
    if (!wasIdle) this.control('attack.stopped');
    await this.sinkChain;
    this.emitState();
    this.resolveFinished();
    return result;
  }

  /** Resolves when every step has an outcome, or the attack is stopped or suspended. */
  done(): Promise<void> {
    return this.finished;
  }

  state(): RunnerState {
    return {
      exercise: this.exercise,
      team: this.team,
      scenario: this.plan.scenario,
      seed: this.plan.seed,
      status: this.status,
      clock: round3(this.clock.elapsed()),
      speed: this.clock.speed,
      steps: [...this.steps.values()].map((s) => ({ ...s })),
      cleanups: this.cleanups.length,
    };
  }

  /** Ground truth with this team's real addresses and what the attack captured so far. */
  groundTruth(): GroundTruth {
    return groundTruth(this.opts.scenario, {
      exercise: this.exercise,
      team: this.team,
      seed: this.opts.seed,
      captured: this.captured,
      ...(this.range ? { ips: this.range.ipMap() } : {}),
    });
  }

  // ---- scheduling ----

  private step(id: string): StepState {
    const s = this.steps.get(id);
    if (!s)
      throw new EnshuError(
        `no step "${id}" in scenario ${this.plan.scenario} (steps: ${[...this.steps.keys()].join(', ')})`,
        { team: this.team, step: id },
      );
    return s;
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => {
      this.inFlight.delete(p);
      this.tick();
    });
  }

  /** Applies the scheduler's pass: fires what is due, resolves what never will run, re-arms the timer. */
  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.status !== 'running' && this.status !== 'paused') return;
    const now = this.clock.elapsed();
    const pass = this.scheduler.pass(this.steps, { now, paused: this.status === 'paused' });
    for (const st of pass.steps) {
      const s = this.steps.get(st.id)!;
      switch (st.kind) {
        case 'never':
          // stamped with the pass's reading, as the pass assumed for the steps after it
          this.resolveWithoutRunning(s, st.reason, now);
          break;
        case 'blocked':
          s.status = 'waiting';
          s.waitingFor = st.why;
          break;
        case 'later': {
          const before = s.waitingFor;
          s.dueAt = st.due;
          s.status = 'waiting';
          s.waitingFor = st.why;
          // passes may come every few milliseconds near a due time: a 'state' event only for a new text
          if (before !== s.waitingFor) this.emitState();
          break;
        }
        case 'due':
          s.dueAt = st.due;
          // status read again: a 'state' listener may have paused the attack during this pass
          if (this.status === 'running') void this.track(this.executor.run(s, this.range!, { replay: false }));
          break;
      }
    }
    if (settled(this.steps.values()) && this.inFlight.size === 0 && this.status === 'running') {
      this.status = 'finished';
      this.clock.pause();
      this.control('attack.finished');
      this.emitState();
      void this.sinkChain.then(() => this.resolveFinished());
      return;
    }
    const nextWake = pass.nextDue === undefined ? Infinity : this.clock.wallMsUntil(pass.nextDue);
    // re-check at least once a second so waiting texts and clock stay fresh
    if (this.status === 'running') this.timer = setTimeout(() => this.tick(), Math.max(10, Math.min(1000, nextWake)));
  }

  private resolveWithoutRunning(s: StepState, reason: string, clock?: number): void {
    this.executor.resolveWithoutRunning(s, reason, clock);
    // what waited for this step may go on now
    queueMicrotask(() => this.tick());
  }

  // ---- events ----

  private control(type: AttackControlEvent['type'], detail?: Record<string, unknown>): void {
    this.append({
      type,
      exercise: this.exercise,
      team: this.team,
      at: new Date().toISOString(),
      scenario: this.plan.scenario,
      speed: this.clock.speed,
      clock: round3(this.clock.elapsed()),
      ...(detail ? { detail } : {}),
    });
  }

  private append(event: EnshuEvent): void {
    this.emit('event', event);
    this.sinkChain = this.sinkChain
      .then(() => this.opts.sink.append(event))
      .catch((err) => this.emit('error-event', err));
  }

  private emitState(): void {
    this.emit('state', this.state());
  }
}
