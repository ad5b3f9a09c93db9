/**
 * One team's attack: a plan played on the team's own scenario clock. Steps fire when their
 * time comes or their predecessors end; every run of an action becomes an `attack.step` event;
 * waiting steps say what they wait for; stop undoes what the actions left behind.
 */
import { EventEmitter } from 'node:events';
import { dirname } from 'node:path';
import { EnshuError, repoRoot, type GroundTruth } from '../../core/index.js';
import { type Engine } from '../../orchestrator/index.js';
import type { AttackControlEvent, AttackStepEvent, EnshuEvent, EventSink, StoredEvent, RunnerState, RunnerStatus, StepState, StepStatus } from '../../protocol/index.js';
import { cleanC2 } from '../actions/implant.js';
import { ACTIONS } from '../actions/registry.js';
import type { ActionResult, Outcome, SharedState } from '../actions/types.js';
import { planFor, type Plan, type PlannedStep } from '../plan/plan.js';
import { renderDeep, resolveNodeName, type TemplateScope } from '../plan/template.js';
import { groundTruth } from '../plan/truth.js';
import type { Scenario } from '../scenario/schema.js';
import { ScenarioClock, formatOffset } from './clock.js';
import { RangeView, RefusedError } from './range-view.js';
import { rebuildEffects } from './restore.js';
import { restoreFromLog, SKIPPED_BY_INSTRUCTOR } from './resume.js';

/** The range was built from another seed than the exercise's: the plan's facts would not match it. */
export class SeedMismatchError extends EnshuError {
  constructor(readonly exerciseSeed: string, readonly rangeSeed: string, context: { exercise: string; team: string }) {
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
}

export interface StopResult {
  cleaned: string[];
  errors: string[];
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
const IPV4_ANYWHERE = /\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b/g;
const RESOLVED: ReadonlySet<StepStatus> = new Set(['succeeded', 'blocked', 'failed', 'skipped']);

export class AttackRunner extends EventEmitter {
  readonly plan: Plan;
  private readonly clock: ScenarioClock;
  private readonly steps = new Map<string, StepState>();
  private readonly planned = new Map<string, PlannedStep>();
  private status: RunnerStatus = 'idle';
  private range: RangeView | undefined;
  private readonly shared: SharedState = { implants: new Map(), c2: new Map(), implantIds: new Set() };
  private readonly captured: Record<string, string> = {};
  private readonly cleanups: { label: string; run: () => Promise<void> }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private sinkChain: Promise<unknown> = Promise.resolve();
  private finished!: Promise<void>;
  private resolveFinished!: () => void;

