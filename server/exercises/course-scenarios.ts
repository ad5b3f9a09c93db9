/**
 * The binding of courses and scenarios: a course file names the scenarios written for it
 * (`scenarios:`), a scenario names its courses (`courses:`). An exercise may play a scenario only
 * where both agree, so a B-1 class never gets course A's story on a range it was not written for.
 */
import { ConfigError } from '../../core/index.js';
import { listCourses, loadCourse } from '../../orchestrator/index.js';

export interface ScenarioForCourse {
  id: string;
  title?: unknown;
  courses: string[];
  expectedDuration?: number;
}

/** The shipped scenarios as the attack port lists them, reduced to what the binding reads. */
export function scenarioSummaries(list: unknown[]): ScenarioForCourse[] {
  return list.flatMap((s): ScenarioForCourse[] => {
    if (typeof s === 'string') return [{ id: s, courses: [] }];
    if (!s || typeof s !== 'object' || !('id' in s)) return [];
    const o = s as { id: unknown; title?: unknown; courses?: unknown; expectedDuration?: unknown };
    return [
      {
        id: String(o.id),
        title: o.title,
        courses: Array.isArray(o.courses) ? o.courses.map(String) : [],
        ...(typeof o.expectedDuration === 'number' ? { expectedDuration: o.expectedDuration } : {}),
      },
    ];
  });
}

/**
 * Throws (400) unless `scenario` is a known scenario that names `course` among its courses. The
 * message says what the course plays. The course file's list is what the UI offers first; a
 * scenario written for the course but not (yet) in its file — a drill of the instructor's own,
 * another attack port's — is still allowed, as its `courses` say it was written for that course.
 */
export function checkScenarioForCourse(list: unknown[], scenario: string, course: string): void {
  const all = scenarioSummaries(list);
  const s = all.find((x) => x.id === scenario);
  if (!s) throw new ConfigError(`unknown scenario "${scenario}"`);
  const named = listCourses().includes(course) ? loadCourse(course).scenarios : [];
  const plays = named.filter((id) => all.some((x) => x.id === id));
  const hint = plays.length ? `; course ${course} plays ${plays.join(', ')}` : '';
  // a scenario without `courses` is refused too: it was not written for any course
  if (!s.courses.includes(course))
    throw new ConfigError(
      `scenario "${scenario}" is written for course ${s.courses.join(', ') || '(none)'}, not for course ${course}${hint}`,
    );
}

/**
 * Every course with the scenarios its file names that are shipped here (a course file may name
 * a scenario another part of the project has not delivered yet; it is left out, not offered).
 */
export function courseScenarios(list: unknown[]): {
  id: string;
  title: string;
  titleJa?: string;
  method: 'group' | 'online';
  durationMinutes: number;
  topology: string;
  scenarios: { id: string; title?: unknown; expectedDuration?: number }[];
}[] {
  const all = scenarioSummaries(list);
  return listCourses().map((id) => {
    const c = loadCourse(id);
    return {
      id,
      title: c.title,
      ...(c.titleJa ? { titleJa: c.titleJa } : {}),
      method: c.method,
      durationMinutes: c.durationMinutes,
      topology: c.topology,
      scenarios: c.scenarios.flatMap((sid) => {
        const s = all.find((x) => x.id === sid && x.courses.includes(id));
        return s
          ? [
              {
                id: s.id,
                ...(s.title !== undefined ? { title: s.title } : {}),
                ...(s.expectedDuration !== undefined ? { expectedDuration: s.expectedDuration } : {}),
              },
            ]
          : [];
      }),
    };
  });
}
