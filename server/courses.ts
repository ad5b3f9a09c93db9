/**
 * GET /api/courses: the courses and, for each, the scenarios written for it — what the instructor's
 * "new exercise" form and the self-paced window form offer. Staff only (titles and durations, no steps).
 */
import { z } from 'zod';
import { courseScenarios } from './exercises/index.js';
import type { AttackPort } from './ports.js';
import { route, type RouteSpec } from './routes.js';

const text = z.object({ ja: z.string(), en: z.string() }).partial();
export const CoursesAnswer = z
  .object({
    courses: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        titleJa: z.string().optional(),
        method: z.enum(['group', 'online']),
        durationMinutes: z.number(),
        topology: z.string(),
        scenarios: z.array(
          z.object({ id: z.string(), title: text.optional(), expectedDuration: z.number().optional() }),
        ),
      }),
    ),
  })
  .openapi('Courses');

export function courseRoutes(attack: AttackPort | undefined): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/courses',
      summary: 'courses with the scenarios written for each (the first is the default)',
      roles: ['instructor', 'organizer'],
      response: CoursesAnswer,
      handler: () => ({
        courses: courseScenarios(attack?.listScenarios() ?? []) as z.input<typeof CoursesAnswer>['courses'],
      }),
    }),
  ];
}
