/**
 * The scoreboard's ground truth for one team, from the same facts that drive the attack:
 * indicators, containment/recovery checks and hints per step. `{{ip.*}}` needs the team's
 * addresses (`ips`); without them, indicators that use an address are left out.
 */
import type { CheckSpec, GroundTruth, Indicator, Probe, StepTruth } from '../../core/index.js';
import type { CheckInput, ProbeInput, Scenario } from '../scenario/schema.js';
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
  const str = (s: string) => render(s, scope, { keepUnresolved: true });
  const nodeName = (n: string) => resolveNodeName(render(n, scope), plan.nodes);
  const probe = (p: ProbeInput): Probe => {
    switch (p.kind) {
      case 'process-absent':
        return { kind: p.kind, node: nodeName(p.node), pattern: str(p.pattern) };
      case 'file-absent':
        return { kind: p.kind, node: nodeName(p.node), path: str(p.path), ...(p.name ? { name: str(p.name) } : {}) };
      case 'file-contains':
      case 'file-lacks':
        return { kind: p.kind, node: nodeName(p.node), path: str(p.path), pattern: str(p.pattern) };
      case 'tcp-blocked':
        return { kind: p.kind, from: nodeName(p.from), to: str(p.to), port: p.port };
      case 'icmp-blocked':
        return { kind: p.kind, from: nodeName(p.from), to: str(p.to) };
      case 'proxy-blocked':
        return { kind: p.kind, node: nodeName(p.node), port: p.port, url: str(p.url) };
      case 'tcp-listening':
        return { kind: p.kind, node: nodeName(p.node), port: p.port };
      case 'login-refused':
        return {
          kind: p.kind,
          node: nodeName(p.node),
          service: p.service,
          user: str(p.user),
          password: str(p.password),
        };
    }
  };
  const check = (c: CheckInput, kind: CheckSpec['kind'], step?: string): CheckSpec => {
    const probes = c.probe ? (Array.isArray(c.probe) ? c.probe : [c.probe]).map(probe) : undefined;
    const first = probes?.[0];
    const node = c.node
      ? nodeName(c.node)
      : first && 'node' in first
        ? first.node
        : first && 'from' in first
          ? first.from
          : '';
    return {
      id: c.id,
      kind,
      ...(step ? { step } : {}),
      title: c.title,
      node,
      ...(probes ? { probes } : {}),
      ...(c.command ? { command: str(c.command) } : {}),
      ...(c.user ? { user: c.user } : {}),
    };
  };
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
