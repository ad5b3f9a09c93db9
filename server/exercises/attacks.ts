/**
 * The attack runtime of running exercises: one pseudo-attacker per team and the checker, kept in
 * memory while the exercise runs. Their events go straight to the store; their state changes go
 * to the hooks. After a server restart they are rebuilt from the log (`start` with its history).
 */
import { describeError } from '../../core/index.js';
import type { RunnerState, StoredEvent } from '../../protocol/index.js';
import { Checker, NoticeWatcher, knownChecks, stepsDone } from '../checker/index.js';
import { ConflictError, type ExerciseRow } from '../store/index.js';
import type { AttackRunnerLike } from '../ports.js';
import type { ExerciseContext } from './context.js';
import type { TruthCache } from './truths.js';

export interface Runtime {
  runners: Map<string, AttackRunnerLike>;
  checker?: Checker;
  /** the teams' public notices on their web sites (#14) */
  notice?: NoticeWatcher;
}

export class AttackRuntime {
  private readonly runtimes = new Map<string, Runtime>();

  constructor(
    private readonly c: ExerciseContext,
    private readonly truths: TruthCache,
  ) {}

  /** Starts the exercise's runners and checker; with `history` (a restart) runners resume their team's attack. */
  start(x: ExerciseRow, history: StoredEvent[] = []): void {
    if (this.runtimes.has(x.id)) return;
    const rt: Runtime = { runners: new Map() };
    this.runtimes.set(x.id, rt);
    const truths = this.truths.truths(x.id);
    const { engine, attack, store } = this.c;
    if (engine && attack?.runner) {
      // after a restart, a team whose attack had started continues it from its log (AttackRunner.restore)
      const started = new Set(
        history.filter((e) => e.type === 'attack.started').map((e) => (e as { team: string }).team),
      );
      const lastSeen = history.at(-1)?.at;
      for (const t of store.exercises.teams(x.id)) {
        const resume = started.has(t.id);
        const runner = this.newRunner(x, t.id);
        // a runner that cannot resume leaves the team's started attack alone rather than replay it from zero
        if (resume && !runner.restore) continue;
        rt.runners.set(t.id, runner);
        const teamLog = history.filter((e) => 'team' in e && e.team === t.id);
        void this.launch(x.id, t.id, runner, () =>
          resume ? runner.restore!(teamLog, { ...(lastSeen ? { lastSeen } : {}) }) : runner.start(),
        );
      }
    }
    if (engine && truths.size) {
      // the steps that succeeded so far, read on from the log once per check round
      const done = stepsDone(history);
      let seen = history.at(-1)?.seq ?? 0;
      const steps = () => {
        for (const e of store.events.list(x.id, seen)) {
          seen = e.seq;
          stepsDone([e], done);
        }
        return done;
      };
      rt.checker = new Checker({
        // a step's checks wait until the step succeeded in the log: the pseudo-attacker's, or one an
        // instructor's drill injected; before that a check says nothing, so no state the range was
        // built in earns a point
        stepsDone: steps,
        engine,
        exercise: x.id,
        truths,
        sink: store.events,
        now: this.c.now,
        known: knownChecks(history),
        ...(this.c.checkIntervalMs ? { intervalMs: this.c.checkIntervalMs } : {}),
        ...(this.c.checkMode ? { mode: this.c.checkMode } : {}),
      });
      rt.checker.start();
    }
    if (engine) {
      rt.notice = new NoticeWatcher({
        engine,
        exercise: x.id,
        sink: store.events,
        events: () => store.events.list(x.id),
        now: this.c.now,
        // a minute in a course; tests that check faster look at the notice every 5 s or slower
        intervalMs: this.c.checkIntervalMs ? Math.max(this.c.checkIntervalMs, 5_000) : 60_000,
      });
      rt.notice.start();
    }
  }

  /** The exercise ended: runners stop (and clean up after themselves), the checker stops. */
  async stop(exercise: string): Promise<void> {
    const rt = this.runtimes.get(exercise);
    if (!rt) return;
    this.runtimes.delete(exercise);
    for (const r of rt.runners.values()) await r.stop();
    await rt.checker?.stop();
    await rt.notice?.stop();
  }

  /** The team's range changed under it (reset, outage): the checker takes every value again. */
  rebaseline(exercise: string, team: string): void {
    this.runtimes.get(exercise)?.checker?.forget(team);
  }

  /**
   * The team's range is back (a reset, the engine watch): steps that failed only because their node
   * was down too long run again, with what waited for them (`attack.reopened` says which).
   */
  reopen(exercise: string, team: string, why: string): string[] {
    const r = this.runtimes.get(exercise)?.runners.get(team);
    return r?.reopenNodeFailures?.(why) ?? [];
  }

