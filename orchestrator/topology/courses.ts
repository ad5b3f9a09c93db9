import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { NotFoundError, topologiesDir, loadYamlFile } from '../../core/index.js';
import { loadTopologyById } from './load.js';
import type { Topology } from './schema.js';

export const DEFAULT_TOPOLOGY = 'cyder-standard';

/**
 * A CYDER course (CONTEXT.md "Courses"): which range it runs on, for how many people per
 * team and how long, the scenarios written for it (the first is the default), the hint policy
 * and the scoring weights.
 */
export const CourseSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,23}$/),
    title: z.string().min(1),
    titleJa: z.string().optional(),
    method: z.enum(['group', 'online']),
    level: z.enum(['introductory', 'beginner', 'beginner-equivalent', 'intermediate', 'semi-advanced']),
    audience: z.string().min(1),
    organisations: z.string().min(1),
    topology: z.string().min(1),
    teamSize: z
      .object({ min: z.number().int().min(1), max: z.number().int().min(1).max(8) })
      .strict()
      .refine((t) => t.min <= t.max, 'teamSize.min must not be above teamSize.max'),
    durationMinutes: z
      .number()
      .int()
      .min(10)
      .max(24 * 60),
    /**
     * The scenarios written for this course (attacker/scenarios/<id>.yaml), the first one the default.
     * The instructor may pick only these; the server also refuses a scenario whose own `courses`
     * does not name the course.
     */
    scenarios: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,47}$/)).min(1, 'a course names at least one scenario'),
    hints: z
      .object({
        /** off: no hints; free: hints cost nothing; cost: each hint costs points. */
        policy: z.enum(['off', 'free', 'cost']),
        cost: z.number().min(0).optional(),
        maxPerTeam: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    /** Weights of the four phases; filled by the scoring issue. */
    scoring: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Course = z.output<typeof CourseSchema>;

function coursesDir(): string {
  return join(topologiesDir(), 'courses');
}

export function listCourses(dir = coursesDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort();
}

export function loadCourse(id: string, dir = coursesDir()): Course {
  const known = listCourses(dir);
  if (!known.includes(id)) throw new NotFoundError(`unknown course "${id}" (known: ${known.join(', ')})`);
  const course = loadYamlFile(join(dir, `${id}.yaml`), CourseSchema);
  if (course.id !== id) throw new NotFoundError(`course file ${id}.yaml declares id "${course.id}"; they must match`);
  return course;
}

/** The topology a course runs on; an unknown course id is an error listing the known ones. */
export function topologyForCourse(course: string): Topology {
  return loadTopologyById(loadCourse(course).topology);
}
