/**
 * The scoreboard's ground truth for one team, from the same facts that drive the attack:
 * indicators, containment/recovery checks and hints per step. `{{ip.*}}` needs the team's
 * addresses (`ips`); without them, indicators that use an address are left out.
 */
import type { CheckSpec, GroundTruth, Indicator, StepTruth } from '../../core/index.js';
import type { CheckInput, Scenario } from '../scenario/schema.js';
import { planFor, type PlanContext } from './plan.js';
import { render, resolveNodeName, type TemplateScope } from './template.js';

export interface TruthContext extends PlanContext {
  /** node (and node.segment) → address in the team's range */
  ips?: Record<string, string>;
  /** values a running attack captured from its steps' output */
  captured?: Record<string, string>;
}

/** Indicators naming an address not known yet, or a value captured while running, wait for the run. */
function renderable(s: string, scope: TemplateScope): boolean {
  try {
    render(s, scope);
    return true;
  } catch {
    return false;
  }
}

export function groundTruth(scenario: Scenario, ctx: TruthContext): GroundTruth {
  const plan = planFor(scenario, ctx);
  const scope: TemplateScope = {
    facts: { ...plan.facts, ...ctx.captured },
    nodes: plan.nodes,
    ...(ctx.ips ? { ips: ctx.ips } : {}),
  };
  const check = (c: CheckInput, kind: CheckSpec['kind'], step?: string): CheckSpec => ({
    id: c.id,
    kind,
    ...(step ? { step } : {}),
    title: c.title,
    node: resolveNodeName(render(c.node, scope), plan.nodes),
    command: render(c.command, scope, { keepUnresolved: true }),
    ...(c.user ? { user: c.user } : {}),
  });
  const steps = scenario.steps.map((s): StepTruth => ({
    id: s.id,
    title: s.title,
    technique: s.technique,
    tactic: s.tactic,
    impact: s.impact,
    indicators: s.indicators
      .filter((i) => renderable(i.value, scope))
      .map((i): Indicator => ({
        type: i.type,
        value: render(i.value, scope),
        ...(i.note ? { note: render(i.note, scope, { keepUnresolved: true }) } : {}),
      })),
    containment: s.containment.map((c) => check(c, 'containment', s.id)),
    recovery: s.recovery.map((c) => check(c, 'recovery', s.id)),
    hints: s.hints.map((h) => ({
      id: h.id,
      text: {
        ja: render(h.text.ja, scope, { keepUnresolved: true }),
        en: render(h.text.en, scope, { keepUnresolved: true }),
      },
      cost: h.cost,
    })),
  }));
  return {
    scenario: scenario.id,
    team: ctx.team,
    steps,
    availability: scenario.availability.map((c) => check(c, 'availability')),
  };
}
