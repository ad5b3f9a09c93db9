import { useEffect, useState } from 'react';
import type { ReportDeadlines } from '../../../../protocol/index.js';
import { duration, useI18n } from '../../i18n/index.js';

/**
 * Countdowns to the first report and the next update, from the deadlines the server computes for
 * the team (the first report after the attack's first impact, updates after each report).
 */
export function ReportClock({ deadlines }: { deadlines: ReportDeadlines | undefined }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(i);
  }, []);
  if (!deadlines?.firstReportDue)
    return (
      <p className="clock" data-testid="report-clock">
        {t('report.notStarted')}
      </p>
    );
  const due = Date.parse(deadlines.firstReportDue);
  const next = deadlines.nextUpdateDue ? Date.parse(deadlines.nextUpdateDue) : undefined;
  return (
    <div className="clock" data-testid="report-clock" role="timer" aria-live="off">
      {!deadlines.firstReportAt ? (
        <strong className={now > due ? 'late' : ''}>
          {now > due
            ? t('report.firstLate', { time: duration(now - due) })
            : t('report.firstDue', { time: duration(due - now) })}
        </strong>
      ) : (
        <span>{t('report.firstDone')}</span>
      )}
      {next !== undefined && (
        <strong className={now > next ? 'late' : ''}>
          {now > next
            ? t('report.updateLate', { time: duration(now - next) })
            : t('report.nextUpdate', { time: duration(next - now) })}
        </strong>
      )}
    </div>
  );
}