  constructor(private readonly opts: RunnerOptions) {
    super();
    this.plan = planFor(opts.scenario, { exercise: opts.exercise, team: opts.team, seed: opts.seed });
    this.clock = new ScenarioClock(opts.speed ?? 1);
    for (const p of this.plan.steps) {
      this.planned.set(p.id, p);
      this.steps.set(p.id, {
        id: p.id, technique: p.technique, tactic: p.tactic, node: p.node, kind: p.kind, status: 'pending',
        plannedOffset: p.plannedOffset, branchTaken: false, skippedByInstructor: false, runs: 0,
      });
    }
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
    if (this.status !== 'idle') throw new EnshuError(`the attack on ${this.team} is already ${this.status}`, { exercise: this.exercise, team: this.team });
    const range = (await RangeView.resolve(this.opts.engine, this.exercise, this.team)).withAliases(this.plan.nodes);
    if (range.nodeNames().length === 0) {
      throw new EnshuError(`team ${this.team} of exercise ${this.exercise} has no running range`, { exercise: this.exercise, team: this.team });
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
  async restore(history: readonly (EnshuEvent | StoredEvent)[], o: { lastSeen?: string } = {}): Promise<{ rerun: string[] }> {
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
    if (r.status === 'stopped' || r.status === 'finished') {
      // nothing left to do: the attack ended before the restart (its cleanup ran then)
      this.status = r.status;
      this.emitState();
      this.resolveFinished();
      return { rerun: [] };
    }
    const lost = await rebuildEffects({ plan: this.plan, range: this.range!, shared: this.shared, scope: this.scope(), steps: this.steps, cleanups: this.cleanups });
    const rerun = [...this.steps.values()].filter((s) => !RESOLVED.has(s.status) && (this.dueOf(s.id) ?? Infinity) <= r.clock).map((s) => s.id);
    this.status = r.status;
    if (this.status === 'running') this.clock.start();
    this.control('attack.restored', {
      status: this.status, cut: r.cut, finished: [...r.steps.keys()], rerun,
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
      throw new EnshuError(`step ${stepId} is ${s.status}; only a step that has not run can be skipped`, { team: this.team, step: stepId });
    }
    s.skippedByInstructor = true;
    void this.resolveWithoutRunning(s, SKIPPED_BY_INSTRUCTOR);
  }

  /** Instructor: run this step's action again now, whatever its state. */
  replay(stepId: string): Promise<void> {
    const s = this.step(stepId);
    if (this.status === 'stopping' || this.status === 'stopped' || this.status === 'idle') {
      throw new EnshuError(`cannot replay ${stepId}: the attack is ${this.status}`, { team: this.team, step: stepId });
    }
    if (s.status === 'running') throw new EnshuError(`step ${stepId} is running`, { team: this.team, step: stepId });
    return this.track(this.fire(s, { replay: true }));
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
      if (!wasIdle && (s.status === 'pending' || s.status === 'waiting')) await this.resolveWithoutRunning(s, 'the attack was stopped before this step ran');
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
      clock: Math.round(this.clock.elapsed() * 1000) / 1000,
      speed: this.clock.speed,
      steps: [...this.steps.values()].map((s) => ({ ...s })),
      cleanups: this.cleanups.length,
    };
  }

  /** Ground truth with this team's real addresses and what the attack captured so far. */
  groundTruth(): GroundTruth {
    return groundTruth(this.opts.scenario, {
      exercise: this.exercise, team: this.team, seed: this.opts.seed, captured: this.captured,
      ...(this.range ? { ips: this.range.ipMap() } : {}),
    });
  }

  // ---- scheduling ----

  private step(id: string): StepState {
    const s = this.steps.get(id);
    if (!s) throw new EnshuError(`no step "${id}" in scenario ${this.plan.scenario} (steps: ${[...this.steps.keys()].join(', ')})`, { team: this.team, step: id });
    return s;
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => {
      this.inFlight.delete(p);
      this.tick();
    });
  }

  /** Whether later steps may go on after `id`: ok, not yet, or no (with why). */
  private effective(id: string): { state: 'ok'; endClock: number } | { state: 'pending'; why: string } | { state: 'bad'; why: string } {
    const s = this.steps.get(id)!;
    if (!RESOLVED.has(s.status)) return { state: 'pending', why: `step ${id} (${s.status})` };
    if (s.status === 'succeeded' || s.skippedByInstructor) return { state: 'ok', endClock: s.endClock ?? 0 };
    const p = this.planned.get(id)!;
    if (s.branchTaken && p.else.length) {
      const branches = p.else.map((e) => ({ e, r: this.effective(e) }));
      const ok = branches.filter((b) => b.r.state === 'ok');
      if (ok.length) return { state: 'ok', endClock: Math.max(...ok.map((b) => (b.r as { endClock: number }).endClock)) };
      const pending = branches.find((b) => b.r.state === 'pending');
      if (pending) return { state: 'pending', why: `else branch ${pending.e} of ${id}` };
      return { state: 'bad', why: `step ${id} was ${s.status} and no else branch succeeded` };
    }
    const cause = s.reason && !s.reason.startsWith('not run:') ? ` (${s.reason})` : '';
    return { state: 'bad', why: `step ${id} was ${s.status}${cause}` };
  }

  /** When a step that has not run is due on the scenario clock, if that is known yet. */
  private dueOf(id: string): number | undefined {
    const p = this.planned.get(id)!;
    if (p.branchOf) {
      const parent = this.steps.get(p.branchOf)!;
      if (!RESOLVED.has(parent.status) || !parent.branchTaken) return undefined;
    }
    if (p.at !== undefined) return p.plannedOffset;
    let latest = 0;
    for (const d of p.after) {
      if (d === p.branchOf) {
        latest = Math.max(latest, this.steps.get(d)!.endClock ?? 0);
        continue;
      }
      const e = this.effective(d);
      if (e.state !== 'ok') return undefined;
      latest = Math.max(latest, e.endClock);
    }
    return latest + Math.max(0, p.delay + p.jitter);
  }

  private tick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.status !== 'running' && this.status !== 'paused') return;
    const now = this.clock.elapsed();
    let nextWake = Infinity;
    for (const s of this.steps.values()) {
      if (s.status !== 'pending' && s.status !== 'waiting') continue;
      const p = this.planned.get(s.id)!;
      const before = s.waitingFor;
      const wait = (why: string) => {
        s.status = 'waiting';
        s.waitingFor = why;
      };
      if (p.branchOf) {
        const parent = this.steps.get(p.branchOf)!;
        if (!RESOLVED.has(parent.status)) {
          wait(`runs only if ${p.branchOf} is blocked or fails; waits for ${p.branchOf} (${parent.status})`);
          continue;
        }
        if (!parent.branchTaken) {
          void this.resolveWithoutRunning(s, `branch not taken: ${p.branchOf} ${parent.status}`);
          continue;
        }
      }
      let due: number;
      if (p.at !== undefined) {
        due = p.plannedOffset;
      } else {
        let latest = 0;
        let blocker: string | undefined;
        let bad: string | undefined;
        for (const d of p.after) {
          if (d === p.branchOf) {
            latest = Math.max(latest, this.steps.get(d)!.endClock ?? 0);
            continue;
          }
          const e = this.effective(d);
          if (e.state === 'bad') bad = e.why;
          else if (e.state === 'pending') blocker ??= e.why;
          else latest = Math.max(latest, e.endClock);
        }
        if (bad) {
          void this.resolveWithoutRunning(s, `not run: ${bad}`);
          continue;
        }
        if (blocker) {
          wait(`waits for ${blocker}`);
          continue;
        }
        due = latest + Math.max(0, p.delay + p.jitter);
      }
      if (p.condition && 'step' in p.condition && !RESOLVED.has(this.steps.get(p.condition.step)!.status)) {
        wait(`its condition waits for step ${p.condition.step}`);
        continue;
      }
      s.dueAt = due;
      if (now < due) {
        wait(this.status === 'paused' ? `paused; fires at T+${formatOffset(due)}` : `fires at T+${formatOffset(due)} (in ${formatOffset(due - now)} scenario time)`);
        nextWake = Math.min(nextWake, this.clock.wallMsUntil(due));
        if (before !== s.waitingFor) this.emitState();
        continue;
      }
      if (this.status !== 'running') continue;
      void this.track(this.fire(s, { replay: false }));
    }
    const open = [...this.steps.values()].some((s) => !RESOLVED.has(s.status));
    if (!open && this.inFlight.size === 0 && this.status === 'running') {
      this.status = 'finished';
      this.clock.pause();
      this.control('attack.finished');
      this.emitState();
      void this.sinkChain.then(() => this.resolveFinished());
      return;
    }
    // re-check at least once a second so waiting texts and clock stay fresh
    if (this.status === 'running') this.timer = setTimeout(() => this.tick(), Math.max(10, Math.min(1000, nextWake)));
  }

