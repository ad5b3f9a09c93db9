/**
 * The plan of a scenario for one team: its facts and the schedule of every step (offsets in
 * scenario seconds, jitter already drawn). Pure and JSON-serialisable: the same
 * (scenario, team, seed) always gives the same plan, and a dry run needs no engine.
 */
import type { Scenario, Step, StepCondition } from '../scenario/schema.js';
import { deriveFacts } from './facts.js';
import { seededUnit } from './random.js';
import { renderDeep, resolveNodeName } from './template.js';

export interface PlanContext {
  exercise: string;
  team: string;
  seed: string | number;
}

export interface PlannedStep {
  id: string;
  title: { ja: string; en: string };
  technique: string;
  tactic: string;
  /** range node the action runs in */
  node: string;
  kind: string;
  /** parameters with facts filled in; `{{ip.*}}` stays until the range is resolved */
  params: Record<string, unknown>;
  /** fires at this scenario offset, or `delay + jitter` after `after` all finish */
  at?: number;
  after: string[];
  delay: number;
  /** the drawn jitter in seconds (may be negative; the wait never is) */
  jitter: number;
  /** scenario seconds from start if every action took no time */
  plannedOffset: number;
  condition?: StepCondition;
  else: string[];
  /** the step this one is a fallback of (runs only when that branch is taken) */
  branchOf?: string;
  impact: boolean;
  capture: Record<string, string>;
  cleanup?: { node: string; command: string };
}

export interface Plan {
  scenario: string;
  exercise: string;
  team: string;
  seed: string;
  facts: Record<string, string>;
  nodes: Record<string, string>;
  steps: PlannedStep[];
  /** planned offset of the last step */
  plannedEnd: number;
}

function drawJitter(range: number, seed: string, team: string, step: string): number {
  if (range <= 0) return 0;
  const u = seededUnit(seed, team, 'jitter', step);
  return Math.round((u * 2 - 1) * range * 1000) / 1000;
}

export function planFor(scenario: Scenario, ctx: PlanContext): Plan {
  const seed = String(ctx.seed);
  const facts = deriveFacts(scenario.facts, { exercise: ctx.exercise, team: ctx.team, seed, domain: scenario.domain });
  const nodes = renderDeep(scenario.nodes, { facts });
  const deferred = new Set(scenario.steps.flatMap((s) => Object.keys(s.capture)));
  const scope = { facts, nodes, deferred };
  const branchOf = new Map<string, string>();
  for (const s of scenario.steps) for (const e of s.else) branchOf.set(e, s.id);

  const byId = new Map(scenario.steps.map((s) => [s.id, s]));
  const offsets = new Map<string, number>();
  const offsetOf = (s: Step): number => {
    const known = offsets.get(s.id);
    if (known !== undefined) return known;
    const jitter = drawJitter(s.when.jitter, seed, ctx.team, s.id);
    let off: number;
    if ('at' in s.when) off = Math.max(0, s.when.at + jitter);
    else off = Math.max(...s.when.after.map((d) => offsetOf(byId.get(d)!))) + Math.max(0, s.when.delay + jitter);
    offsets.set(s.id, off);
    return off;
  };

  const steps = scenario.steps.map((s): PlannedStep => {
    const jitter = drawJitter(s.when.jitter, seed, ctx.team, s.id);
    const node = resolveNodeName(renderDeep(s.where, scope), nodes);
    const planned: PlannedStep = {
      id: s.id,
      title: s.title,
      technique: s.technique,
      tactic: s.tactic,
      node,
      kind: s.action.kind,
      params: renderDeep(s.action.params, scope, { keepUnresolved: true }),
      after: 'after' in s.when ? s.when.after : [],
      delay: 'after' in s.when ? s.when.delay : 0,
      jitter,
      plannedOffset: offsetOf(s),
      else: s.else,
      impact: s.impact,
      capture: s.capture,
    };
    if ('at' in s.when) planned.at = s.when.at;
    if (s.condition) planned.condition = renderDeep(s.condition, scope, { keepUnresolved: true });
    const parent = branchOf.get(s.id);
    if (parent) planned.branchOf = parent;
    if (s.cleanup) {
      planned.cleanup = {
        node: resolveNodeName(renderDeep(s.cleanup.node ?? s.where, scope), nodes),
        command: renderDeep(s.cleanup.command, scope, { keepUnresolved: true }),
      };
    }
    return planned;
  });
  return {
    scenario: scenario.id,
    exercise: ctx.exercise,
    team: ctx.team,
    seed,
    facts,
    nodes,
    steps,
    plannedEnd: Math.max(0, ...steps.map((s) => s.plannedOffset)),
  };
}
