/** The after-action timeline as a list: time, lane, what happened (the team's own words marked), points. */
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import type { TimelineItem } from './timeline-text.js';

export function TimelineList({ items, testId }: { items: readonly TimelineItem[]; testId?: string }) {
  const { t, lang } = useI18n();
  return (
    <ol className="aar" data-testid={testId}>
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
}
