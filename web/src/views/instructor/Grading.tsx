/**
 * Reports to grade. A report already graded shows its saved grade and comment (the latest
 * `report.graded` of the log) with a "graded" marker, so a reload never offers the default grade
 * again and a second save is a deliberate change, not an accidental overwrite.
 */
import type { StoredEvent } from '../../../../protocol/index.js';
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import { Empty } from '../../components/States.js';
import { GradeRubric } from './GradeRubric.js';

type Report = StoredEvent & { team: string; id: string; kind: string; by: string; fields: Record<string, string> };
type Grade = StoredEvent & { team: string; report: string; grade: number; comment: string; by: string };

export const REPORT_FIELDS = ['occurredAt', 'affected', 'cause', 'outlook', 'alternatives', 'actions'] as const;

/** The latest grade of each report, by report id. */
export function latestGrades(events: readonly StoredEvent[]): Map<string, Grade> {
  const out = new Map<string, Grade>();
  for (const e of events) if (e.type === 'report.graded') out.set((e as Grade).report, e as Grade);
  return out;
}

export function Grading({ events, act }: { events: StoredEvent[]; act: (p: string, b?: unknown) => void }) {
  const { t, lang } = useI18n();
  const reports = events.filter((e) => e.type === 'report.submitted') as Report[];
  const grades = latestGrades(events);
  if (!reports.length) return <Empty>{t('grade.none')}</Empty>;
  return (
    <div className="reports">
      {reports.map((r) => {
        const g = grades.get(r.id);
        return (
          <article key={r.id} className="report" data-testid={`report-${r.id}`} data-graded={g ? 'yes' : 'no'}>
            <h3>
              {r.team} · {t(`report.kind.${r.kind}` as MessageKey)} · {r.by} · {timeOf(lang, r.at)}{' '}
              {g ? (
                <span className="badge graded" data-testid="graded">
                  {t('grade.graded', { grade: g.grade, by: g.by, at: timeOf(lang, g.at) })}
                </span>
              ) : (
                <span className="badge ungraded">{t('grade.ungraded')}</span>
              )}
            </h3>
            <dl>
              {REPORT_FIELDS.map((f) => (
                <div key={f}>
                  <dt>{t(`report.${f}`)}</dt>
                  <dd data-content="team">{r.fields[f]}</dd>
                </div>
              ))}
            </dl>
            <GradeRubric report={r} />
            <form
              // a new saved grade (here or from another instructor) resets the fields to it
              key={g?.seq ?? 'new'}
              className="inline"
              onSubmit={(e) => {
                e.preventDefault();
                const d = new FormData(e.currentTarget);
                act(`teams/${r.team}/reports/${r.id}/grade`, {
                  grade: Number(d.get('grade')),
                  comment: String(d.get('comment') ?? ''),
                });
              }}
            >
              <label htmlFor={`g-${r.id}`}>{t('grade.value')}</label>
              <input
                id={`g-${r.id}`}
                name="grade"
                type="number"
                min={0}
                max={1}
                step={0.1}
                defaultValue={g ? g.grade : 1}
                required
              />
              <label htmlFor={`c-${r.id}`}>{t('grade.comment')}</label>
              <input id={`c-${r.id}`} name="comment" defaultValue={g?.comment ?? ''} />
              <button type="submit">{g ? t('grade.update') : t('grade.submit')}</button>
            </form>
          </article>
        );
      })}
    </div>
  );
}
