import type { Lang } from '../i18n/index.js';

/** Date and time, short (window dates span days, so a clock time alone is not enough). */
export function dateTimeOf(lang: Lang, iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
}