  // ---- running actions ----

  private scope(): TemplateScope {
    return { facts: { ...this.plan.facts, ...this.captured }, nodes: this.plan.nodes, ...(this.range ? { ips: this.range.ipMap() } : {}) };
  }

  private async fire(s: StepState, o: { replay: boolean }): Promise<void> {
    const p = this.planned.get(s.id)!;
    const range = this.range!;
    s.status = 'running';
    s.waitingFor = undefined;
    s.runs += 1;
    const startedAt = new Date().toISOString();
    const startClock = this.clock.elapsed();
    this.emitState();
    let result: ActionResult;
    try {
      result = await this.runAction(p, range, o.replay);
    } catch (err) {
      result = err instanceof RefusedError
        ? { outcome: 'skipped', reason: err.message, evidence: '' }
        : { outcome: 'failed', reason: err instanceof Error ? err.message : String(err), evidence: '' };
    }
    // the server shut down meanwhile: the result is dropped and a restart runs the step again
    if (this.status === 'suspended') return;
    if (result.cleanup) this.cleanups.push(result.cleanup);
    const captured: Record<string, string> = {};
    if (result.outcome === 'succeeded') {
      for (const [name, re] of Object.entries(p.capture)) {
        const m = new RegExp(re, 'm').exec(result.output ?? '');
        if (m?.[1] !== undefined) this.captured[name] = captured[name] = m[1];
        else result = { ...result, outcome: 'failed', reason: `captured nothing for {{${name}}}: output did not match /${re}/` };
      }
    }
    s.branchTaken = !o.replay ? (result.outcome !== 'succeeded' && p.else.length > 0) || s.branchTaken : s.branchTaken;
    this.finishStep(s, p, result, startedAt, startClock, captured);
  }

