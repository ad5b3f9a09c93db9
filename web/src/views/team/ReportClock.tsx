import { useEffect, useState } from 'react';
import type { StoredEvent } from '../../../../protocol/index.js';
import { duration, useI18n } from '../../i18n/index.js';

/** Countdowns to the 30-minute first report and the next hourly update, from the team's own log. */
export function ReportClock({ events, team }: { events: StoredEvent[]; team: string }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(i);
  }, []);
  const mine = events.filter((e) => (e as { team?: string }).team === team);
  const impact = mine.find((e) => e.type === 'attack.step' && (e as { impact?: boolean }).impact);
  const reports = mine.filter((e) => e.type === 'report.submitted');
  if (!impact)
    return (
      <p className="clock" data-testid="report-clock">
        {t('report.notStarted')}
      </p>
    );
  const due = Date.parse(impact.at) + 30 * 60_000;
  const last = reports.at(-1);
  return (
    <div className="clock" data-testid="report-clock" role="timer" aria-live="off">
      {!reports.length ? (
        <strong className={now > due ? 'late' : ''}>
          {now > due
            ? t('report.firstLate', { time: duration(now - due) })
            : t('report.firstDue', { time: duration(due - now) })}
        </strong>
      ) : (
        <span>{t('report.firstDone')}</span>
      )}
      {last &&
        (() => {
          const next = Date.parse(last.at) + 60 * 60_000;
          return (
            <strong className={now > next ? 'late' : ''}>
              {now > next
                ? t('report.updateLate', { time: duration(now - next) })
                : t('report.nextUpdate', { time: duration(next - now) })}
            </strong>
          );
        })()}
    </div>
  );
}
