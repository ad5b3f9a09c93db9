/**
 * One step of a team's attack, run once: its condition, its action through the team's range
 * (nothing outside it is reached), the cleanup it leaves, its captures and whether its else
 * branch is taken, ending in the step's `attack.step` event. When a step runs is the
 * scheduler's answer and the runner's timer; this file only reads the scenario clock to stamp it.
 */
import { createLogger, sleep } from '../../core/index.js';

/**
 * How long a step waits for its node to run again before it fails (ENSHU_STEP_NODE_WAIT_S; 10 min by
 * default): a node stopped by an engine restart or an OOM comes back through the engine watch or an
 * instructor's reset, and the step then runs where the attack stood instead of failing at once.
 */
const NODE_WAIT_MS =
  (Number(process.env.ENSHU_STEP_NODE_WAIT_S) >= 0 && process.env.ENSHU_STEP_NODE_WAIT_S
    ? Number(process.env.ENSHU_STEP_NODE_WAIT_S)
    : 600) * 1000;
import type { AttackStepEvent, StepState } from '../../protocol/index.js';
import { ACTIONS } from '../actions/registry.js';
import type { ActionResult, Outcome, SharedState } from '../actions/types.js';
import type { Plan, PlannedStep } from '../plan/plan.js';
import { renderDeep, resolveNodeName, type TemplateScope } from '../plan/template.js';
import { round3 } from './clock.js';
import { RefusedError, type RangeView } from './range-view.js';
import { takesElse } from './scheduler.js';

export type Cleanup = NonNullable<ActionResult['cleanup']>;

export interface ExecutorOptions {
  plan: Plan;
  /** every step's state: the step run is updated in place; a `condition: {step}` reads another's */
  steps: ReadonlyMap<string, StepState>;
  /** implants and C2 listeners, shared by the steps of one attack */
  shared: SharedState;
  /** facts captured so far; a step's captures are added for the steps after it */
  captured: Record<string, string>;
  /** what the actions left behind, undone on stop in reverse order */
  cleanups: Cleanup[];
  /** where relative paths of the scenario (Atomic files) start from */
  baseDir: string;
  /** aborted on stop and suspend: running actions give up */
  signal: AbortSignal;
  /** how long a step waits for its node to run again (ENSHU_STEP_NODE_WAIT_S) */
  nodeWaitMs?: number;
  /** scenario seconds now */
  clock(): number;
  /** the attack was suspended: results arriving now are dropped, since a restart runs the step again */
  suspended(): boolean;
  /** a step ended with this event */
  record(event: AttackStepEvent): void;
  /** a step's state changed */
  changed(): void;
}

const log = createLogger('attacker/executor');
const IPV4_ANYWHERE = /\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\b/g;

export class StepExecutor {
  private readonly planned: ReadonlyMap<string, PlannedStep>;

  constructor(private readonly o: ExecutorOptions) {
    this.planned = new Map(o.plan.steps.map((p) => [p.id, p]));
  }

  /** Templates see the plan's facts, what earlier steps captured, and the range's addresses once known. */
  scope(range?: RangeView): TemplateScope {
    const { plan, captured } = this.o;
    return { facts: { ...plan.facts, ...captured }, nodes: plan.nodes, ...(range ? { ips: range.ipMap() } : {}) };
  }

  /** Runs `s` now. Never rejects: a refusal or an error becomes the step's outcome. */
  async run(s: StepState, range: RangeView, o: { replay: boolean }): Promise<void> {
    const p = this.planned.get(s.id)!;
    s.status = 'running';
    s.waitingFor = undefined;
    s.runs += 1;
    const startedAt = new Date().toISOString();
    const startClock = this.o.clock();
    this.o.changed();
    let result: ActionResult;
    try {
      result = await this.act(p, range, o.replay);
    } catch (err) {
      // the event keeps only the message; the stack is what finds a bug in an action
      if (!(err instanceof RefusedError))
        log.debug(
          { err, exercise: this.o.plan.exercise, team: this.o.plan.team, step: p.id },
          `step ${p.id}: its action threw; recorded as failed`,
        );
      result =
        err instanceof RefusedError
          ? { outcome: 'skipped', reason: err.message, evidence: '' }
          : { outcome: 'failed', reason: err instanceof Error ? err.message : String(err), evidence: '' };
    }
    if (this.o.suspended()) return;
    if (result.cleanup) this.o.cleanups.push(result.cleanup);
    const captured: Record<string, string> = {};
    if (result.outcome === 'succeeded') {
      for (const [name, re] of Object.entries(p.capture)) {
        const m = new RegExp(re, 'm').exec(result.output ?? '');
        if (m?.[1] !== undefined) this.o.captured[name] = captured[name] = m[1];
        // the steps that use {{name}} cannot run without it: the step did not do what they need
        else
          result = {
            ...result,
            outcome: 'failed',
            reason: `captured nothing for {{${name}}}: output did not match /${re}/`,
          };
      }
    }
    s.branchTaken = takesElse(p, s, { outcome: result.outcome, replay: o.replay });
    this.finish(s, p, result, { startedAt, startClock, captured });
  }

