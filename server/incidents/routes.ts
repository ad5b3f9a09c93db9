/**
 * REST for incidents: a team's panel (alerts, injects, the vendor's answers; projected per role),
 * a team's question to the vendor, and an instructor's inject to one team or all.
 */
import { z } from 'zod';
import { IncidentsSchema, InjectRequestSchema, InjectSentSchema, VendorQuestionSchema } from '../../protocol/index.js';
import { routeExercise, routeTeam } from '../access.js';
import { route, type RouteSpec } from '../routes.js';
import type { Store } from '../store/index.js';
import type { InjectService } from './injects.js';
import type { VendorDesk } from './vendor.js';
import { incidentItems } from './view.js';

export function incidentRoutes(store: Store, injects: InjectService, vendor: VendorDesk): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/incidents',
      summary: 'the team’s SOC alerts, injects and vendor answers, and what it may ask the vendor about',
      roles: ['instructor', 'organizer', 'trainee'],
      response: IncidentsSchema,
      handler: ({ req, principal }) => {
        const { ex, t } = routeTeam(store, req);
        return { items: incidentItems(store.events.list(ex), t, principal!), topics: vendor.topics(ex, t) };
      },
    }),
    route({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/vendor',
      summary: 'ask the vendor (A Solutions) about one of its topics; the answer arrives later as vendor.answered',
      roles: ['instructor', 'trainee'],
      body: VendorQuestionSchema,
      response: z.object({ id: z.string() }),
      status: 201,
      handler: ({ req, principal, body }) => {
        const { ex, t } = routeTeam(store, req);
        return vendor.ask(ex, t, principal!.subject, body);
      },
    }),
    route({
      method: 'post',
      path: '/api/exercises/:exercise/injects',
      summary: 'send an inject (a call, a request, a notice, a vendor message) to one team, several or all',
      roles: ['instructor'],
      body: InjectRequestSchema,
      response: InjectSentSchema,
      status: 201,
      handler: ({ req, principal, body }) => {
        const ex = routeExercise(store, req);
        return { sent: injects.send(ex, body, principal!.subject) };
      },
    }),
  ];
}
