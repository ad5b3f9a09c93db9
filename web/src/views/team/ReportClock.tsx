import { useEffect, useState } from 'react';
import type { ReportDeadlines } from '../../../../protocol/index.js';
import { duration, useI18n } from '../../i18n/index.js';

/**
 * Countdowns to the first report and the next update, exactly the deadlines the scoring counts
 * (the exercise clock: a pause holds them, the attack speed shortens them). While paused the time
 * left stands still; after the final report nothing more is asked.
 */
export function ReportClock({ deadlines }: { deadlines: ReportDeadlines | undefined }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(i);
  }, []);
  const d = deadlines ?? {};
  const started = !!(d.firstReportDue || d.firstReportLeftS !== undefined || d.firstReportAt);
  if (!started)
    return (
      <p className="clock" data-testid="report-clock">
        {t('report.notStarted')}
      </p>
    );
  const first = d.firstReportDue ? Date.parse(d.firstReportDue) : undefined;
  const next = d.nextUpdateDue ? Date.parse(d.nextUpdateDue) : undefined;
  return (
    <div className="clock" data-testid="report-clock" role="timer" aria-live="off">
      {d.paused && <span data-testid="report-clock-paused">{t('report.paused')}</span>}
      {!d.firstReportAt ? (
        d.paused ? (
          <strong data-testid="report-first">
            {t('report.firstDueHeld', { time: duration((d.firstReportLeftS ?? 0) * 1000) })}
          </strong>
        ) : (
          first !== undefined && (
            <strong className={now > first ? 'late' : ''} data-testid="report-first">
              {now > first
                ? t('report.firstLate', { time: duration(now - first) })
                : t('report.firstDue', { time: duration(first - now) })}
            </strong>
          )
        )
      ) : (
        <span>{t('report.firstDone')}</span>
      )}
      {d.closed ? (
        <span data-testid="report-closed-clock">{t('report.closed')}</span>
      ) : d.paused && d.nextUpdateLeftS !== undefined ? (
        <strong data-testid="report-next">
          {t('report.nextUpdateHeld', { time: duration(d.nextUpdateLeftS * 1000) })}
        </strong>
      ) : (
        next !== undefined && (
          <strong className={now > next ? 'late' : ''} data-testid="report-next">
            {now > next
              ? t('report.updateLate', { time: duration(now - next) })
              : t('report.nextUpdate', { time: duration(next - now) })}
          </strong>
        )
      )}
      {d.speed !== undefined && d.speed !== 1 && <small>{t('report.speed', { speed: d.speed })}</small>}
    </div>
  );
}
