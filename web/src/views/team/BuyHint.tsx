/**
 * Buying a hint costs points, so it takes two steps: pick one, then confirm a question that states
 * its cost (or cancel). Hints are named by their step's title and their number, never by id.
 */
import { useState } from 'react';
import type { StepHints } from '../../../../protocol/index.js';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';

export interface Buyable {
  step: StepHints;
  hint: StepHints['hints'][number];
  /** 1-based number of the hint within its step */
  n: number;
}

export function BuyHint({
  ex,
  team,
  buyable,
  bought,
}: {
  ex: string;
  team: string;
  buyable: Buyable[];
  bought: () => void;
}) {
  const { t, lang } = useI18n();
  const [pick, setPick] = useState(0);
  const [asking, setAsking] = useState(false);
  const [msg, setMsg] = useState<{ ok: boolean; text: string }>();
  const [busy, setBusy] = useState(false);
  const chosen = buyable[Math.min(pick, buyable.length - 1)]!;
  const buy = async () => {
    setBusy(true);
    try {
      await api('POST', `/api/exercises/${ex}/teams/${team}/hints/buy`, {
        step: chosen.step.step,
        hint: chosen.hint.id,
      });
      setMsg({ ok: true, text: t('hint.boughtNow', { cost: chosen.hint.cost }) });
      setAsking(false);
      setPick(0);
      bought();
    } catch (err) {
      setMsg({ ok: false, text: t('form.failed', { message: (err as Error).message }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="form"
      data-testid="hint-form"
      onSubmit={(e) => {
        e.preventDefault();
        setMsg(undefined);
        setAsking(true);
      }}
    >
      <h3>{t('hint.buy')}</h3>
      <label htmlFor="h-pick">{t('hint.step')}</label>
      <select id="h-pick" name="pick" value={pick} disabled={asking} onChange={(e) => setPick(Number(e.target.value))}>
        {buyable.map((b, i) => (
          <option key={`${b.step.step}/${b.hint.id}`} value={i}>
            {b.step.title[lang]} · {t('hint.nth', { n: b.n })} · {t('hint.cost', { cost: b.hint.cost })}
          </option>
        ))}
      </select>
      {asking ? (
        <div role="alertdialog" aria-labelledby="h-confirm" className="confirm" data-testid="hint-confirm">
          <p id="h-confirm">
            {t('hint.confirm', { step: chosen.step.title[lang], n: chosen.n, cost: chosen.hint.cost })}
          </p>
          <button type="button" onClick={() => void buy()} disabled={busy}>
            {t('hint.confirmYes', { cost: chosen.hint.cost })}
          </button>{' '}
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            {t('hint.confirmNo')}
          </button>
        </div>
      ) : (
        <button type="submit">{t('hint.buy')}</button>
      )}
      {msg && (
        <p role={msg.ok ? 'status' : 'alert'} className={msg.ok ? 'ok' : 'state error'}>
          {msg.text}
        </p>
      )}
    </form>
  );
}
