import { rangePrefix, type GroundTruth, ConfigError, NotFoundError, describeError, repoRoot } from '../core/index.js';
import { randomUUID } from 'node:crypto';
import { isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { EnshuEvent, ExerciseEvent, StoredEvent, RangeProgress } from '../protocol/index.js';
import { Checker, knownChecks } from './checker/index.js';
import { type Engine, RangeManager, ensureImages, topologyForCourse, loadTopology, loadTopologyById, type Topology } from '../orchestrator/index.js';
import { ConflictError, type ExerciseRow, type ExerciseState, type Principal, type Store } from './store/index.js';
import type { AttackPort, AttackRunnerLike } from './ports.js';
import type { CreateExerciseBody } from './schemas.js';

export interface Runtime {
  runners: Map<string, AttackRunnerLike>;
  checker?: Checker;
}

export interface ExerciseHooks {
  progress(p: RangeProgress): void;
  state(x: ExerciseRow): void;
  runner(exercise: string, team: string, state: unknown): void;
  truthChanged?(exercise: string): void;
}

export interface ExerciseServiceOptions {
  store: Store;
  engine?: Engine;
  attack?: AttackPort;
  checkIntervalMs?: number;
  now?: () => Date;
  hooks: ExerciseHooks;
}

/**
 * Drives exercises through their life: the state machine in the store, the team ranges
 * (RangeManager), one pseudo-attacker per team and the checker. Every change is an event.
 */
export class ExerciseService {
  private readonly runtimes = new Map<string, Runtime>();
  private readonly truthCache = new Map<string, Map<string, GroundTruth>>();
  private readonly provisioning = new Map<string, Promise<void>>();
  readonly now: () => Date;

  constructor(private readonly o: ExerciseServiceOptions) {
    this.now = o.now ?? (() => new Date());
  }

  private get store(): Store {
    return this.o.store;
  }

  private ranges(): RangeManager {
    if (!this.o.engine) throw new ConflictError('this server runs without a container engine; ranges cannot be changed');
    return new RangeManager(this.o.engine);
  }

  append(e: EnshuEvent): StoredEvent {
    return this.store.events.append(e);
  }

  private at(): string {
    return this.now().toISOString();
  }

  create(body: z.output<typeof CreateExerciseBody>, by: string): ExerciseRow {
    if (this.o.attack && !this.o.attack.listScenarios().some((s) => scenarioId(s) === body.scenario)) {
      throw new ConfigError(`unknown scenario "${body.scenario}"`);
    }
    if (body.topology) this.topologyOf(body.topology);
    const teams = typeof body.teams === 'number'
      ? Array.from({ length: body.teams }, (_, i) => ({ name: `Team ${i + 1}`, members: [] as string[] }))
      : body.teams.map((t, i) => ({ name: t.name ?? `Team ${i + 1}`, members: t.members }));
    const x = this.store.exercises.create({
      id: body.id, title: body.title ?? `${body.course} ${body.id}`, course: body.course, scenario: body.scenario, seed: body.seed,
      ...(body.topology ? { topology: body.topology } : {}), speed: body.speed, schedule: body.schedule, teams,
    }, this.now());
    this.append({ type: 'exercise.created', exercise: x.id, at: this.at(), by, detail: { course: x.course, scenario: x.scenario, seed: x.seed, teams: teams.length } });
    return x;
  }

  /** A topology id, or a YAML file inside the project (tests and course authors). */
  topologyOf(ref: string | null | undefined, course = 'A'): Topology {
    if (!ref) return topologyForCourse(course);
    if (!ref.endsWith('.yaml')) return loadTopologyById(ref);
    const file = resolve(repoRoot, ref);
    const rel = relative(repoRoot, file);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new ConfigError(`topology file must be inside the project: ${ref}`);
    return loadTopology(file);
  }

  /** Each team's ground truth (cached); without a live range, indicators that name addresses are left out. */
  truths(exercise: string, ips?: Map<string, Record<string, string>>): Map<string, GroundTruth> {
    let m = this.truthCache.get(exercise);
    if (m && !ips) return m;
    m = new Map();
    const x = this.store.exercises.find(exercise);
    if (x && this.o.attack) {
      for (const t of this.store.exercises.teams(exercise)) {
        try {
          const teamIps = ips?.get(t.id);
          m.set(t.id, this.o.attack.groundTruth(x.scenario, { exercise, team: t.id, seed: x.seed, ...(teamIps ? { ips: teamIps } : {}) }));
        } catch {
          // a scenario that no longer loads leaves the team without truth; scoring shows zero, not a crash
        }
      }
    }
    this.truthCache.set(exercise, m);
    this.o.hooks.truthChanged?.(exercise);
    return m;
  }

  /** Recomputes ground truth with the addresses of the team ranges as they run now. */
  async refreshTruths(exercise: string): Promise<void> {
    if (!this.o.engine || !this.o.attack) return;
    const [status] = await this.ranges().status(exercise).catch(() => []);
    if (!status) return;
    const ips = new Map<string, Record<string, string>>();
    for (const t of status.teams) {
      const prefix = rangePrefix(exercise, t.team);
      const m: Record<string, string> = {};
      for (const n of t.nodes) {
        const entries = Object.entries(n.ips).sort(([a], [b]) => a.localeCompare(b)).map(([net, ip]) => [net.startsWith(prefix) ? net.slice(prefix.length) : net, ip] as const);
        if (entries[0]) m[n.node] = entries[0][1];
        for (const [seg, ip] of entries) m[`${n.node}.${seg}`] = ip;
      }
      ips.set(t.team, m);
    }
    this.truths(exercise, ips);
  }

  private move(id: string, to: ExerciseState, by: string, type?: ExerciseEvent['type']): ExerciseRow {
    const x = this.store.exercises.transition(id, to, this.now());
    if (type) this.append({ type, exercise: id, at: this.at(), by });
    this.o.hooks.state(x);
    return x;
  }

  /** Starts building the ranges; progress goes to the hooks. Resolves when the build finished. */
  provision(id: string, by: string): { exercise: ExerciseRow; done: Promise<void> } {
    const x0 = this.store.exercises.get(id);
    const topology = this.topologyOf(x0.topology, x0.course);
    const ranges = this.ranges();
    const x = this.move(id, 'provisioning', by);
    const teams = this.store.exercises.teams(id).length;
    const roles = [...new Set(topology.nodes.map((n) => n.role))];
    const progress = (status: RangeProgress['status'], message: string) => this.o.hooks.progress({ exercise: id, step: 'images', status, message, at: this.at() });
    progress('start', `images for ${roles.join(', ')}`);
    // images are content-addressed: this is a quick no-op unless a role changed since the last build
    const done = ensureImages(ranges.engine, { roles, onEvent: (e) => { if (!e.line) progress('info', `${e.image} ${e.phase}`); } })
      .then(() => progress('done', 'images ready'))
      // the range's staff and passwords come from the exercise's seed, like the attack's facts
      .then(() => ranges.up({ exercise: id, topology, teams, seed: String(x0.seed), onProgress: (p) => this.o.hooks.progress(p) }))
      .then(async () => {
        await this.refreshTruths(id);
        this.move(id, 'ready', by, 'exercise.provisioned');
      })
      .catch((err: unknown) => {
        this.o.hooks.progress({ exercise: id, step: 'ready', status: 'failed', message: describeError(err), at: this.at() });
        this.move(id, 'created', by);
      })
      .finally(() => this.provisioning.delete(id));
    this.provisioning.set(id, done);
    return { exercise: x, done };
  }

  async start(id: string, by: string): Promise<ExerciseRow> {
    const x = this.move(id, 'running', by, 'exercise.started');
    await this.refreshTruths(id);
    this.startRuntime(x);
    return x;
  }

  pause(id: string, by: string): ExerciseRow {
    const x = this.move(id, 'paused', by, 'exercise.paused');
    for (const r of this.runtimes.get(id)?.runners.values() ?? []) r.pause();
    return x;
  }

  resume(id: string, by: string): ExerciseRow {
    const x = this.move(id, 'running', by, 'exercise.resumed');
    for (const r of this.runtimes.get(id)?.runners.values() ?? []) r.resume();
    return x;
  }

  async end(id: string, by: string): Promise<ExerciseRow> {
    const x = this.move(id, 'ended', by, 'exercise.ended');
    await this.stopRuntime(id);
    return x;
  }

  archive(id: string, by: string): ExerciseRow {
    return this.move(id, 'archived', by, 'exercise.archived');
  }

  private startRuntime(x: ExerciseRow, history: StoredEvent[] = []): void {
    if (this.runtimes.has(x.id)) return;
    const rt: Runtime = { runners: new Map() };
    this.runtimes.set(x.id, rt);
    const truths = this.truths(x.id);
    const attack = this.o.attack;
    if (this.o.engine && attack?.runner) {
      // after a restart, a team whose attack had started continues it from its log (AttackRunner.restore)
      const started = new Set(history.filter((e) => e.type === 'attack.started').map((e) => (e as { team: string }).team));
      const lastSeen = history.at(-1)?.at;
      for (const t of this.store.exercises.teams(x.id)) {
        const resume = started.has(t.id);
        const runner = attack.runner({
          engine: this.o.engine, exercise: x.id, team: t.id, scenario: x.scenario, seed: x.seed,
          sink: this.store.events, speed: x.speed,
        });
        // a runner that cannot resume leaves the team's started attack alone rather than replay it from zero
        if (resume && !runner.restore) continue;
        runner.on('state', (s) => this.o.hooks.runner(x.id, t.id, s));
        rt.runners.set(t.id, runner);
        const teamLog = history.filter((e) => 'team' in e && e.team === t.id);
        void Promise.resolve(resume ? runner.restore!(teamLog, { ...(lastSeen ? { lastSeen } : {}) }) : runner.start())
          .then(() => { if (this.store.exercises.get(x.id).state === 'paused') runner.pause(); })
          .catch((err: unknown) => this.o.hooks.runner(x.id, t.id, { status: 'failed', error: describeError(err) }));
      }
    }
    if (this.o.engine && truths.size) {
      rt.checker = new Checker({
        engine: this.o.engine, exercise: x.id, truths, sink: this.store.events, now: this.now,
        known: knownChecks(history), ...(this.o.checkIntervalMs ? { intervalMs: this.o.checkIntervalMs } : {}),
      });
      rt.checker.start();
    }
  }

  private async stopRuntime(id: string): Promise<void> {
    const rt = this.runtimes.get(id);
    if (!rt) return;
    this.runtimes.delete(id);
    for (const r of rt.runners.values()) await r.stop();
    await rt.checker?.stop();
  }

  /**
   * After a restart: exercises that were running or paused get their ranges re-adopted by label
   * and their runners and checker restarted from the log; one that was mid-provisioning converges again.
   */
  async recover(): Promise<{ resumed: string[]; reprovisioned: string[] }> {
    const resumed: string[] = [];
    const reprovisioned: string[] = [];
    for (const x of this.store.exercises.list()) {
      if (x.state === 'provisioning' && this.o.engine) {
        this.store.exercises.transition(x.id, 'created', this.now());
        this.provision(x.id, 'server-restart');
        reprovisioned.push(x.id);
      }
      if (x.state !== 'running' && x.state !== 'paused') continue;
      if (this.o.engine) {
        const [status] = await this.ranges().status(x.id).catch(() => []);
        if (!status) continue; // the range is gone: the instructor decides (end or re-provision)
      }
      await this.refreshTruths(x.id);
      this.startRuntime(x, this.store.events.list(x.id));
      resumed.push(x.id);
    }
    return { resumed, reprovisioned };
  }

  private runner(exercise: string, team: string): AttackRunnerLike {
    const x = this.store.exercises.get(exercise);
    const r = this.runtimes.get(exercise)?.runners.get(team);
    if (!r) throw new ConflictError(`no attack is running for ${team} in ${exercise} (exercise is ${x.state})`, { exercise, team });
    return r;
  }

  control(exercise: string, team: string, what: 'skip' | 'replay', step: string): unknown {
    this.store.exercises.team(exercise, team);
    const r = this.runner(exercise, team);
    try {
      // replay resolves when the step's action ends; its outcome arrives as an attack.step event
      void Promise.resolve(r[what](step)).catch((err: unknown) => this.o.hooks.runner(exercise, team, { error: describeError(err) }));
    } catch (err) {
      throw new ConflictError(describeError(err), { exercise, team, step });
    }
    return r.state();
  }

  setSpeed(exercise: string, speed: number): void {
    this.store.exercises.get(exercise);
    this.store.exercises.setSpeed(exercise, speed);
    for (const r of this.runtimes.get(exercise)?.runners.values() ?? []) r.setSpeed(speed);
  }

  runnerStates(exercise: string): Record<string, unknown> {
    return Object.fromEntries([...(this.runtimes.get(exercise)?.runners ?? [])].map(([t, r]) => [t, r.state()]));
  }

  async reset(exercise: string, team: string, node?: string): Promise<void> {
    this.store.exercises.team(exercise, team);
    await this.ranges().reset({ exercise, team, ...(node ? { node } : {}), onProgress: (p) => this.o.hooks.progress(p) });
  }

  private hintOf(exercise: string, team: string, step: string, hint: string) {
    const s = this.truths(exercise).get(team)?.steps.find((x) => x.id === step);
    const h = s?.hints.find((x) => x.id === hint);
    if (!h) throw new NotFoundError(`no hint ${hint} for step ${step}`, { exercise, team, step });
    return h;
  }

  releaseHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    this.hintOf(exercise, team, step, hint);
    return this.append({ type: 'hint.released', exercise, team, at: this.at(), step, hint, cost: 0 });
  }

  /** Submissions are accepted while the exercise runs or is paused; the log is closed after it ends. */
  private open(exercise: string, team: string): void {
    const x = this.store.exercises.get(exercise);
    this.store.exercises.team(exercise, team);
    if (x.state !== 'running' && x.state !== 'paused') {
      throw new ConflictError(`exercise ${exercise} is ${x.state}; submissions are accepted while it is running or paused`, { exercise, team });
    }
  }

  buyHint(exercise: string, team: string, step: string, hint: string): StoredEvent {
    this.open(exercise, team);
    const h = this.hintOf(exercise, team, step, hint);
    const had = this.store.events.list(exercise).some((e) => (e.type === 'hint.bought' || e.type === 'hint.released') && e.team === team && e.hint === hint && e.step === step);
    if (had) throw new ConflictError(`team ${team} already has hint ${hint}`, { exercise, team, step });
    return this.append({ type: 'hint.bought', exercise, team, at: this.at(), step, hint, cost: h.cost });
  }

  submit(exercise: string, team: string, p: Principal, body: SubmissionBody): StoredEvent {
    this.open(exercise, team);
    return this.append({ ...body, exercise, team, at: this.at(), id: randomUUID(), by: p.subject } as EnshuEvent);
  }

  grade(exercise: string, team: string, report: string, by: string, grade: number, comment: string): StoredEvent {
    this.store.exercises.team(exercise, team);
    const found = this.store.events.list(exercise).some((e) => e.type === 'report.submitted' && e.team === team && e.id === report);
    if (!found) throw new NotFoundError(`team ${team} has no report ${report}`, { exercise, team });
    return this.append({ type: 'report.graded', exercise, team, at: this.at(), report, by, grade, comment });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.provisioning.values()]);
    for (const id of [...this.runtimes.keys()]) {
      const rt = this.runtimes.get(id)!;
      this.runtimes.delete(id);
      // runners are suspended, not stopped (no cleanup, no attack.stopped): a restart resumes them
      await Promise.allSettled([...rt.runners.values()].map((r) => Promise.resolve(r.suspend ? r.suspend() : r.pause())));
      await rt.checker?.stop();
    }
  }
}

export type SubmissionBody =
  | { type: 'finding.submitted'; indicatorType?: string; value?: string; technique?: string; text: string }
  | { type: 'action.submitted'; node?: string; what: string }
  | { type: 'report.submitted'; kind: string; language: string; fields: Record<string, string> }
  | { type: 'recovery.declared'; what: string };

function scenarioId(s: unknown): string | undefined {
  if (typeof s === 'string') return s;
  if (s && typeof s === 'object' && 'id' in s) return String((s as { id: unknown }).id);
  return undefined;
}
