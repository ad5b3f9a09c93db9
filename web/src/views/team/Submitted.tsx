/**
 * What the team has sent: its findings, response actions, reports (with the instructor's grade and
 * comment once graded) and recovery declarations, newest first. Everything here comes from the
 * team's own events in the live room, which the server projects for trainees (own team only).
 */
import type { StoredEvent } from '../../../../protocol/index.js';
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import { Empty, Panel } from '../../components/States.js';

type Ev = StoredEvent & Record<string, unknown>;
const FIELDS = ['occurredAt', 'affected', 'cause', 'outlook', 'alternatives', 'actions'] as const;

export function Submitted({ team, events }: { team: string; events: StoredEvent[] }) {
  const { t, lang } = useI18n();
  const mine = (events as Ev[]).filter((e) => e.team === team);
  const of = (type: string) => mine.filter((e) => e.type === type).reverse();
  const grades = new Map<string, Ev>();
  for (const g of of('report.graded').reverse()) grades.set(String(g.report), g);
  const findings = of('finding.submitted');
  const actions = of('action.submitted');
  const reports = of('report.submitted');
  const recoveries = of('recovery.declared');
  const head = (e: Ev) => `${timeOf(lang, e.at)} · ${String(e.by ?? '')}`;
  return (
    <Panel title={t('sub.title')} id="submitted">
      <h3>{t('sub.reports')}</h3>
      {reports.length === 0 ? (
        <Empty>{t('sub.none')}</Empty>
      ) : (
        <div className="reports" data-testid="sub-reports">
          {reports.map((r) => {
            const g = grades.get(String(r.id));
            const fields = (r.fields ?? {}) as Record<string, string>;
            return (
              <article key={r.seq} className="report" data-report={String(r.id)}>
                <h4>
                  {t(`report.kind.${String(r.kind)}` as MessageKey)} · {head(r)}
                </h4>
                <dl>
                  {FIELDS.map((f) => (
                    <div key={f}>
                      <dt>{t(`report.${f}`)}</dt>
                      <dd data-content="team">{fields[f]}</dd>
                    </div>
                  ))}
                </dl>
                {g ? (
                  <p className="grade" data-testid="sub-grade">
                    <strong>{t('sub.graded', { grade: Number(g.grade) })}</strong>
                    {g.comment ? ` ${t('sub.comment', { comment: String(g.comment) })}` : ''}
                  </p>
                ) : (
                  <p className="note">{t('sub.notGraded')}</p>
                )}
              </article>
            );
          })}
        </div>
      )}
      <h3>{t('sub.findings')}</h3>
      {findings.length === 0 ? (
        <Empty>{t('sub.none')}</Empty>
      ) : (
        <ul className="events" data-testid="sub-findings">
          {findings.map((f) => (
            <li key={f.seq}>
              {head(f)} ·{' '}
              {f.indicatorType ? (
                <>
                  {t(`indicator.${String(f.indicatorType)}` as MessageKey)} <code>{String(f.value ?? '')}</code>{' '}
                </>
              ) : null}
              {f.technique ? <code>{String(f.technique)}</code> : null}{' '}
              <span data-content="team">{String(f.text ?? '')}</span>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('sub.actions')}</h3>
      {actions.length === 0 ? (
        <Empty>{t('sub.none')}</Empty>
      ) : (
        <ul className="events" data-testid="sub-actions">
          {actions.map((a) => (
            <li key={a.seq}>
              {head(a)} · {a.node ? `${String(a.node)}: ` : ''}
              <span data-content="team">{String(a.what ?? '')}</span>
            </li>
          ))}
        </ul>
      )}
      {recoveries.length > 0 && (
        <>
          <h3>{t('sub.recoveries')}</h3>
          <ul className="events">
            {recoveries.map((a) => (
              <li key={a.seq}>
                {head(a)} · <span data-content="team">{String(a.what ?? '')}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}
