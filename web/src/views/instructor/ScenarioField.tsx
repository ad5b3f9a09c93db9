/**
 * The scenario of a new exercise: a choice among the selected course's scenarios (GET /api/scenarios),
 * the course's default first, titled in the reader's language. A course without any says so.
 */
import { useState } from 'react';
import { COURSE_IDS } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { useAsync } from '../../components/useAsync.js';

type Catalog = { courses: Record<string, { id: string; title: { ja: string; en: string } }[]> };

export function CourseAndScenario() {
  const { t, lang } = useI18n();
  const [course, setCourse] = useState<string>('A');
  const catalog = useAsync(() => api<Catalog>('GET', '/api/scenarios'), []);
  const offered = catalog.value?.courses[course] ?? [];
  return (
    <>
      <label htmlFor="ex-course">{t('ex.course')}</label>
      <select id="ex-course" name="course" value={course} onChange={(e) => setCourse(e.target.value)}>
        {COURSE_IDS.map((c) => (
          <option key={c} value={c}>
            {t(`course.${c}` as MessageKey)}
          </option>
        ))}
      </select>
      <label htmlFor="ex-scenario">{t('ex.scenario')}</label>
      {/* keyed by course: another course starts again from its own default */}
      <select
        id="ex-scenario"
        name="scenario"
        key={`${course}-${offered.length}`}
        required
        defaultValue={offered[0]?.id ?? ''}
      >
        {offered.length === 0 && (
          <option value="" disabled>
            {catalog.value ? t('ex.noScenario') : t('state.loading')}
          </option>
        )}
        {offered.map((s) => (
          <option key={s.id} value={s.id}>
            {s.title[lang]}
          </option>
        ))}
      </select>
    </>
  );
}
