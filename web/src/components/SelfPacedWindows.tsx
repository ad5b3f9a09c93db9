/**
 * The instructor's self-paced panel: open a window for an online course (dates, how many ranges
 * at once, idle limit) and hand out its code; each window's seats with their state, queue place
 * and clock, and the host's range limit. Refreshed every 15 s.
 */
import { useEffect, useState, type FormEvent } from 'react';
import type { SelfPacedWindow } from '../../../protocol/index.js';
import { api } from '../api.js';
import { useI18n, timeOf, type MessageKey } from '../i18n/index.js';
import { go } from '../route.js';
import { CourseScenarioFields } from './CourseScenarioFields.js';
import { Async, Panel } from './States.js';
import { useAsync } from './useAsync.js';
import { dateTimeOf } from './dateOf.js';

interface Windows {
  windows: SelfPacedWindow[];
  host: { maxRanges: number; active: number; queued: number };
}

/** a datetime-local value (the browser's zone) → ISO with offset */
const toIso = (v: FormDataEntryValue | null) => new Date(String(v)).toISOString();
const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

export function SelfPacedWindows() {
  const { t, lang } = useI18n();
  const list = useAsync(() => api<Windows>('GET', '/api/selfpaced/windows'), []);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  useEffect(() => {
    const i = setInterval(list.reload, 15_000);
    return () => clearInterval(i);
  }, [list.reload]);
  const open = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    try {
      const r = await api<{ window: SelfPacedWindow }>('POST', '/api/selfpaced/windows', {
        id: d.get('id'),
        course: d.get('course'),
        scenario: d.get('scenario') || undefined,
        opensAt: toIso(d.get('opensAt')),
        closesAt: toIso(d.get('closesAt')),
        capacity: Number(d.get('capacity')),
        idleMinutes: Number(d.get('idleMinutes')),
      });
      setMsg({ ok: true, text: t('spw.opened', { id: r.window.id, code: r.window.code }) });
      list.reload();
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    }
  };
  const close = async (id: string) => {
    await api('POST', `/api/selfpaced/windows/${encodeURIComponent(id)}/close`, {}).catch((err: Error) =>
      setMsg({ ok: false, text: t('form.failed', { message: err.message }) }),
    );
    list.reload();
  };
  const now = new Date();
  return (
    <Panel title={t('spw.title')} id="selfpaced">
      {list.value && (
        <p data-testid="spw-host">
          {t('spw.host', {
            active: list.value.host.active,
            max: list.value.host.maxRanges,
            queued: list.value.host.queued,
          })}
        </p>
      )}
      <Async value={list.value?.windows} error={list.error} retry={list.reload} empty={(x) => x.length === 0}>
        {(ws) => (
          <>
            {ws.map((w) => (
              <div key={w.id} className="spw" data-testid={`spw-${w.id}`}>
                <h3>
                  {w.title} · {t(`course.${w.course}` as MessageKey)} · {w.open ? t('spw.open') : t('spw.closed')}
                </h3>
                <p>
                  {t('spw.code')}: <code data-testid="spw-code">{w.code}</code> ·{' '}
                  {t('spw.dates', { from: dateTimeOf(lang, w.opensAt), to: dateTimeOf(lang, w.closesAt) })} ·{' '}
                  {t('spw.counts', { ...w.counts, capacity: w.capacity })}{' '}
                  {w.open && (
                    <button type="button" onClick={() => void close(w.id)}>
                      {t('spw.close')}
                    </button>
                  )}
                </p>
                {w.seats.length > 0 && (
                  <table className="list">
                    <thead>
                      <tr>
                        <th scope="col">{t('spw.trainee')}</th>
                        <th scope="col">{t('spw.status')}</th>
                        <th scope="col">{t('spw.clock')}</th>
                        <th scope="col">{t('spw.lastActive')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {w.seats.map((s) => (
                        <tr key={s.exercise}>
                          <td>
                            <a
                              href={`#/instructor/${encodeURIComponent(s.exercise)}`}
                              onClick={(e) => {
                                e.preventDefault();
                                go('instructor', s.exercise);
                              }}
                            >
                              {s.name}
                            </a>
                          </td>
                          <td>
                            {t(`sp.status.${s.status}` as MessageKey)}
                            {s.queuePosition ? ` (${s.queuePosition})` : ''}
                          </td>
                          <td>
                            {Math.floor(s.elapsedMinutes)} / {s.durationMinutes} {t('spw.minutes')}
                          </td>
                          <td>{timeOf(lang, s.lastActiveAt)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </div>
            ))}
          </>
        )}
      </Async>
      <form onSubmit={(e) => void open(e)} className="form" data-testid="open-window">
        <h3>{t('spw.openTitle')}</h3>
        <label htmlFor="spw-id">{t('spw.id')}</label>
        <input id="spw-id" name="id" required pattern="[a-z0-9][a-z0-9\-]{0,19}" />
        <CourseScenarioFields prefix="spw" online />
        <label htmlFor="spw-opens">{t('spw.opensAt')}</label>
        <input id="spw-opens" name="opensAt" type="datetime-local" required defaultValue={local(now)} />
        <label htmlFor="spw-closes">{t('spw.closesAt')}</label>
        <input
          id="spw-closes"
          name="closesAt"
          type="datetime-local"
          required
          defaultValue={local(new Date(now.getTime() + 14 * 24 * 3600_000))}
        />
        <label htmlFor="spw-capacity">{t('spw.capacity')}</label>
        <input id="spw-capacity" name="capacity" type="number" min={1} max={200} defaultValue={4} required />
        <label htmlFor="spw-idle">{t('spw.idleMinutes')}</label>
        <input id="spw-idle" name="idleMinutes" type="number" min={1} max={1440} defaultValue={30} required />
        <button type="submit">{t('spw.openButton')}</button>
        {msg && (
          <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
            {msg.text}
          </p>
        )}
      </form>
    </Panel>
  );
}
