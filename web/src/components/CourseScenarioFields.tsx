/**
 * The course and scenario fields of a form: the scenario list offers only the scenarios the chosen
 * course's file names (GET /api/courses), the first one selected — the server refuses any other.
 */
import { useState } from 'react';
import { COURSE_IDS } from '../../../protocol/index.js';
import { api } from '../api.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { useAsync } from './useAsync.js';

export interface CourseInfo {
  id: string;
  method: 'group' | 'online';
  durationMinutes: number;
  scenarios: { id: string; title?: { ja?: string; en?: string } }[];
}

export function useCourses() {
  return useAsync(() => api<{ courses: CourseInfo[] }>('GET', '/api/courses'), []);
}

/** `prefix` keeps the element ids unique when two forms are on one page; `online` offers online courses only. */
export function CourseScenarioFields({
  prefix,
  online = false,
  defaultCourse,
}: {
  prefix: string;
  online?: boolean;
  defaultCourse?: string;
}) {
  const { t, lang } = useI18n();
  const courses = useCourses();
  const ids = (courses.value?.courses.filter((c) => !online || c.method === 'online').map((c) => c.id) ??
    COURSE_IDS.filter((c) => !online || c.startsWith('online'))) as string[];
  const [course, setCourse] = useState(defaultCourse ?? ids[0] ?? 'A');
  const scenarios = courses.value?.courses.find((c) => c.id === course)?.scenarios ?? [];
  return (
    <>
      <label htmlFor={`${prefix}-course`}>{t('ex.course')}</label>
      <select id={`${prefix}-course`} name="course" value={course} onChange={(e) => setCourse(e.target.value)}>
        {ids.map((c) => (
          <option key={c} value={c}>
            {t(`course.${c}` as MessageKey)}
          </option>
        ))}
      </select>
      <label htmlFor={`${prefix}-scenario`}>{t('ex.scenario')}</label>
      <select id={`${prefix}-scenario`} name="scenario" required key={course}>
        {scenarios.map((s) => (
          <option key={s.id} value={s.id}>
            {s.title?.[lang] ?? s.id}
          </option>
        ))}
      </select>
      {courses.value && scenarios.length === 0 && <small role="alert">{t('ex.noScenario')}</small>}
    </>
  );
}
