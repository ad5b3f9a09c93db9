/**
 * The hints of a team's scenario, as each role may see them: staff see every step with every hint's
 * text (to choose one to release); trainees see only steps the attacker has already acted on or that
 * they hold a hint for, and the text only of hints released to them or bought.
 */
import type { StepHints, StoredEvent } from '../protocol/index.js';
import { route, type RouteSpec } from './routes.js';
import { assertAccess, isStaff } from './access.js';
import { Answer } from './schemas.js';
import type { Views } from './snapshot.js';

export type { HintView, StepHints } from '../protocol/index.js';

export function hintRoutes(v: Views): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/hints',
      summary: 'the scenario’s hints for a team (trainees: steps already seen; texts of hints they hold)',
      roles: ['instructor', 'organizer', 'trainee'],
      response: Answer.Hints,
      handler: ({ req, principal }) => {
        const ex = String(req.params.exercise);
        const team = String(req.params.team);
        assertAccess(principal, ex, team);
        v.store.exercises.team(ex, team);
        const staff = isStaff(principal);
        const log = v.scores.log(ex).filter((e: StoredEvent) => 'team' in e && e.team === team);
        const got = new Map<string, 'released' | 'bought'>();
        for (const e of log)
          if (e.type === 'hint.released' || e.type === 'hint.bought')
            got.set(`${e.step}\n${e.hint}`, e.type === 'hint.bought' ? 'bought' : 'released');
        const seen = new Set(log.filter((e) => e.type === 'attack.step').map((e) => (e as { step: string }).step));
        const truth = v.service.truths(ex).get(team);
        const steps: StepHints[] = (truth?.steps ?? [])
          .filter((s) => staff || seen.has(s.id) || s.hints.some((h) => got.has(`${s.id}\n${h.id}`)))
          .map((s) => ({
            step: s.id,
            title: s.title,
            technique: s.technique,
            hints: s.hints.map((h) => {
              const g = got.get(`${s.id}\n${h.id}`);
              return { id: h.id, cost: h.cost, ...(g ? { got: g } : {}), ...(staff || g ? { text: h.text } : {}) };
            }),
          }));
        return { steps };
      },
    }),
  ];
}
