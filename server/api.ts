/**
 * Every REST route of the exercise server, as data: express mounts them and /api/docs describes them.
 * Each declares its answer (`response`, from schemas.ts); `route()` makes the compiler hold the handler to it.
 */
import type { Request, RequestHandler } from 'express';
import type { z } from 'zod';
import { EventSchema, type EnshuEvent, type StoredEvent } from '../protocol/index.js';
import type { Principal, Store } from './store/index.js';
import { isStaff, routeExercise, routeTeam } from './access.js';
import { RateLimitedError } from './http-errors.js';
import { RateLimiter } from './rate-limit.js';
import { route as r, type OpenApiDocument, type RouteSpec } from './routes.js';
import * as B from './schemas.js';
import { snapshot, type Views } from './snapshot.js';
import {
  eventFor,
  eventsFor,
  exerciseFor,
  hintStepFor,
  isTrainee,
  scoresFor,
  teamsFor,
  timelineFor,
} from './visibility/index.js';
import type { Exporter } from './results.js';

export interface ApiDeps extends Views {
  store: Store;
  exporter?: Exporter;
  limits?: { loginPerMinute?: number; submissionsPerMinute?: number };
  /** the generated OpenAPI document */
  docs: () => OpenApiDocument;
  /** server facts for /api/health */
  health: () => z.input<typeof A.Health>;
}

function limiter(l: RateLimiter, key: (req: Request, principal?: Principal) => string): RequestHandler {
  return (req, res, next) => {
    const wait = l.hit(key(req, res.locals.principal as Principal | undefined));
    if (wait) throw new RateLimitedError(wait);
    next();
  };
}

const param = (req: Request, k: string): string => String(req.params[k]);
/** the answers' schemas */
const A = B.Answer;

