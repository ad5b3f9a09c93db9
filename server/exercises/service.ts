/**
 * The exercise service the routes, sockets and tests use: one object over the four parts that
 * drive exercises — the lifecycle (state machine and ranges), the attack runtime (runners and
 * checker), the ground-truth cache and the team submissions. It only composes and delegates, so
 * callers keep one entry point while each concern lives in its own file.
 */
import type { GroundTruth } from '../../core/index.js';
import type { EnshuEvent, RunnerState, StoredEvent } from '../../protocol/index.js';
import type { Topology } from '../../orchestrator/index.js';
import type { ExerciseRow, Principal } from '../store/index.js';
import type { CreateExerciseBody } from '../schemas.js';
import type { z } from 'zod';
import { exerciseContext, type ExerciseContext, type ExerciseServiceOptions } from './context.js';
import { TruthCache } from './truths.js';
import { AttackRuntime } from './attacks.js';
import { Lifecycle } from './lifecycle.js';
import { Submissions, type SubmissionBody } from './submissions.js';
import { EngineWatch, type EngineHealth } from './engine-watch.js';

/**
 * Drives exercises through their life: the state machine in the store, the team ranges
 * (RangeManager), one pseudo-attacker per team and the checker. Every change is an event.
 */
export class ExerciseService {
  readonly now: () => Date;
  private readonly c: ExerciseContext;
  private readonly truthCache: TruthCache;
  private readonly attacks: AttackRuntime;
  private readonly lifecycle: Lifecycle;
  private readonly submissions: Submissions;
  private readonly watch: EngineWatch;

  constructor(o: ExerciseServiceOptions) {
    this.c = exerciseContext(o);
    this.now = this.c.now;
    this.truthCache = new TruthCache(this.c);
    this.attacks = new AttackRuntime(this.c, this.truthCache);
    this.lifecycle = new Lifecycle(this.c, this.truthCache, this.attacks);
    this.submissions = new Submissions(this.c, this.truthCache);
    this.watch = new EngineWatch(this.c, this.lifecycle, this.attacks, o.engineWatchMs);
    this.attacks.held = (ex, team) => this.watch.isDegraded(ex, team);
  }

  /** The engine as the watch sees it (for /api/health). */
  engineHealth(): EngineHealth {
    return this.watch.status();
  }

  append(e: EnshuEvent): StoredEvent {
    return this.c.append(e);
  }

  // lifecycle

  create(body: z.output<typeof CreateExerciseBody>, by: string): ExerciseRow {
    return this.lifecycle.create(body, by);
  }

  topologyOf(ref: string | null | undefined, course?: string): Topology {
    return this.lifecycle.topologyOf(ref, course);
  }

  provision(id: string, by: string): { exercise: ExerciseRow; done: Promise<void> } {
    return this.lifecycle.provision(id, by);
  }

  start(id: string, by: string): Promise<ExerciseRow> {
    return this.lifecycle.start(id, by);
  }

  pause(id: string, by: string): ExerciseRow {
    return this.lifecycle.pause(id, by);
  }

  resume(id: string, by: string): ExerciseRow {
    return this.lifecycle.resume(id, by);
  }

  end(id: string, by: string): Promise<ExerciseRow> {
    return this.lifecycle.end(id, by);
  }

  archive(id: string, by: string): ExerciseRow {
    return this.lifecycle.archive(id, by);
  }

  removeRanges(id: string): Promise<void> {
    return this.lifecycle.removeRanges(id);
  }

  reset(exercise: string, team: string, node?: string, by?: string): Promise<void> {
    return this.lifecycle.reset(exercise, team, node, by);
  }

  async recover(): Promise<{ resumed: string[]; reprovisioned: string[] }> {
    const r = await this.lifecycle.recover();
    // the watch starts once the runtimes of running exercises are back (it pauses and resumes them)
    this.watch.start();
    return r;
  }

  // ground truth

  truths(exercise: string, ips?: Map<string, Record<string, string>>): Map<string, GroundTruth> {
    return this.truthCache.truths(exercise, ips);
  }

  refreshTruths(exercise: string): Promise<void> {
    return this.truthCache.refresh(exercise);
  }

  // attack runtime

  control(exercise: string, team: string, what: 'skip' | 'replay', step: string, by?: string): RunnerState {
    return this.attacks.control(exercise, team, what, step, by);
  }

  restartAttack(exercise: string, team: string, by?: string): Promise<RunnerState> {
    return this.attacks.restartTeam(exercise, team, by);
  }

  setSpeed(exercise: string, speed: number): void {
    this.attacks.setSpeed(exercise, speed);
  }

  runnerStates(exercise: string): Record<string, RunnerState> {
    return this.attacks.states(exercise);
  }

  // submissions

  submit(exercise: string, team: string, p: Principal, body: SubmissionBody): StoredEvent {
    return this.submissions.submit(exercise, team, p, body);
  }

  releaseHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    return this.submissions.releaseHint(exercise, team, step, hint);
  }

  buyHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    return this.submissions.buyHint(exercise, team, step, hint);
  }

  grade(exercise: string, team: string, report: string, by: string, grade: number, comment: string): StoredEvent {
    return this.submissions.grade(exercise, team, report, by, grade, comment);
  }

  /** Shutdown: range builds under way finish first, then the attacks are suspended for the next server. */
  async close(): Promise<void> {
    await this.watch.stop();
    await this.lifecycle.settle();
    await this.attacks.suspendAll();
  }
}
