/**
 * Plain-language check of incident reports (MIC outage-notice guideline: plain words instead
 * of jargon). Pure, no I/O: the UI imports this module with a glossary fetched from the server
 * to show inline hints while a trainee types; the scoring uses it on submitted reports.
 */
import { z } from 'zod';

export const GlossaryEntrySchema = z
  .object({
    /** the jargon as it appears in text; English terms match whole words, any case, plural -s */
    term: z.string().min(1),
    /** the plain word(s) to use instead */
    plain: z.string().min(1),
    /** other spellings of the same jargon */
    variants: z.array(z.string().min(1)).default([]),
  })
  .strict();

export const GlossarySchema = z.object({ ja: z.array(GlossaryEntrySchema), en: z.array(GlossaryEntrySchema) }).strict();
export type Glossary = z.output<typeof GlossarySchema>;
export type GlossaryEntry = z.output<typeof GlossaryEntrySchema>;

export interface JargonHit {
  /** the glossary term (its main spelling) */
  term: string;
  /** the words as written in the text */
  found: string;
  plain: string;
  /** position in the checked text (UTF-16 code units, as JS strings index) */
  index: number;
  length: number;
  lang: 'ja' | 'en';
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function source(spelling: string, lang: 'ja' | 'en'): string {
  // Latin words need word boundaries ("C2" must not fire inside "AC2B"); Japanese has no spaces
  const body = escape(spelling).replace(/\\? /g, '[\\s-]+');
  if (!/^[\x20-\x7e]+$/.test(spelling)) return body;
  return `(?<![A-Za-z0-9])${body}${lang === 'en' ? '(?:e?s)?' : ''}(?![A-Za-z0-9])`;
}

interface Compiled {
  /** all spellings in one alternation, longest first, one capture group each */
  re: RegExp;
  groups: { lang: 'ja' | 'en'; entry: GlossaryEntry }[];
}

// a glossary is read once and checked against every report field: compile it once per language
const cache = new WeakMap<Glossary, Partial<Record<'ja' | 'en', Compiled>>>();
function compiled(glossary: Glossary, lang: 'ja' | 'en'): Compiled {
  let c = cache.get(glossary);
  if (!c) cache.set(glossary, (c = {}));
  let x = c[lang];
  if (!x) {
    const lists: ('ja' | 'en')[] = lang === 'ja' ? ['ja', 'en'] : ['en'];
    const alts = lists
      .flatMap((l) =>
        glossary[l].flatMap((entry) => [entry.term, ...entry.variants].map((sp) => ({ lang: l, entry, sp }))),
      )
      .sort((a, b) => b.sp.length - a.sp.length);
    x = {
      re: new RegExp(alts.map((a) => `(${source(a.sp, a.lang)})`).join('|'), 'gi'),
      groups: alts.map(({ lang: l, entry }) => ({ lang: l, entry })),
    };
    c[lang] = x;
  }
  return x;
}

/**
 * Jargon in `text`, in order of appearance. Japanese text is also checked against the English
 * list (reports mix in English terms like "C2"). Where spellings overlap the longest wins.
 */
export function checkPlainLanguage(text: string, lang: 'ja' | 'en', glossary: Glossary): JargonHit[] {
  const hits: JargonHit[] = [];
  if (!text) return hits;
  const { re, groups } = compiled(glossary, lang);
  for (const m of text.matchAll(re)) {
    const g = groups[m.findIndex((v, i) => i > 0 && v !== undefined) - 1];
    if (!g) continue;
    hits.push({
      term: g.entry.term,
      found: m[0],
      plain: g.entry.plain,
      index: m.index ?? 0,
      length: m[0].length,
      lang: g.lang,
    });
  }
  return hits;
}

/** The distinct terms of a set of hits (a term used three times is one piece of advice). */
export function distinctTerms(hits: readonly JargonHit[]): string[] {
  return [...new Set(hits.map((h) => h.term))];
}
