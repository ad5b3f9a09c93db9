/** Organizer review: exercises, results per team and phase, after-action timeline, yearly statistics, export, print. */
import { useState } from 'react';
import type { ExerciseResult, ExerciseRow, TimelineEntry } from '../../../protocol/index.js';
import { api, download } from '../api.js';
import { timeOf, useI18n, type MessageKey } from '../i18n/index.js';
import { go } from '../route.js';
import { Async, Empty, ErrorBox, Panel } from '../components/States.js';
import { useAsync } from '../components/useAsync.js';
import { ScoreTable } from '../components/Scores.js';
import { ExerciseTable } from './Instructor.js';
import { AfterActionReport } from './review/AfterActionReport.js';
import { timelineItems } from './review/timeline-text.js';

export function ReviewView({ exercise, report }: { exercise?: string; report?: boolean }) {
  const { t } = useI18n();
  const list = useAsync(() => api<{ exercises: ExerciseRow[] }>('GET', '/api/exercises'), []);
  const stats = useAsync(() => api<unknown>('GET', '/api/stats'), []);
  const [err, setErr] = useState<string>();
  const save = (path: string, name: string) => download(path, name).catch((e: Error) => setErr(e.message));
  if (exercise && report) return <AfterActionReport exercise={exercise} />;
  return (
    <div className="review">
      {err && <ErrorBox message={err} />}
      {exercise ? (
        <ExerciseReview exercise={exercise} save={save} />
      ) : (
        <Panel title={t('ex.list')} id="review-list">
          <Async value={list.value?.exercises} error={list.error} retry={list.reload} empty={(x) => x.length === 0}>
            {(xs) => <ExerciseTable rows={xs} open={(id) => go('review', id)} />}
          </Async>
        </Panel>
      )}
      <Panel
        title={t('review.stats')}
        id="stats"
        actions={
          <span className="no-print">
            <button type="button" onClick={() => save('/api/stats?format=csv', 'enshu-stats.csv')}>
              {t('review.exportCsv')}
            </button>
            <button type="button" onClick={() => save('/api/stats', 'enshu-stats.json')}>
              {t('review.exportJson')}
            </button>
          </span>
        }
      >
        <Async value={stats.value} error={stats.error} retry={stats.reload}>
          {(s) => <Generic value={s} />}
        </Async>
      </Panel>
    </div>
  );
}

function ExerciseReview({ exercise, save }: { exercise: string; save: (p: string, n: string) => void }) {
  const { t, lang } = useI18n();
  const results = useAsync(() => api<ExerciseResult>('GET', `/api/exercises/${exercise}/results`), [exercise]);
  const [team, setTeam] = useState<string>();
  const current = team ?? results.value?.teams[0]?.team;
  const timeline = useAsync(
    () =>
      current
        ? api<unknown>('GET', `/api/exercises/${exercise}/teams/${current}/timeline`)
        : Promise.resolve(undefined),
    [exercise, current],
  );
  return (
    <>
      <Panel
        title={`${t('review.results')} — ${exercise}`}
        id="results"
        actions={
          <span className="no-print">
            <button type="button" onClick={() => go('review')}>
              {t('ex.back')}
            </button>
            <button
              type="button"
              onClick={() => save(`/api/exercises/${exercise}/results?format=csv`, `${exercise}-results.csv`)}
            >
              {t('review.exportCsv')}
            </button>
            <button
              type="button"
              onClick={() => save(`/api/exercises/${exercise}/results`, `${exercise}-results.json`)}
            >
              {t('review.exportJson')}
            </button>
            <button type="button" onClick={() => go('review', exercise, 'report')}>
              {t('review.print')}
            </button>
          </span>
        }
      >
        <Async value={results.value} error={results.error} retry={results.reload}>
          {(r) => (
            <ScoreTable
              scores={r.teams.flatMap((x) => (x.score ? [x.score] : []))}
              names={Object.fromEntries(r.teams.map((x) => [x.team, x.name]))}
            />
          )}
        </Async>
      </Panel>
      <Panel
        title={t('review.timeline')}
        id="aar"
        actions={
          <label className="no-print">
            {t('review.pickTeam')}{' '}
            <select value={current ?? ''} onChange={(e) => setTeam(e.target.value)}>
              {(results.value?.teams ?? []).map((x) => (
                <option key={x.team} value={x.team}>
                  {x.team} {x.name}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <Async value={timeline.value} error={timeline.error} retry={timeline.reload}>
          {(tl) => {
            const items = timelineItems((tl as { entries?: TimelineEntry[] } | undefined)?.entries ?? [], lang, t);
            if (!items.length) return <Empty>{t('review.noTimeline')}</Empty>;
            return (
              <ol className="aar" data-testid="aar">
                {items.map((it, i) => (
                  <li key={i}>
                    <time>{timeOf(lang, it.at)}</time>{' '}
                    <span className={`kind ${it.lane}`}>{t(`lane.${it.lane}` as MessageKey)}</span>{' '}
                    {it.written ? <span data-content="team">{it.text}</span> : it.text}
                    {it.points ? (
                      <strong className={it.points > 0 ? 'ok' : 'late'}>
                        {' '}
                        {it.points > 0 ? '+' : ''}
                        {Math.round(it.points * 10) / 10}
                      </strong>
                    ) : null}
                  </li>
                ))}
              </ol>
            );
          }}
        </Async>
      </Panel>
    </>
  );
}

/** Statistics as a table: rows of flat objects, or key/value pairs. */
function Generic({ value }: { value: unknown }) {
  const rows = Array.isArray(value)
    ? value
    : value && typeof value === 'object'
      ? Object.values(value).find(Array.isArray)
      : undefined;
  if (!rows || !rows.length) return <Empty />;
  const cols = [...new Set((rows as Record<string, unknown>[]).flatMap((r) => Object.keys(r ?? {})))];
  return (
    <table className="list" data-testid="stats">
      <thead>
        <tr>
          {cols.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {(rows as Record<string, unknown>[]).map((r, i) => (
          <tr key={i}>
            {cols.map((c) => (
              <td key={c}>{fmt(r[c])}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
const fmt = (v: unknown) =>
  typeof v === 'number' ? Math.round(v * 10) / 10 : typeof v === 'object' ? JSON.stringify(v) : String(v ?? '');
