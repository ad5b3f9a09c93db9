/**
 * A scenario's injects and vendor topics for one team, for the attack port (server/wiring.ts):
 * messages and answers are templates over the team's facts ({{marker}}, {{buyer_name}}…); a
 * name only a running attack knows (an address, a captured value) stays as written.
 */
import { planFor, renderTemplate, type Scenario } from '../../attacker/index.js';
import type { ScenarioIncidents } from '../ports.js';

export function scenarioIncidents(
  sc: Scenario,
  ctx: { exercise: string; team: string; seed: number },
): ScenarioIncidents {
  const facts = planFor(sc, ctx).facts;
  const fill = (s: string): string => {
    try {
      return renderTemplate(s, { facts });
    } catch {
      return s;
    }
  };
  const both = (t: { ja: string; en: string }) => ({ ja: fill(t.ja), en: fill(t.en) });
  return {
    injects: sc.injects.map((i) => ({
      id: i.id,
      when: 'at' in i.when ? { at: i.when.at } : { after: i.when.after, delay: i.when.delay },
      kind: i.kind,
      from: i.from,
      message: both(i.message),
      ...(i.expect
        ? {
            expect: {
              kind: i.expect.kind,
              ...(i.expect.recipient ? { recipient: i.expect.recipient } : {}),
              within: i.expect.within,
              points: i.expect.points,
            },
          }
        : {}),
    })),
    vendor: sc.vendor && {
      name: sc.vendor.name,
      delay: sc.vendor.delay,
      topics: sc.vendor.topics.map((t) => ({
        id: t.id,
        title: t.title,
        answer: both(t.answer),
        ...(t.delay !== undefined ? { delay: t.delay } : {}),
        accurate: t.accurate,
      })),
    },
  };
}
