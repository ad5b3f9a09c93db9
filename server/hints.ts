/**
 * The hints of a team's scenario, as each role may see them (server/visibility): staff see every
 * step with every hint's text (to choose one to release); trainees see only steps their attack has
 * reached or that they hold a hint for, named by an opaque reference, and the text only of hints
 * released to them or bought.
 */
import { route, type RouteSpec } from './routes.js';
import { routeTeam } from './access.js';
import { Answer } from './schemas.js';
import type { Views } from './snapshot.js';
import { hintsFor } from './visibility/index.js';

export type { HintView, StepHints } from '../protocol/index.js';

export function hintRoutes(v: Views): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/hints',
      summary: 'the scenario’s hints for a team (trainees: steps already reached; texts of hints they hold)',
      roles: ['instructor', 'organizer', 'trainee'],
      response: Answer.Hints,
      handler: ({ req, principal }) => {
        const { ex, t } = routeTeam(v.store, req);
        return { steps: hintsFor(v, principal!, ex, t) };
      },
    }),
  ];
}