  /**
   * Gives `s` an outcome without running its action (a branch not taken, a predecessor that
   * failed, the instructor, a stop). `clock`: the scenario time to stamp, when the caller has one.
   */
  resolveWithoutRunning(s: StepState, reason: string, clock = this.o.clock()): void {
    const p = this.planned.get(s.id)!;
    // a step that never runs takes its else branch, so a fallback is never lost silently
    s.branchTaken = takesElse(p, s, { outcome: 'skipped' });
    this.finish(
      s,
      p,
      { outcome: 'skipped', reason, evidence: '' },
      { startedAt: new Date().toISOString(), startClock: clock, endClock: clock },
    );
  }

  private async act(p: PlannedStep, range: RangeView, replay: boolean): Promise<ActionResult> {
    const { plan } = this.o;
    const scope = this.scope(range);
    const node = resolveNodeName(p.node, plan.nodes);
    range.container(node); // refuses a node outside the team's range before anything runs
    const down = await this.nodeDown(range, node);
    if (down) return { outcome: 'failed', reason: down, evidence: '' };
    // a replay is the instructor's explicit order: the condition is not asked again
    if (p.condition && !replay) {
      const c = renderDeep(p.condition, scope);
      if ('step' in c) {
        const st = this.o.steps.get(c.step)!.status;
        if (!c.outcome.includes(st as Outcome))
          return {
            outcome: 'skipped',
            reason: `condition not met: step ${c.step} ${st}, not ${c.outcome.join('/')}`,
            evidence: '',
          };
      } else {
        const cnode = resolveNodeName(c.node, plan.nodes);
        const r = await range.sh(cnode, c.command, { timeoutMs: 30_000 });
        if (r.exitCode !== 0)
          return {
            outcome: 'skipped',
            reason: `condition not met on ${cnode}: \`${c.command}\` exited ${r.exitCode}`,
            evidence: (r.stdout + r.stderr).trim().slice(0, 300),
          };
      }
    }
    const params = renderDeep(p.params, scope);
    // every address an action names must be one of this team's; checked before it runs
    for (const m of JSON.stringify(params).matchAll(IPV4_ANYWHERE)) range.address(m[1]!);
    const def = ACTIONS.get(p.kind)!;
    const parsed = def.params.safeParse(params);
    if (!parsed.success) {
      return {
        outcome: 'failed',
        reason: `bad parameters: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        evidence: '',
      };
    }
    const result = await def.run(
      { range, node, step: p.id, shared: this.o.shared, baseDir: this.o.baseDir, signal: this.o.signal },
      parsed.data,
    );
    if (p.cleanup && result.outcome !== 'skipped') {
      const c = renderDeep(p.cleanup, scope);
      const base = result.cleanup;
      result.cleanup = {
        label: `${base ? `${base.label}; ` : ''}cleanup of ${p.id} on ${c.node}`,
        run: async () => {
          if (base) await base.run();
          await range.sh(resolveNodeName(c.node, plan.nodes), c.command);
        },
      };
    }
    return result;
  }

  /** Waits (bounded) for the step's node to run; says why when it did not come back in time. */
  private async nodeDown(range: RangeView, node: string): Promise<string | undefined> {
    const name = range.container(node);
    const waitMs = this.o.nodeWaitMs ?? NODE_WAIT_MS;
    const end = Date.now() + waitMs;
    let logged = false;
    for (;;) {
      const c = await range.engine.containers.inspect(name).catch(() => undefined);
      if (c?.state === 'running') return undefined;
      if (Date.now() >= end)
        return `node ${node} was not running (${c?.state ?? 'unreachable'}) for ${Math.round(waitMs / 1000)} s`;
      if (!logged) {
        log.warn({ team: this.o.plan.team, node }, `step waits for node ${node} (${c?.state ?? 'unreachable'})`);
        logged = true;
      }
      this.o.signal.throwIfAborted();
      await sleep(Math.min(2000, Math.max(0, end - Date.now())));
      this.o.signal.throwIfAborted();
    }
  }

  private finish(
    s: StepState,
    p: PlannedStep,
    r: ActionResult,
    at: { startedAt: string; startClock: number; endClock?: number; captured?: Record<string, string> },
  ): void {
    if (this.o.suspended()) return;
    const endedAt = new Date().toISOString();
    const { plan } = this.o;
    s.status = r.outcome;
    s.waitingFor = undefined;
    s.startedAt = at.startedAt;
    s.endedAt = endedAt;
    s.endClock = at.endClock ?? this.o.clock();
    s.reason = r.reason;
    s.evidence = r.evidence;
    const captured = at.captured ?? {};
    const event: AttackStepEvent = {
      type: 'attack.step',
      exercise: plan.exercise,
      team: plan.team,
      at: endedAt,
      scenario: plan.scenario,
      step: p.id,
      technique: p.technique,
      tactic: p.tactic,
      startedAt: at.startedAt,
      endedAt,
      outcome: r.outcome,
      ...(r.reason ? { reason: r.reason.slice(0, 1000) } : {}),
      evidence: r.evidence.slice(0, 2000),
      impact: p.impact && r.outcome === 'succeeded',
      startClock: round3(at.startClock),
      endClock: round3(s.endClock),
      ...(Object.keys(captured).length ? { captured } : {}),
    };
    this.o.record(event);
    this.o.changed();
  }
}