export function apiRoutes(d: ApiDeps): RouteSpec[] {
  const submissions = new RateLimiter(d.limits?.submissionsPerMinute ?? 30, 60_000);
  const byPrincipal = limiter(submissions, (_req, p) => `${p?.exercise}/${p?.team}/${p?.subject}`);
  const staff: RouteSpec['roles'] = ['instructor', 'organizer'];
  const all: RouteSpec['roles'] = ['instructor', 'organizer', 'trainee'];
  const S = d.service;

  // the caller's scope was checked when the route was mounted; these look the names up (404)
  const team = (req: Request) => routeTeam(d.store, req);
  const exercise = (req: Request) => routeExercise(d.store, req);
  /** the answer to a submission: the stored event, as its sender may see it */
  const own = (p: Principal, e: StoredEvent): StoredEvent => {
    const v = eventFor(d, p, e);
    if (!v) throw new Error(`a ${e.type} event has no view for its sender`);
    return v;
  };
  const submit = (
    type: 'finding.submitted' | 'action.submitted' | 'report.submitted' | 'recovery.declared',
    summary: string,
    body: z.ZodTypeAny,
    path: string,
  ): RouteSpec =>
    r({
      method: 'post',
      path: `/api/exercises/:exercise/teams/:team/${path}`,
      summary,
      roles: ['trainee', 'instructor'],
      body,
      response: A.Event,
      before: [byPrincipal],
      handler: ({ req, principal, body: b }) => {
        const { ex, t } = team(req);
        return { event: own(principal!, S.submit(ex, t, principal!, { ...(b as object), type } as never)) };
      },
    });
  const transition = (verb: 'start' | 'pause' | 'resume' | 'archive'): RouteSpec =>
    r({
      method: 'post',
      path: `/api/exercises/:exercise/${verb}`,
      summary: `${verb} the exercise`,
      roles: ['instructor'],
      response: A.Exercise,
      handler: async ({ req, principal }) => ({ exercise: await S[verb](param(req, 'exercise'), principal!.subject) }),
    });

  function organizerRoutes(exporter: Exporter): RouteSpec[] {
    return [
      r({
        method: 'get',
        path: '/api/exercises/:exercise/teams/:team/timeline',
        summary: 'after-action timeline of one team',
        roles: all,
        response: A.Timeline,
        handler: ({ req, principal }) => {
          const { ex, t } = team(req);
          return timelineFor(d, principal!, ex, exporter.timeline(ex, t));
        },
      }),
      r({
        method: 'get',
        path: '/api/exercises/:exercise/results',
        summary: 'results per team and phase; ?format=csv',
        roles: staff,
        query: B.FormatQuery,
        response: A.Results,
        produces: 'text/csv',
        handler: ({ req, res, query }) => {
          const ex = param(req, 'exercise');
          d.store.exercises.get(ex);
          if (query.format === 'csv') return void res.type('text/csv').send(exporter.resultsCsv(ex));
          return exporter.results(ex);
        },
      }),
      r({
        method: 'get',
        path: '/api/stats',
        summary: 'sessions, participants and average scores per course and fiscal year; ?format=csv',
        roles: staff,
        query: B.FormatQuery,
        response: A.Stats,
        produces: 'text/csv',
        handler: ({ res, query }) => {
          if (query.format === 'csv') return void res.type('text/csv').send(exporter.statsCsv());
          return exporter.stats();
        },
      }),
      r({
        method: 'get',
        path: '/api/stats/yearly',
        summary:
          "sessions, participants, venues and period per fiscal year and course with totals (the seed's table); ?format=csv&lang=ja|en",
        roles: staff,
        query: B.YearlyQuery,
        response: A.Yearly,
        produces: 'text/csv',
        handler: ({ res, query }) => {
          if (query.format === 'csv') return void res.type('text/csv').send(exporter.yearlyCsv(query.lang));
          return { table: exporter.yearly() };
        },
      }),
      r({
        method: 'post',
        path: '/api/stats/yearly',
        summary: 'import past fiscal years from CSV (each year in the file replaces what was imported for it)',
        roles: ['organizer', 'instructor'],
        body: B.YearlyImportBody,
        response: A.YearlyImport,
        handler: ({ body }) => ({ imported: exporter.importYearly(body.csv), table: exporter.yearly() }),
      }),
    ];
  }

  return [
    r({
      method: 'get',
      path: '/api/health',
      summary: 'liveness and store facts (no token)',
      roles: 'public',
      response: A.Health,
      handler: () => d.health(),
    }),
    r({
      method: 'get',
      path: '/api/docs',
      summary: 'this OpenAPI document',
      roles: 'public',
      response: A.Docs,
      // the generator's document types are interfaces without index signatures,
      // so they do not meet the open schema's type
      handler: () => d.docs() as z.input<typeof A.Docs>,
    }),
    r({
      method: 'get',
      path: '/api/me',
      summary: 'who the token speaks for',
      roles: all,
      response: A.Principal,
      handler: ({ principal }) => principal,
    }),
    r({
      method: 'get',
      path: '/api/users',
      summary: 'staff users',
      roles: ['instructor'],
      response: A.Users,
      handler: () => ({ users: d.store.auth.users() }),
    }),
    r({
      method: 'get',
      path: '/api/exercises',
      summary: 'exercises (trainees: their own)',
      roles: all,
      response: A.Exercises,
      handler: ({ principal }) => ({
        exercises: d.store.exercises
          .list()
          .filter((x) => isStaff(principal) || x.id === principal!.exercise)
          .map((x) => exerciseFor(principal!, x)),
      }),
    }),
    r({
      method: 'post',
      path: '/api/exercises',
      summary: 'create an exercise from a course (teams, members, seed, scenario, schedule)',
      roles: ['instructor'],
      body: B.CreateExerciseBody,
      response: A.Created,
      status: 201,
      handler: ({ principal, body }) => {
        const x = S.create(body, principal!.subject);
        return { exercise: x, teams: d.store.exercises.teams(x.id) };
      },
    }),
    r({
      method: 'get',
      path: '/api/exercises/:exercise',
      summary: 'one exercise, its teams (join codes for staff) and attack state',
      roles: all,
      response: A.ExerciseDetail,
      handler: ({ req, principal }) => {
        const ex = exercise(req);
        const p = principal!;
        return {
          exercise: exerciseFor(p, d.store.exercises.get(ex)),
          teams: teamsFor(p, d.store.exercises.teams(ex)),
          ...(isTrainee(p) ? {} : { runners: S.runnerStates(ex) }),
        };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/provision',
      summary: 'build the team ranges (progress on the socket); 202',
      roles: ['instructor'],
      response: A.Exercise,
      status: 202,
      handler: ({ req, principal }) => {
        const { exercise: x } = S.provision(param(req, 'exercise'), principal!.subject);
        return { exercise: x };
      },
    }),
    transition('start'),
    transition('pause'),
    transition('resume'),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/end',
      summary: 'end the exercise (stops attackers and checks)',
      roles: ['instructor'],
      response: A.Exercise,
      handler: async ({ req, principal }) => ({ exercise: await S.end(param(req, 'exercise'), principal!.subject) }),
    }),
    transition('archive'),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/speed',
      summary: 'attack speed for every team',
      roles: ['instructor'],
      body: B.SpeedBody,
      response: A.Speed,
      handler: ({ req, body }) => {
        S.setSpeed(param(req, 'exercise'), body.speed);
        return { speed: body.speed };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/events',
      summary: 'inject events with explicit timestamps (replays, imports, drills)',
      roles: ['instructor'],
      body: B.EventsBody,
      response: A.Events,
      handler: ({ req, body }) => {
        const ex = param(req, 'exercise');
        d.store.exercises.get(ex);
        const events = body.events.map((e) => EventSchema.parse({ ...e, exercise: ex }) as EnshuEvent);
        return { events: d.store.events.appendMany(events) };
      },
    }),
    r({
      method: 'get',
      path: '/api/exercises/:exercise/events',
      summary: 'the log (trainees: their team and exercise-wide events); ?after=seq',
      roles: all,
      query: B.EventsQuery,
      response: A.Events,
      handler: ({ req, principal, query }) => {
        const ex = exercise(req);
        return {
          events: eventsFor(
            d,
            principal!,
            ex,
            d.scores.log(ex).filter((e: StoredEvent) => e.seq > (query.after ?? 0)),
            null,
          ),
        };
      },
    }),
    r({
      method: 'get',
      path: '/api/exercises/:exercise/scores',
      summary: 'scores (trainees: own breakdown, ranking if the course allows)',
      roles: all,
      response: A.Scores,
      handler: ({ req, principal }) => scoresFor(d, principal!, exercise(req)),
    }),
    r({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team',
      summary: 'snapshot of one team: events, score, attack state',
      roles: all,
      response: A.Snapshot,
      handler: ({ req, principal }) => {
        const { ex, t } = team(req);
        return snapshot(d, principal!, ex, t);
      },
    }),
    r({
      method: 'get',
      path: '/api/exercises/:exercise/teams/:team/score',
      summary: 'one team’s score breakdown',
      roles: all,
      response: A.TeamScore,
      handler: ({ req, principal }) => {
        const { ex, t } = team(req);
        const s = scoresFor(d, principal!, ex);
        return { score: s.scores.find((x) => x.team === t) ?? null, ...(s.frozenAt ? { frozenAt: s.frozenAt } : {}) };
      },
    }),
    submit('finding.submitted', 'submit a finding (indicator or ATT&CK technique)', B.FindingBody, 'findings'),
    submit('action.submitted', 'declare a response action', B.ActionBody, 'actions'),
    submit('report.submitted', 'file an incident report (MIC guideline fields)', B.ReportBody, 'reports'),
    submit('recovery.declared', 'declare a recovery', B.RecoveryBody, 'recoveries'),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/hints/buy',
      summary: 'buy a hint (costs points)',
      roles: ['trainee'],
      body: B.HintBody,
      response: A.Event,
      before: [byPrincipal],
      handler: ({ req, principal, body }) => {
        const { ex, t } = team(req);
        const step = hintStepFor(d, principal!, ex, t, body.step);
        return { event: own(principal!, S.buyHint(ex, t, step, body.hint)) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/hints/release',
      summary: 'release a hint to a team (free)',
      roles: ['instructor'],
      body: B.HintBody,
      response: A.Event,
      handler: ({ req, body }) => {
        const { ex, t } = team(req);
        return { event: S.releaseHint(ex, t, body.step, body.hint) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/reports/:report/grade',
      summary: 'grade a report (0..1) with a comment',
      roles: ['instructor'],
      body: B.GradeBody,
      response: A.Event,
      handler: ({ req, principal, body }) => {
        const { ex, t } = team(req);
        return { event: S.grade(ex, t, param(req, 'report'), principal!.subject, body.grade, body.comment) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/skip',
      summary: 'skip a step of the team’s attack',
      roles: ['instructor'],
      body: B.StepBody,
      response: A.RunnerState,
      handler: ({ req, body, principal }) => {
        const { ex, t } = team(req);
        return { state: S.control(ex, t, 'skip', body.step, principal!.subject) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/replay',
      summary: 'replay a step of the team’s attack',
      roles: ['instructor'],
      body: B.StepBody,
      response: A.RunnerState,
      handler: ({ req, body, principal }) => {
        const { ex, t } = team(req);
        return { state: S.control(ex, t, 'replay', body.step, principal!.subject) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/restart-attack',
      summary: 'restart the team’s attack from its beginning (the old one is stopped and its traces undone)',
      roles: ['instructor'],
      response: A.RunnerState,
      handler: async ({ req, principal }) => {
        const { ex, t } = team(req);
        return { state: await S.restartAttack(ex, t, principal!.subject) };
      },
    }),
    r({
      method: 'post',
      path: '/api/exercises/:exercise/teams/:team/reset',
      summary: 'reset a node or the whole team range',
      roles: ['instructor'],
      body: B.ResetBody,
      response: A.Reset,
      handler: async ({ req, body, principal }) => {
        const { ex, t } = team(req);
        await S.reset(ex, t, body.node, principal!.subject);
        return { reset: { exercise: ex, team: t, node: body.node ?? null } };
      },
    }),
    ...(d.exporter ? organizerRoutes(d.exporter) : []),
  ];
}
