/**
 * What the instructor judges where a machine cannot (MIC outage-notice guideline): the report's
 * recipients and channels, and a rubric of what a good notice has. Shown beside each report to grade.
 */
import type { StoredEvent } from '../../../../protocol/index.js';
import { useI18n, type MessageKey } from '../../i18n/index.js';

const RUBRIC = [1, 2, 3, 4, 5, 6] as const;

export function GradeRubric({ report: e }: { report: StoredEvent }) {
  const { t, lang } = useI18n();
  const report = e.type === 'report.submitted' ? e : { recipients: [], channels: [] };
  const sep = lang === 'ja' ? '、' : ', ';
  const recipients = (report.recipients ?? []).map((r) => t(`report.recipient.${r}`)).join(sep);
  const channels = (report.channels ?? []).map((c) => t(`report.channel.${c}`)).join(sep);
  return (
    <details className="rubric" data-testid="grade-rubric">
      <summary>{t('grade.rubric')}</summary>
      <p>
        {t('report.recipients')}: {recipients || t('grade.noRecipients')}
        {channels && (
          <>
            {' '}
            · {t('report.channels')}: {channels}
          </>
        )}
      </p>
      <ol>
        {RUBRIC.map((n) => (
          <li key={n}>{t(`grade.rubric.${n}` as MessageKey)}</li>
        ))}
      </ol>
    </details>
  );
}
