/** The i18n layer: every visible string goes through t(). Japanese and English, default from the browser. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en.js';
import { ja } from './ja.js';

export type Lang = 'ja' | 'en';
export type { MessageKey };
export const LANGS: Lang[] = ['ja', 'en'];
const CATALOG: Record<Lang, Messages> = { ja, en };
const STORAGE = 'enshu.lang';

export function browserLang(langs: readonly string[] = navigator.languages ?? [navigator.language]): Lang {
  for (const l of langs) {
    const p = l.toLowerCase().slice(0, 2);
    if (p === 'ja' || p === 'en') return p;
  }
  return 'en';
}

export function format(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return CATALOG[lang][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t: T;
}
const Ctx = createContext<I18n | undefined>(undefined);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const saved = localStorage.getItem(STORAGE);
    return saved === 'ja' || saved === 'en' ? saved : browserLang();
  });
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem(STORAGE, l);
    setLangState(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = format(lang, 'app.title');
  }, [lang]);
  const value = useMemo<I18n>(() => ({ lang, setLang, t: (k, v) => format(lang, k, v) }), [lang, setLang]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

/** Short clock text (mm:ss or h:mm:ss) for countdowns. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function timeOf(lang: Lang, iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
