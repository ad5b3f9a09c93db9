/**
 * The sign-in page's self-paced form (online courses taken alone): a window code and one's name
 * register a seat of one's own. The answer is an ordinary trainee session; the team's join code
 * is kept for this browser tab so the trainee can note it and come back from another one.
 */
import { useState, type FormEvent } from 'react';
import type { SelfPacedSeat } from '../../../protocol/index.js';
import { api, type Session } from '../api.js';
import { useI18n } from '../i18n/index.js';

export const JOIN_CODE_KEY = 'enshu.selfpaced.joinCode';

export function SelfPacedRegister({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{
        token: string;
        exercise: string;
        team: string;
        teamName: string;
        joinCode: string;
        seat: SelfPacedSeat;
      }>('POST', '/api/selfpaced/register', { code: d.get('code'), name: d.get('name') }, '');
      sessionStorage.setItem(JOIN_CODE_KEY, r.joinCode);
      onSignedIn({
        token: r.token,
        role: 'trainee',
        subject: String(d.get('name')),
        exercise: r.exercise,
        team: r.team,
        teamName: r.teamName,
      });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="panel" aria-labelledby="sp-h" data-testid="selfpaced-register">
      <h2 id="sp-h">{t('sp.register')}</h2>
      <label htmlFor="sp-code">{t('sp.code')}</label>
      <input
        id="sp-code"
        name="code"
        required
        autoComplete="off"
        aria-describedby="sp-code-help"
        placeholder="ABCD-EFGH-JKLM"
      />
      <small id="sp-code-help">{t('sp.codeHelp')}</small>
      <label htmlFor="sp-name">{t('login.name')}</label>
      <input id="sp-name" name="name" required autoComplete="name" />
      <button type="submit" disabled={busy}>
        {t('sp.registerButton')}
      </button>
      {error && (
        <p className="state error" role="alert">
          {t('login.failed', { message: error })}
        </p>
      )}
    </form>
  );
}
