/**
 * The printable after-action report of one exercise: a header (exercise, course, dates, teams),
 * the scores of every team, then for each team its members, its timeline and its graded reports,
 * one team to a printed page. "Print" uses the browser; "PDF" downloads the same page rendered by
 * the server (GET /api/exercises/:exercise/report.pdf). `data-ready` tells a headless renderer
 * that everything has loaded.
 */
import { useEffect, useState } from 'react';
import type { ExerciseResult, ExerciseRow, StoredEvent, TeamTimeline } from '../../../../protocol/index.js';
import { api, download } from '../../api.js';
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import { go } from '../../route.js';
import { ErrorBox, Loading } from '../../components/States.js';
import { ScoreTable } from '../../components/Scores.js';
import { latestGrades, REPORT_FIELDS } from '../instructor/Grading.js';
import { timelineItems } from './timeline-text.js';
import { TimelineList } from './TimelineList.js';

interface Data {
  exercise: ExerciseRow;
  results: ExerciseResult;
  events: StoredEvent[];
  timelines: TeamTimeline[];
}

type Report = StoredEvent & { team: string; id: string; kind: string; by: string; fields: Record<string, string> };

export function AfterActionReport({ exercise }: { exercise: string }) {
  const { t, lang } = useI18n();
  const [data, setData] = useState<Data>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    (async () => {
      const [detail, results, log] = await Promise.all([
        api<{ exercise: ExerciseRow }>('GET', `/api/exercises/${exercise}`),
        api<ExerciseResult>('GET', `/api/exercises/${exercise}/results`),
        api<{ events: StoredEvent[] }>('GET', `/api/exercises/${exercise}/events`),
      ]);
      const timelines = await Promise.all(
        results.teams.map((x) => api<TeamTimeline>('GET', `/api/exercises/${exercise}/teams/${x.team}/timeline`)),
      );
      if (live) setData({ exercise: detail.exercise, results, events: log.events, timelines });
    })().catch((e: Error) => {
      if (live) setError(e.message);
    });
    return () => {
      live = false;
    };
  }, [exercise]);
  if (error) return <ErrorBox message={error} />;
  if (!data) return <Loading />;
  const x = data.exercise;
  const grades = latestGrades(data.events);
  const reports = data.events.filter((e) => e.type === 'report.submitted') as Report[];
  const day = (iso?: string) => (iso ? new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB') : '–');
  const sep = lang === 'ja' ? '：' : ': ';
  /** when the exercise really started or ended (the log), before the schedule it was planned with */
  const at = (type: string) => data.events.find((e) => e.type === type)?.at;
  return (
    <article className="aar-report" data-testid="aar-report" data-ready="yes">
      <div className="toolbar no-print">
        <button type="button" onClick={() => go('review', exercise)}>
          {t('ex.back')}
        </button>
        <button type="button" onClick={() => print()}>
          {t('aar.print')}
        </button>
        <button
          type="button"
          onClick={() => {
            download(`/api/exercises/${exercise}/report.pdf?lang=${lang}`, `${exercise}-after-action.pdf`).catch(
              (e: Error) => setError(e.message),
            );
          }}
        >
          {t('aar.pdf')}
        </button>
      </div>
      <header className="aar-head">
        <h2>{t('aar.title', { title: x.title || x.id })}</h2>
        <dl className="facts">
          <dt>{t('ex.id')}</dt>
          <dd>{x.id}</dd>
          <dt>{t('ex.course')}</dt>
          <dd>{t(`course.${x.course}` as MessageKey)}</dd>
          <dt>{t('aar.start')}</dt>
          <dd>{day(at('exercise.started') ?? x.schedule.start)}</dd>
          <dt>{t('aar.end')}</dt>
          <dd>{day(at('exercise.ended') ?? x.schedule.end)}</dd>
          <dt>{t('aar.teams')}</dt>
          <dd>{data.results.teams.length}</dd>
          <dt>{t('aar.printed')}</dt>
          <dd>{day(new Date().toISOString())}</dd>
        </dl>
      </header>
      <section>
        <h3>{t('review.results')}</h3>
        <ScoreTable
          scores={data.results.teams.flatMap((r) => (r.score ? [r.score] : []))}
          names={Object.fromEntries(data.results.teams.map((r) => [r.team, r.name]))}
        />
      </section>
      {data.results.teams.map((r) => {
        const items = timelineItems(data.timelines.find((tl) => tl.team === r.team)?.entries ?? [], lang, t);
        const mine = reports.filter((rep) => rep.team === r.team);
        return (
          <section key={r.team} className="aar-team" data-testid="aar-team" data-team={r.team}>
            <h3>
              {t('map.team', { team: r.team })} {r.name}
            </h3>
            <p>
              {t('ex.members')}
              {sep}
              {r.members.join(lang === 'ja' ? '、' : ', ') || '–'}
            </p>
            <h4>{t('review.timeline')}</h4>
            {items.length === 0 ? <p className="note">{t('review.noTimeline')}</p> : <TimelineList items={items} />}
            <h4>{t('aar.reports')}</h4>
            {mine.length === 0 ? (
              <p className="note">{t('grade.none')}</p>
            ) : (
              mine.map((rep) => {
                const g = grades.get(rep.id);
                return (
                  <div key={rep.id} className="report" data-testid="aar-report-item">
                    <h5>
                      {t(`report.kind.${rep.kind}` as MessageKey)} · {rep.by} · {timeOf(lang, rep.at)} ·{' '}
                      {g
                        ? t('grade.graded', { grade: g.grade, by: g.by, at: timeOf(lang, g.at) })
                        : t('grade.ungraded')}
                    </h5>
                    <dl>
                      {REPORT_FIELDS.map((f) => (
                        <div key={f}>
                          <dt>{t(`report.${f}`)}</dt>
                          <dd data-content="team">{rep.fields[f]}</dd>
                        </div>
                      ))}
                    </dl>
                    {g?.comment ? <p>{t('sub.comment', { comment: g.comment })}</p> : null}
                  </div>
                );
              })
            )}
          </section>
        );
      })}
    </article>
  );
}
