/**
 * The scenarios an instructor may pick for each course, for the exercise form: a course file's own
 * `scenarios` list where it has one (its first is the default), otherwise its default `scenario`
 * first and then every scenario whose `courses` name the course. Staff only (titles are not secret,
 * but trainees have no use for the catalogue).
 */
import { z } from 'zod';
import { listCourses, loadCourse } from '../orchestrator/index.js';
import type { AttackPort } from './ports.js';
import { route, type RouteSpec } from './routes.js';

const Title = z.object({ ja: z.string(), en: z.string() });
export const ScenarioCatalogAnswer = z.object({
  courses: z.record(z.string(), z.array(z.object({ id: z.string(), title: Title }))),
});
export type ScenarioCatalog = z.infer<typeof ScenarioCatalogAnswer>;

interface Summary {
  id: string;
  title: { ja: string; en: string };
  courses: string[];
}

const summaryOf = (s: unknown): Summary | undefined => {
  const x = s as Partial<Summary> | undefined;
  return x && typeof x.id === 'string' && x.title
    ? { id: x.id, title: x.title, courses: Array.isArray(x.courses) ? x.courses : [] }
    : undefined;
};

export function scenarioCatalog(attack: AttackPort | undefined): ScenarioCatalog {
  const all = (attack?.listScenarios() ?? []).flatMap((s) => summaryOf(s) ?? []);
  const byId = new Map(all.map((s) => [s.id, s]));
  const courses: ScenarioCatalog['courses'] = {};
  for (const c of listCourses()) {
    const course = loadCourse(c) as { scenario?: string; scenarios?: string[] };
    const ids = course.scenarios ?? [
      ...(course.scenario ? [course.scenario] : []),
      ...all.filter((s) => s.courses.includes(c)).map((s) => s.id),
    ];
    courses[c] = [...new Set(ids)].flatMap((id) => {
      const s = byId.get(id);
      return s ? [{ id, title: s.title }] : [];
    });
  }
  return { courses };
}

export function catalogRoutes(attack: AttackPort | undefined): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/api/scenarios',
      summary: 'the scenarios each course offers when an exercise is created (the first is the default)',
      roles: ['instructor', 'organizer'],
      response: ScenarioCatalogAnswer,
      handler: () => scenarioCatalog(attack),
    }),
  ];
}
