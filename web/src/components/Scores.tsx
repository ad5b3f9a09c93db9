import { PHASES, type TeamScore } from '../../../protocol/index.js';
import { useI18n } from '../i18n/index.js';
import { Empty } from './States.js';

/** The four-phase scoreboard: one row per team, a bar per phase. */
export function ScoreTable({
  scores,
  names,
  highlight,
}: {
  scores: TeamScore[];
  names?: Record<string, string>;
  highlight?: string;
}) {
  const { t } = useI18n();
  if (!scores.length) return <Empty>{t('score.none')}</Empty>;
  const max = Math.max(1, ...scores.flatMap((s) => PHASES.map((p) => Math.abs(s.phases[p] ?? 0))));
  const sorted = [...scores].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99) || a.team.localeCompare(b.team));
  return (
    <table className="scores" data-testid="score-table">
      <thead>
        <tr>
          <th scope="col">{t('score.rank')}</th>
          <th scope="col">{t('score.team')}</th>
          {PHASES.map((p) => (
            <th scope="col" key={p}>
              {t(`phase.${p}`)}
            </th>
          ))}
          <th scope="col">{t('score.total')}</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((s) => (
          <tr key={s.team} className={s.team === highlight ? 'own' : undefined} data-team={s.team}>
            <td>{s.rank ?? '–'}</td>
            <th scope="row">{names?.[s.team] ? `${s.team} ${names[s.team]}` : s.team}</th>
            {PHASES.map((p) => (
              <td key={p} className="phase-cell">
                <span
                  className={`bar ${p}`}
                  style={{ width: `${(Math.max(0, s.phases[p] ?? 0) / max) * 100}%` }}
                  aria-hidden="true"
                />
                <span className="num" data-phase={p}>
                  {round(s.phases[p])}
                </span>
              </td>
            ))}
            <td className="total" data-testid={`total-${s.team}`}>
              {round(s.total)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const round = (n: number | undefined) => (n === undefined ? '–' : Math.round(n * 10) / 10);
