import { useState, type FormEvent } from 'react';
import { api, loadSession, saveSession, type Session } from './api.js';
import { LANGS, useI18n, type Lang } from './i18n/index.js';
import { go, useRoute } from './route.js';
import { InstructorView } from './views/Instructor.js';
import { TeamView } from './views/Team.js';
import { ReviewView } from './views/Review.js';
import { SelfPacedRegister } from './components/SelfPacedRegister.js';

export function App() {
  const { t, lang, setLang } = useI18n();
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const route = useRoute();
  const signIn = (s: Session) => {
    saveSession(s);
    setSession(s);
    go(s.role === 'trainee' ? 'team' : s.role === 'organizer' ? 'review' : 'instructor');
  };
  const signOut = () => {
    saveSession(undefined);
    setSession(undefined);
    go('');
  };

  const staff = session && session.role !== 'trainee';
  const view = !session ? (
    <Login onSignedIn={signIn} />
  ) : session.role === 'trainee' ? (
    <TeamView session={session} />
  ) : route[0] === 'review' || session.role === 'organizer' ? (
    <ReviewView exercise={route[1]} report={route[2] === 'report'} />
  ) : (
    <InstructorView exercise={route[1]} />
  );

  return (
    <div className="app">
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header className="top">
        <h1>{t('app.title')}</h1>
        <nav aria-label="main">
          {staff && session.role === 'instructor' && (
            <a href="#/instructor" aria-current={route[0] !== 'review' ? 'page' : undefined}>
              {t('nav.instructor')}
            </a>
          )}
          {staff && (
            <a
              href="#/review"
              aria-current={route[0] === 'review' || session.role === 'organizer' ? 'page' : undefined}
            >
              {t('nav.review')}
            </a>
          )}
          {session?.role === 'trainee' && <span>{t('nav.team')}</span>}
        </nav>
        <div className="who">
          <label>
            {t('lang.label')}{' '}
            <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} data-testid="lang">
              {LANGS.map((l) => (
                <option key={l} value={l}>
                  {l === 'ja' ? '日本語' : 'English'}
                </option>
              ))}
            </select>
          </label>
          {session && (
            <span>{t('nav.signedInAs', { who: `${session.subject}${session.team ? ` (${session.team})` : ''}` })}</span>
          )}
          {session && (
            <button type="button" onClick={signOut}>
              {t('nav.signOut')}
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </div>
  );
}

function Login({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const run = async (e: FormEvent<HTMLFormElement>, f: (d: FormData) => Promise<Session>) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await f(new FormData(e.currentTarget)));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const staff = (d: FormData) =>
    api<{ token: string; role: Session['role'] }>(
      'POST',
      '/api/auth/login',
      { user: d.get('user'), password: d.get('password') },
      '',
    ).then((r) => ({ token: r.token, role: r.role, subject: String(d.get('user')) }));
  const join = (d: FormData) =>
    api<{ token: string; exercise: string; team: string; teamName: string }>(
      'POST',
      '/api/auth/join',
      { code: d.get('code'), name: d.get('name') },
      '',
    ).then((r) => ({
      token: r.token,
      role: 'trainee' as const,
      subject: String(d.get('name')),
      exercise: r.exercise,
      team: r.team,
      teamName: r.teamName,
    }));
  return (
    <div className="login">
      {error && (
        <p className="state error" role="alert">
          {t('login.failed', { message: error })}
        </p>
      )}
      <form onSubmit={(e) => run(e, join)} className="panel" aria-labelledby="join-h">
        <h2 id="join-h">{t('login.trainee')}</h2>
        <label htmlFor="join-code">{t('login.code')}</label>
        <input
          id="join-code"
          name="code"
          required
          autoComplete="off"
          aria-describedby="join-code-help"
          placeholder="ABCD-EFGH"
        />
        <small id="join-code-help">{t('login.codeHelp')}</small>
        <label htmlFor="join-name">{t('login.name')}</label>
        <input id="join-name" name="name" required autoComplete="name" />
        <button type="submit" disabled={busy}>
          {t('login.join')}
        </button>
      </form>
      <SelfPacedRegister onSignedIn={onSignedIn} />
      <form onSubmit={(e) => run(e, staff)} className="panel" aria-labelledby="staff-h">
        <h2 id="staff-h">{t('login.staff')}</h2>
        <label htmlFor="login-user">{t('login.user')}</label>
        <input id="login-user" name="user" required autoComplete="username" />
        <label htmlFor="login-password">{t('login.password')}</label>
        <input id="login-password" name="password" type="password" required autoComplete="current-password" />
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
      </form>
    </div>
  );
}
