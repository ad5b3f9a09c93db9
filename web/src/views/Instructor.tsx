/** Instructor console: exercises, provisioning, ranges with health, scenario control, scoreboard, grading. */
import { useEffect, useState, type FormEvent } from 'react';
import type { ExerciseRow, TeamView as TeamRow } from '../../../protocol/index.js';
import { api } from '../api.js';
import { useRoom } from '../live.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { go } from '../route.js';
import { Async, Empty, ErrorBox, Loading, Panel } from '../components/States.js';
import { useAsync } from '../components/useAsync.js';
import { ScoreTable } from '../components/Scores.js';
import { NetworkMap, healthKey, type MapRange } from '../components/NetworkMap.js';
import { ScenarioTimeline } from '../components/ScenarioTimeline.js';
import { Grading } from './instructor/Grading.js';
import { CourseScenarioFields } from '../components/CourseScenarioFields.js';
import { SelfPacedWindows } from '../components/SelfPacedWindows.js';
import { InjectSender } from './InjectSender.js';

export function InstructorView({ exercise }: { exercise?: string }) {
  return exercise ? <ExerciseConsole exercise={exercise} /> : <ExerciseList />;
}

function ExerciseList() {
  const { t } = useI18n();
  const list = useAsync(() => api<{ exercises: ExerciseRow[] }>('GET', '/api/exercises'), []);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const create = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    try {
      const r = await api<{ exercise: ExerciseRow }>('POST', '/api/exercises', {
        id: d.get('id'),
        title: d.get('title') || undefined,
        course: d.get('course'),
        scenario: d.get('scenario'),
        teams: Number(d.get('teams')),
        ...(String(d.get('topology') ?? '').trim() ? { topology: String(d.get('topology')).trim() } : {}),
      });
      setMsg({ ok: true, text: t('ex.created', { id: r.exercise.id }) });
      go('instructor', r.exercise.id);
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    }
  };
  return (
    <div className="grid two">
      <Panel title={t('ex.list')} id="exercises">
        <Async value={list.value?.exercises} error={list.error} retry={list.reload} empty={(x) => x.length === 0}>
          {(xs) => <ExerciseTable rows={xs} open={(id) => go('instructor', id)} />}
        </Async>
        {list.value?.exercises.length === 0 && <Empty>{t('ex.none')}</Empty>}
      </Panel>
      <Panel title={t('ex.create')} id="create">
        <form onSubmit={create} className="form" data-testid="create-exercise">
          <label htmlFor="ex-id">{t('ex.id')}</label>
          <input id="ex-id" name="id" required pattern="[a-z0-9][a-z0-9\-]{0,30}" aria-describedby="ex-id-help" />
          <small id="ex-id-help">{t('ex.idHelp')}</small>
          <label htmlFor="ex-title">{t('ex.titleField')}</label>
          <input id="ex-title" name="title" />
          <CourseScenarioFields prefix="ex" defaultCourse="A" />
          <label htmlFor="ex-topology">{t('ex.topology')}</label>
          <input id="ex-topology" name="topology" aria-describedby="ex-topology-help" />
          <small id="ex-topology-help">{t('ex.topologyHelp')}</small>
          <label htmlFor="ex-teams">{t('ex.teams')}</label>
          <input id="ex-teams" name="teams" type="number" min={1} max={200} defaultValue={2} required />
          <button type="submit">{t('ex.create')}</button>
          {msg && (
            <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
              {msg.text}
            </p>
          )}
        </form>
      </Panel>
      <SelfPacedWindows />
    </div>
  );
}

