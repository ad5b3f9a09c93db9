import { useEffect } from 'react';
import type { StoredEvent, StepHints } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { timeOf, useI18n, type MessageKey } from '../../i18n/index.js';
import { Empty, ErrorBox, Loading, Panel } from '../../components/States.js';
import { useAsync } from '../../components/useAsync.js';
import { describeEvent } from '../../events.js';
import { BuyHint } from './BuyHint.js';

/** The hints the team holds, the ones it may buy, and its own recent events. */
export function Hints({ ex, team, events }: { ex: string; team: string; events: StoredEvent[] }) {
  const { t, lang } = useI18n();
  const mine = events.filter((e) => (e as { team?: string }).team === team);
  // a released or bought hint changes what the team holds: reload then; the steps the attack has
  // reached (whose hints the team may buy) are not announced to trainees, so the list is polled too
  const changes = mine.filter((e) => e.type === 'hint.released' || e.type === 'hint.bought').length;
  const list = useAsync(
    () => api<{ steps: StepHints[] }>('GET', `/api/exercises/${ex}/teams/${team}/hints`),
    [ex, team, changes],
  );
  useEffect(() => {
    const i = setInterval(list.reload, 20_000);
    return () => clearInterval(i);
  }, [list.reload]);
  const steps = list.value?.steps ?? [];
  const titles = new Map(steps.map((s) => [s.step, s.title[lang]]));
  const held = steps.flatMap((s) => s.hints.filter((h) => h.got).map((h) => ({ step: s, hint: h })));
  const buyable = steps.flatMap((s) => s.hints.flatMap((h, i) => (h.got ? [] : [{ step: s, hint: h, n: i + 1 }])));
  /** a hint's number within its step: hint ids are the scenario's names, not words for trainees */
  const nth = (step: string, hint: string) =>
    (steps.find((s) => s.step === step)?.hints.findIndex((h) => h.id === hint) ?? -1) + 1 || 1;
  const when = new Map(
    mine
      .filter((e) => e.type === 'hint.released' || e.type === 'hint.bought')
      .map((e) => [`${(e as { step: string }).step}\n${(e as { hint: string }).hint}`, e.at]),
  );
  return (
    <Panel title={t('ws.hints')} id="hints">
      <h3>{t('hint.held')}</h3>
      {list.error ? (
        <ErrorBox message={list.error} retry={list.reload} />
      ) : !list.value ? (
        <Loading />
      ) : held.length === 0 ? (
        <Empty>{t('hint.none')}</Empty>
      ) : (
        <ul className="hints" data-testid="hints-held">
          {held.map(({ step, hint }) => (
            <li key={`${step.step}/${hint.id}`} data-hint={hint.id}>
              <strong>
                {step.title[lang]} · {t('hint.nth', { n: nth(step.step, hint.id) })}
              </strong>{' '}
              <small>
                {timeOf(lang, when.get(`${step.step}\n${hint.id}`))} · {t(`hint.got.${hint.got!}` as MessageKey)}
                {hint.got === 'bought' ? ` (${t('hint.cost', { cost: -hint.cost })})` : ''}
              </small>
              <p>{hint.text?.[lang]}</p>
            </li>
          ))}
        </ul>
      )}
      {list.value &&
        (buyable.length === 0 ? (
          <Empty>{t('hint.noneToBuy')}</Empty>
        ) : (
          <BuyHint ex={ex} team={team} buyable={buyable} bought={list.reload} />
        ))}
      <h3>{t('review.timeline')}</h3>
      <ul className="events" data-testid="team-events">
        {mine
          .slice(-30)
          .reverse()
          .map((e) => (
            <li key={e.seq}>
              {timeOf(lang, e.at)}{' '}
              {e.type === 'hint.released' || e.type === 'hint.bought'
                ? // hint events name the step by the team's reference: show the step's title from the list
                  t(e.type === 'hint.bought' ? 'hint.boughtEvent' : 'hint.releasedEvent', {
                    step: titles.get(e.step) ?? '',
                    n: nth(e.step, e.hint),
                  })
                : describeEvent(t, e)}
            </li>
          ))}
      </ul>
    </Panel>
  );
}
