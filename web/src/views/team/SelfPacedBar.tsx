/**
 * A self-paced trainee's own clock above the workspace: the seat's state (queued with its place,
 * range being built, ready, running, paused, finished), the time used of the course's length, and
 * start / pause / finish. It reads the seat every 20 s, which also tells the server the trainee is
 * still there (the range is torn down after the window's idle limit). Trainees of a class exercise
 * have no seat: the bar is not shown.
 */
import { useEffect, useState } from 'react';
import type { SelfPacedSeat } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';
import { dateTimeOf } from '../../components/dateOf.js';
import { JOIN_CODE_KEY } from '../../components/SelfPacedRegister.js';

export function SelfPacedBar() {
  const { t, lang } = useI18n();
  const [seat, setSeat] = useState<SelfPacedSeat | null>();
  const [msg, setMsg] = useState<string>();
  useEffect(() => {
    let live = true;
    const read = () =>
      api<{ seat: SelfPacedSeat | null }>('GET', '/api/selfpaced/me').then(
        (r) => live && setSeat(r.seat),
        // a failed read keeps what the bar showed; the next read corrects it
        () => undefined,
      );
    void read();
    const i = setInterval(() => void read(), 20_000);
    return () => {
      live = false;
      clearInterval(i);
    };
  }, []);
  if (!seat) return null;
  const act = async (verb: 'start' | 'pause' | 'finish') => {
    if (verb === 'finish' && !confirm(t('sp.finishConfirm'))) return;
    setMsg(undefined);
    try {
      setSeat((await api<{ seat: SelfPacedSeat }>('POST', `/api/selfpaced/me/${verb}`, {})).seat);
    } catch (err) {
      setMsg(t('form.failed', { message: (err as Error).message }));
    }
  };
  const code = sessionStorage.getItem(JOIN_CODE_KEY);
  const live = ['ready', 'running', 'paused'].includes(seat.status);
  return (
    <section className="panel selfpaced" aria-labelledby="sp-bar-h" data-testid="selfpaced-bar">
      <header>
        <h2 id="sp-bar-h">{t('sp.title')}</h2>
        <span data-testid="sp-status">{t(`sp.status.${seat.status}` as MessageKey)}</span>
      </header>
      {seat.status === 'queued' && <p role="status">{t('sp.queued', { n: seat.queuePosition ?? '?' })}</p>}
      {seat.status === 'building' && <p role="status">{t('sp.building')}</p>}
      <p>
        <label htmlFor="sp-progress">
          {t('sp.elapsed', { used: Math.floor(seat.elapsedMinutes), total: seat.durationMinutes })}
        </label>{' '}
        <progress
          id="sp-progress"
          value={Math.min(seat.elapsedMinutes, seat.durationMinutes)}
          max={seat.durationMinutes}
        />
      </p>
      <p>
        <small>{t('sp.idle', { minutes: seat.idleMinutes, closes: dateTimeOf(lang, seat.closesAt) })}</small>
      </p>
      {code && live && (
        <p>
          <small>{t('sp.comeBack', { code })}</small>
        </p>
      )}
      <div className="actions">
        {(seat.status === 'ready' || seat.status === 'paused') && (
          <button type="button" onClick={() => void act('start')}>
            {seat.status === 'ready' ? t('sp.start') : t('sp.resume')}
          </button>
        )}
        {seat.status === 'running' && (
          <button type="button" onClick={() => void act('pause')}>
            {t('sp.pause')}
          </button>
        )}
        {live && (
          <button type="button" onClick={() => void act('finish')}>
            {t('sp.finish')}
          </button>
        )}
      </div>
      {msg && (
        <p className="state error" role="alert">
          {msg}
        </p>
      )}
    </section>
  );
}