export function ExerciseTable({ rows, open }: { rows: ExerciseRow[]; open: (id: string) => void }) {
  const { t } = useI18n();
  return (
    <table className="list">
      <thead>
        <tr>
          <th scope="col">{t('ex.id')}</th>
          <th scope="col">{t('ex.titleField')}</th>
          <th scope="col">{t('ex.course')}</th>
          <th scope="col">{t('ex.state')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((x) => (
          <tr key={x.id}>
            <td>{x.id}</td>
            <td>{x.title}</td>
            <td>{x.course}</td>
            <td>{t(`exState.${x.state}` as MessageKey)}</td>
            <td>
              <button type="button" onClick={() => open(x.id)}>
                {t('ex.open')}
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExerciseConsole({ exercise }: { exercise: string }) {
  const { t } = useI18n();
  const live = useRoom(exercise);
  const detail = useAsync(
    () => api<{ exercise: ExerciseRow; teams: TeamRow[] }>('GET', `/api/exercises/${exercise}`),
    [exercise],
  );
  const ranges = useAsync(
    () => api<{ teams: MapRange[] }>('GET', `/api/exercises/${exercise}/range`),
    [exercise, live.snapshot?.exercise.state, Object.values(live.progress).filter((p) => p.step === 'ready').length],
  );
  // node health changes after the build (health checks settle, a node breaks or is reset): redraw
  useEffect(() => {
    const i = setInterval(ranges.reload, 20_000);
    return () => clearInterval(i);
  }, [ranges.reload]);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const act = async (path: string, body?: unknown) => {
    setMsg(undefined);
    try {
      await api('POST', `/api/exercises/${exercise}/${path}`, body ?? {});
      setMsg({ ok: true, text: t('form.sent') });
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    }
  };
  if (detail.error) return <ErrorBox message={detail.error} retry={detail.reload} />;
  const x = live.snapshot?.exercise ?? detail.value?.exercise;
  if (!x || !detail.value) return <Loading />;
  const teams = detail.value.teams;
  const names = Object.fromEntries(teams.map((tm) => [tm.id, tm.name]));
  const events = live.snapshot?.events ?? [];
  return (
    <div className="console">
      <div className="toolbar">
        <button type="button" onClick={() => go('instructor')}>
          {t('ex.back')}
        </button>
        <h2>
          {x.title || x.id} · {t(`course.${x.course}` as MessageKey)} ·{' '}
          <span data-testid="ex-state">{t(`exState.${x.state}` as MessageKey)}</span>
        </h2>
        <span className={live.connected ? 'live on' : 'live off'}>
          {live.connected ? t('state.live') : t('state.offline')}
        </span>
      </div>
      <div className="toolbar" role="group" aria-label={t('ex.state')}>
        <button type="button" onClick={() => act('provision')} disabled={!['created', 'ready'].includes(x.state)}>
          {t('ex.provision')}
        </button>
        <button type="button" onClick={() => act('start')} disabled={x.state !== 'ready'}>
          {t('ex.start')}
        </button>
        <button type="button" onClick={() => act('pause')} disabled={x.state !== 'running'}>
          {t('ex.pause')}
        </button>
        <button type="button" onClick={() => act('resume')} disabled={x.state !== 'paused'}>
          {t('ex.resume')}
        </button>
        <button type="button" onClick={() => act('end')} disabled={!['ready', 'running', 'paused'].includes(x.state)}>
          {t('ex.end')}
        </button>
        <SpeedForm speed={x.speed} onSet={(speed) => act('speed', { speed })} />
        {msg && (
          <span role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
            {msg.text}
          </span>
        )}
      </div>
      <div className="grid two">
        <Panel title={t('ex.joinCodes')} id="codes">
          <table className="list" data-testid="join-codes">
            <thead>
              <tr>
                <th scope="col">{t('score.team')}</th>
                <th scope="col">{t('ex.joinCode')}</th>
                <th scope="col">{t('ex.members')}</th>
                <th scope="col">{t('ex.progress')}</th>
              </tr>
            </thead>
            <tbody>
              {teams.map((tm) => {
                // the newest of the team's own progress and the exercise-wide one (images, a failure)
                const p = [live.progress[tm.id], live.progress['*']]
                  .filter((x) => x !== undefined)
                  .sort((a, b) => b.at.localeCompare(a.at))[0];
                return (
                  <tr key={tm.id} data-team={tm.id}>
                    <th scope="row">
                      {tm.id} {tm.name}
                    </th>
                    <td>
                      <code className="code">{tm.joinCode}</code>
                    </td>
                    <td>{tm.members.join(', ')}</td>
                    <td>
                      {p ? (
                        <>
                          <progress
                            max={p.total ?? 1}
                            value={p.done ?? 0}
                            aria-label={`${tm.id} ${t('ex.progress')}`}
                          />{' '}
                          {p.status === 'failed' ? (
                            <small
                              role="alert"
                              className="state error"
                              data-testid={`progress-${tm.id}`}
                              data-progress-status="failed"
                            >
                              {t('progress.failed', { message: p.message })}
                            </small>
                          ) : (
                            <small title={p.message} data-testid={`progress-${tm.id}`} data-progress-status={p.status}>
                              {t(`progress.${p.step}` as MessageKey)}
                              {p.node ? ` · ${p.node}` : ''}
                              {p.total ? ` (${p.done ?? 0}/${p.total})` : ''}
                            </small>
                          )}
                        </>
                      ) : (
                        '–'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Panel>
        <Panel title={t('score.title')} id="scoreboard">
          {live.snapshot ? (
            <ScoreTable scores={live.snapshot.scores} names={names} />
          ) : live.error ? (
            <ErrorBox message={live.error} />
          ) : (
            <Loading />
          )}
        </Panel>
      </div>
      <Panel title={t('map.title')} id="ranges">
        <Async value={ranges.value?.teams} error={ranges.error} retry={ranges.reload} empty={(r) => r.length === 0}>
          {(rs) => (
            <div className="maps">
              {rs.map((r) => (
                <TeamRange
                  key={r.team}
                  range={r}
                  onReset={(node) => act(`teams/${r.team}/reset`, node ? { node } : {})}
                />
              ))}
            </div>
          )}
        </Async>
      </Panel>
      <Panel title={t('timeline.title')} id="timeline">
        {teams.map((tm) => (
          <ScenarioTimeline
            key={tm.id}
            exercise={exercise}
            team={tm.id}
            events={events}
            runner={live.snapshot?.runners?.[tm.id]}
            active={x.state === 'running' || x.state === 'paused'}
            act={act}
          />
        ))}
      </Panel>
      <InjectSender exercise={exercise} teams={teams} />
      <Panel title={t('grade.title')} id="grading">
        <Grading events={events} act={act} />
      </Panel>
    </div>
  );
}

function SpeedForm({ speed, onSet }: { speed: number; onSet: (s: number) => void }) {
  const { t } = useI18n();
  const [v, setV] = useState(String(speed));
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onSet(Number(v));
      }}
    >
      <label htmlFor="speed">{t('ex.speed')}</label>
      <input
        id="speed"
        type="number"
        min={0.1}
        max={1000}
        step={0.1}
        value={v}
        onChange={(e) => setV(e.target.value)}
      />
      <button type="submit">{t('ex.setSpeed')}</button>
    </form>
  );
}

function TeamRange({ range, onReset }: { range: MapRange; onReset: (node?: string) => void }) {
  const { t } = useI18n();
  return (
    <figure className="team-range">
      <figcaption>{t('map.team', { team: range.team })}</figcaption>
      <NetworkMap range={range} compact />
      <details>
        <summary>{t('map.reset')}</summary>
        <ul className="nodes">
          {range.nodes.map((n) => (
            <li key={n.node}>
              {n.node} · {t(healthKey(n))}{' '}
              <button type="button" onClick={() => onReset(n.node)}>
                {t('map.reset')}
              </button>
            </li>
          ))}
        </ul>
        <button type="button" onClick={() => onReset()}>
          {t('map.resetTeam')}
        </button>
      </details>
    </figure>
  );
}
