import { timeOf, useI18n } from '../../i18n/index.js';
import type { Live } from '../../live.js';
import { ErrorBox, Loading, Panel } from '../../components/States.js';
import { ScoreTable } from '../../components/Scores.js';

export function OwnScore({ live, team }: { live: Live; team: string }) {
  const { t, lang } = useI18n();
  return (
    <Panel title={t('score.own')} id="own-score">
      {live.error ? (
        <ErrorBox message={live.error} />
      ) : !live.snapshot ? (
        <Loading />
      ) : (
        <>
          <ScoreTable scores={live.snapshot.scores} highlight={team} />
          {live.snapshot.frozenAt && (
            <p className="note">{t('score.frozen', { at: timeOf(lang, live.snapshot.frozenAt) })}</p>
          )}
        </>
      )}
    </Panel>
  );
}
