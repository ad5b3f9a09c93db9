/**
 * REST of self-paced mode (docs/api.md, "Self-paced"): instructors open and close windows and watch
 * them; a trainee registers with a window code (public, unknown codes limited per address like
 * join codes), then reads their seat and starts, pauses and finishes their own clock.
 */
import type { Request } from 'express';
import { z } from 'zod';
import { COURSE_IDS, SelfPacedSeatSchema, SelfPacedWindowSchema, TeamIdSchema } from '../../protocol/index.js';
import { FailureLimiter, FAILURE_LIMITS } from '../rate-limit.js';
import { RateLimitedError } from '../http-errors.js';
import { AuthError } from '../store/index.js';
import { route, type RouteSpec } from '../routes.js';
import { seatFor } from '../visibility/index.js';
import type { SelfPacedService } from './service.js';

const iso = z.string().datetime({ offset: true });
const name = z.string().trim().min(1).max(80);

export const OpenWindowBody = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,19}$/, 'lower-case letters, digits and "-", at most 20 characters'),
    title: z.string().max(200).optional(),
    course: z.enum(COURSE_IDS),
    /** by default the first scenario the course file names */
    scenario: z.string().min(1).max(100).optional(),
    opensAt: iso,
    closesAt: iso,
    /** ranges of this window at once (the host's own limit applies too) */
    capacity: z.number().int().min(1).max(200),
    /** minutes without activity after which a trainee's range is torn down */
    idleMinutes: z
      .number()
      .min(1)
      .max(24 * 60)
      .default(30),
    speed: z.number().positive().max(1000).default(1),
  })
  .strict()
  .openapi('OpenWindowBody');

export const RegisterBody = z
  .object({ code: z.string().trim().min(4).max(20), name })
  .strict()
  .openapi('RegisterBody');

const WindowAnswer = z.object({ window: SelfPacedWindowSchema }).openapi('SelfPacedWindowAnswer');
const WindowsAnswer = z
  .object({
    windows: z.array(SelfPacedWindowSchema),
    host: z.object({ maxRanges: z.number().int(), active: z.number().int(), queued: z.number().int() }),
  })
  .openapi('SelfPacedWindows');
const SeatAnswer = z.object({ seat: SelfPacedSeatSchema }).openapi('SelfPacedSeatAnswer');
const MySeatAnswer = z.object({ seat: SelfPacedSeatSchema.nullable() }).openapi('MySelfPacedSeatAnswer');
const RegisterAnswer = z
  .object({
    token: z.string(),
    role: z.literal('trainee'),
    exercise: z.string(),
    team: TeamIdSchema,
    teamName: z.string(),
    /** the team's join code: to come back from another browser (grants what the token grants) */
    joinCode: z.string(),
    seat: SelfPacedSeatSchema,
  })
  .openapi('RegisterAnswer');

const address = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function selfPacedRoutes(sp: SelfPacedService, limits: { joinFailures?: number } = {}): RouteSpec[] {
  // unknown window codes count against the same budget as unknown join codes, per address
  const failures = new FailureLimiter(
    limits.joinFailures ?? FAILURE_LIMITS.join.failures,
    FAILURE_LIMITS.join.windowMs,
  );
  const trainee = (verb: 'start' | 'pause' | 'finish', summary: string): RouteSpec =>
    route({
      method: 'post',
      path: `/api/selfpaced/me/${verb}`,
      summary,
      roles: ['trainee'],
      response: SeatAnswer,
      handler: async ({ principal }) => ({ seat: seatFor(principal!, await sp[verb](principal!)) }),
    });
  return [
    route({
      method: 'post',
      path: '/api/selfpaced/windows',
      summary: 'open a self-paced window for an online course (dates, capacity, idle limit) → its code',
      roles: ['instructor'],
      body: OpenWindowBody,
      response: WindowAnswer,
      status: 201,
      handler: ({ principal, body }) => ({ window: sp.open(body, principal!.subject) }),
    }),
    route({
      method: 'get',
      path: '/api/selfpaced/windows',
      summary: 'self-paced windows with their seats (state, queue, clock) and the host’s range limit',
      roles: ['instructor', 'organizer'],
      response: WindowsAnswer,
      handler: () => sp.windows(),
    }),
    route({
      method: 'post',
      path: '/api/selfpaced/windows/:window/close',
      summary: 'close a window now: no more registrations, queued seats expire, running ones go on',
      roles: ['instructor'],
      response: WindowAnswer,
      handler: async ({ req }) => ({ window: await sp.close(String(req.params.window)) }),
    }),
    route({
      method: 'post',
      path: '/api/selfpaced/register',
      summary:
        'register in a window with its code → a trainee token for an exercise of one’s own (range built now or queued)',
      roles: 'public',
      body: RegisterBody,
      response: RegisterAnswer,
      status: 201,
      handler: ({ req, body }) => {
        const key = `ip:${address(req)}`;
        const wait = failures.check(key);
        if (wait) throw new RateLimitedError(wait);
        try {
          const r = sp.register(body.code, body.name);
          const own = sp.seat(r.seat.exercise);
          const seat = seatFor({ role: 'trainee', subject: body.name, exercise: own.exercise, team: own.team }, own);
          return {
            token: r.token,
            role: 'trainee' as const,
            exercise: seat.exercise,
            team: seat.team,
            teamName: r.teamName,
            joinCode: r.joinCode,
            seat,
          };
        } catch (err) {
          if (err instanceof AuthError) failures.fail(key);
          throw err;
        }
      },
    }),
    route({
      method: 'get',
      path: '/api/selfpaced/me',
      summary:
        'the caller’s seat: state, queue position, clock (reading it counts as activity); null outside self-paced',
      roles: ['trainee'],
      response: MySeatAnswer,
      handler: ({ principal }) => {
        const mine = sp.mine(principal!);
        return { seat: mine && seatFor(principal!, mine) };
      },
    }),
    trainee('start', 'start (or resume) one’s own clock and the attack, once the range is ready'),
    trainee('pause', 'pause one’s own clock and the attack'),
    trainee('finish', 'finish: the exercise ends (scores stay) and the range is torn down'),
  ];
}