  /**
   * Instructor: the team's attack starts again from its beginning. The old attack is stopped and its
   * traces undone (`attack.restart`, then `attack.stopped`; no check result earns meanwhile), then a
   * new one starts at scenario time 0 (`attack.started`).
   */
  async restartTeam(exercise: string, team: string, by = 'instructor'): Promise<RunnerState> {
    this.c.store.exercises.team(exercise, team);
    const x = this.c.store.exercises.get(exercise);
    const rt = this.runtimes.get(exercise);
    const old = this.runner(exercise, team);
    if (this.restarting.has(`${exercise}/${team}`))
      throw new ConflictError(`the attack of ${team} is already restarting`, { exercise, team });
    this.restarting.add(`${exercise}/${team}`);
    try {
      this.c.append({ type: 'attack.restart', exercise, team, at: this.c.at(), scenario: x.scenario, detail: { by } });
      // the old runner stays the team's until it has stopped: if its stop fails, the team keeps an
      // attack the console can still see and control, rather than none until the next start
      await old.stop();
      rt!.runners.delete(team);
      const runner = this.newRunner(x, team);
      rt!.runners.set(team, runner);
      this.rebaseline(exercise, team);
      await this.launch(exercise, team, runner, () => runner.start());
      return runner.state();
    } finally {
      this.restarting.delete(`${exercise}/${team}`);
    }
  }

  private readonly restarting = new Set<string>();

  private newRunner(x: ExerciseRow, team: string): AttackRunnerLike {
    const { engine, attack, store, hooks } = this.c;
    const runner = attack!.runner!({
      engine: engine!,
      exercise: x.id,
      team,
      scenario: x.scenario,
      seed: x.seed,
      sink: store.events,
      speed: store.exercises.get(x.id).speed,
    });
    runner.on('state', (s) => hooks.runner(x.id, team, s));
    return runner;
  }

  /** Starts (or restores) a runner; a pause (exercise or held team) meanwhile pauses it; failures reach the console. */
  private launch(exercise: string, team: string, runner: AttackRunnerLike, go: () => unknown): Promise<void> {
    const { store, hooks } = this.c;
    return Promise.resolve(go())
      .then(() => {
        // a paused exercise, or a team whose range the engine watch holds as degraded, pauses it
        if (store.exercises.get(exercise).state === 'paused' || this.held(exercise, team)) runner.pause();
      })
      .catch((err: unknown) => hooks.runner(exercise, team, { status: 'failed', error: describeError(err) }));
  }

  /** Teams held by the engine watch (degraded range): an instructor's resume leaves them paused. */
  held: (exercise: string, team: string) => boolean = () => false;

  /** One team's attack (and its clock) stops where it stands: its range is degraded. */
  pauseTeam(exercise: string, team: string): void {
    this.runtimes.get(exercise)?.runners.get(team)?.pause();
  }

  resumeTeam(exercise: string, team: string): void {
    this.runtimes.get(exercise)?.runners.get(team)?.resume();
  }

  pause(exercise: string): void {
    for (const r of this.runtimes.get(exercise)?.runners.values() ?? []) r.pause();
  }

  resume(exercise: string): void {
    for (const [team, r] of this.runtimes.get(exercise)?.runners ?? []) if (!this.held(exercise, team)) r.resume();
  }

  private runner(exercise: string, team: string): AttackRunnerLike {
    const x = this.c.store.exercises.get(exercise);
    const r = this.runtimes.get(exercise)?.runners.get(team);
    if (!r)
      throw new ConflictError(`no attack is running for ${team} in ${exercise} (exercise is ${x.state})`, {
        exercise,
        team,
      });
    return r;
  }

  control(exercise: string, team: string, what: 'skip' | 'replay', step: string, by = 'instructor'): RunnerState {
    this.c.store.exercises.team(exercise, team);
    const r = this.runner(exercise, team);
    // the instructor's command is an event of its own: the timeline explains the steps that follow
    this.c.append({
      type: what === 'skip' ? 'attack.skip' : 'attack.replay',
      exercise,
      team,
      at: this.c.at(),
      scenario: this.c.store.exercises.get(exercise).scenario,
      detail: { step, by },
    });
    try {
      // replay resolves when the step's action ends; its outcome arrives as an attack.step event
      void Promise.resolve(r[what](step)).catch((err: unknown) =>
        this.c.hooks.runner(exercise, team, { error: describeError(err) }),
      );
    } catch (err) {
      throw new ConflictError(describeError(err), { exercise, team, step });
    }
    return r.state();
  }

  /** The speed is stored with the exercise (runners started later take it) and applied to the running ones. */
  setSpeed(exercise: string, speed: number): void {
    this.c.store.exercises.get(exercise);
    this.c.store.exercises.setSpeed(exercise, speed);
    for (const r of this.runtimes.get(exercise)?.runners.values() ?? []) r.setSpeed(speed);
  }

  states(exercise: string): Record<string, RunnerState> {
    return Object.fromEntries([...(this.runtimes.get(exercise)?.runners ?? [])].map(([t, r]) => [t, r.state()]));
  }

  /** The server shuts down: every runtime is dropped, its attacks suspended for the next server to restore. */
  async suspendAll(): Promise<void> {
    for (const id of [...this.runtimes.keys()]) {
      const rt = this.runtimes.get(id)!;
      this.runtimes.delete(id);
      // runners are suspended, not stopped (no cleanup, no attack.stopped): a restart resumes them
      await Promise.allSettled(
        [...rt.runners.values()].map((r) => Promise.resolve(r.suspend ? r.suspend() : r.pause())),
      );
      await rt.checker?.stop();
      // the notice watcher too: a round after the store closed would only fail
      await rt.notice?.stop();
    }
  }
}
