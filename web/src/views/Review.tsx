/** Organizer review: exercises, results per team and phase, after-action timeline, yearly statistics, export, print. */
import { useState } from 'react';
import type { ExerciseResult, ExerciseRow, TimelineEntry } from '../../../protocol/index.js';
import { api, download } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { go } from '../route.js';
import { Async, Empty, ErrorBox, Panel } from '../components/States.js';
import { useAsync } from '../components/useAsync.js';
import { ScoreTable } from '../components/Scores.js';
import { ExerciseTable } from './Instructor.js';
import { YearlyStats } from './review/YearlyStats.js';
import { AfterActionReport } from './review/AfterActionReport.js';
import { timelineItems } from './review/timeline-text.js';
import { TimelineList } from './review/TimelineList.js';

export function ReviewView({ exercise, report }: { exercise?: string; report?: boolean }) {
  const { t } = useI18n();
  const list = useAsync(() => api<{ exercises: ExerciseRow[] }>('GET', '/api/exercises'), []);
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
      <YearlyStats save={save} />
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
            return <TimelineList items={items} testId="aar" />;
          }}
        </Async>
      </Panel>
    </>
  );
}