  private async runAction(p: PlannedStep, range: RangeView, replay: boolean): Promise<ActionResult> {
    const scope = this.scope();
    const node = resolveNodeName(p.node, this.plan.nodes);
    range.container(node); // refuses a node outside the team's range before anything runs
    if (p.condition && !replay) {
      const c = renderDeep(p.condition, scope);
      if ('step' in c) {
        const st = this.steps.get(c.step)!.status;
        if (!c.outcome.includes(st as Outcome)) return { outcome: 'skipped', reason: `condition not met: step ${c.step} ${st}, not ${c.outcome.join('/')}`, evidence: '' };
      } else {
        const cnode = resolveNodeName(c.node, this.plan.nodes);
        const r = await range.sh(cnode, c.command, { timeoutMs: 30_000 });
        if (r.exitCode !== 0) return { outcome: 'skipped', reason: `condition not met on ${cnode}: \`${c.command}\` exited ${r.exitCode}`, evidence: (r.stdout + r.stderr).trim().slice(0, 300) };
      }
    }
    const params = renderDeep(p.params, scope);
    // every address an action names must be one of this team's; checked before it runs
    for (const m of JSON.stringify(params).matchAll(IPV4_ANYWHERE)) range.address(m[1]!);
    const def = ACTIONS.get(p.kind)!;
    const parsed = def.params.safeParse(params);
    if (!parsed.success) {
      return { outcome: 'failed', reason: `bad parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, evidence: '' };
    }
    const result = await def.run(
      { range, node, step: p.id, shared: this.shared, baseDir: this.opts.scenario.file ? dirname(this.opts.scenario.file) : repoRoot, signal: this.abort.signal },
      parsed.data,
    );
    if (p.cleanup && result.outcome !== 'skipped') {
      const c = renderDeep(p.cleanup, scope);
      const base = result.cleanup;
      result.cleanup = {
        label: `${base ? `${base.label}; ` : ''}cleanup of ${p.id} on ${c.node}`,
        run: async () => {
          if (base) await base.run();
          await range.sh(resolveNodeName(c.node, this.plan.nodes), c.command);
        },
      };
    }
    return result;
  }

  private async resolveWithoutRunning(s: StepState, reason: string): Promise<void> {
    const p = this.planned.get(s.id)!;
    // a step that never runs takes its else branch, so a fallback is never lost silently
    if (p.else.length && !s.skippedByInstructor) s.branchTaken = true;
    this.finishStep(s, p, { outcome: 'skipped', reason, evidence: '' }, new Date().toISOString(), this.clock.elapsed());
    queueMicrotask(() => this.tick());
  }

  private finishStep(s: StepState, p: PlannedStep, r: ActionResult, startedAt: string, startClock: number, captured: Record<string, string> = {}): void {
    if (this.status === 'suspended') return;
    const endedAt = new Date().toISOString();
    s.status = r.outcome;
    s.waitingFor = undefined;
    s.startedAt = startedAt;
    s.endedAt = endedAt;
    s.endClock = this.clock.elapsed();
    s.reason = r.reason;
    s.evidence = r.evidence;
    const event: AttackStepEvent = {
      type: 'attack.step',
      exercise: this.exercise,
      team: this.team,
      at: endedAt,
      scenario: this.plan.scenario,
      step: p.id,
      technique: p.technique,
      tactic: p.tactic,
      startedAt,
      endedAt,
      outcome: r.outcome,
      ...(r.reason ? { reason: r.reason.slice(0, 1000) } : {}),
      evidence: r.evidence.slice(0, 2000),
      impact: p.impact && r.outcome === 'succeeded',
      startClock: round3(startClock),
      endClock: round3(s.endClock),
      ...(Object.keys(captured).length ? { captured } : {}),
    };
    this.append(event);
    this.emitState();
  }

  private control(type: AttackControlEvent['type'], detail?: Record<string, unknown>): void {
    this.append({
      type, exercise: this.exercise, team: this.team, at: new Date().toISOString(), scenario: this.plan.scenario, speed: this.clock.speed,
      clock: round3(this.clock.elapsed()), ...(detail ? { detail } : {}),
    });
  }

  private append(event: EnshuEvent): void {
    this.emit('event', event);
    this.sinkChain = this.sinkChain.then(() => this.opts.sink.append(event)).catch((err) => this.emit('error-event', err));
  }

  private emitState(): void {
    this.emit('state', this.state());
  }
}
