/** After-action timeline entries as a reader sees them: translated outcomes, event types and hints, no raw keys. */
import { INDICATOR_TYPES, type TimelineEntry } from '../../../../protocol/index.js';
import type { Lang, MessageKey, T } from '../../i18n/index.js';
import { eventTypeText } from '../../events.js';

export interface TimelineItem {
  at: string;
  lane: string;
  text: string;
  points?: number;
  /** the text is what the team wrote (a finding, an action, a recovery), in whatever language it used */
  written?: boolean;
}

const WRITTEN = new Set(['finding.submitted', 'action.submitted', 'recovery.declared']);

const OUTCOMES = ['succeeded', 'blocked', 'failed', 'skipped', 'passed'];

export function timelineItems(entries: readonly TimelineEntry[], lang: Lang, t: T): TimelineItem[] {
  // hint entries name their step by id: the attack step's own entry carries its title
  const stepTitle = new Map(
    entries.filter((e) => e.type === 'attack.step' && e.step).map((e) => [e.step!, e.summary[lang]]),
  );
  const sep = lang === 'ja' ? '：' : ': ';
  return entries
    .map((e) => {
      let text: string;
      if (e.type === 'hint.released' || e.type === 'hint.bought') {
        const title = e.step ? stepTitle.get(e.step) : undefined;
        text = title ? `${eventTypeText(t, e.type)}${sep}${title}` : eventTypeText(t, e.type);
      } else if (e.type.startsWith('exercise.') || e.type === 'score.frozen') {
        text = eventTypeText(t, e.type);
      } else {
        const outcome = e.outcome && OUTCOMES.includes(e.outcome) ? t(`outcome.${e.outcome}` as MessageKey) : undefined;
        // a finding's summary starts with its indicator type ("ip: 10.1.0.66 — …"): say it in words
        const summary =
          e.type === 'finding.submitted'
            ? e.summary[lang].replace(/^([a-z]+): /, (m, k: string) =>
                (INDICATOR_TYPES as readonly string[]).includes(k) ? `${t(`indicator.${k}` as MessageKey)}${sep}` : m,
              )
            : e.summary[lang];
        text = `${summary}${outcome ? (lang === 'ja' ? `（${outcome}）` : ` (${outcome})`) : ''}`;
      }
      return {
        at: e.at,
        lane: e.lane,
        text,
        ...(e.points !== undefined ? { points: e.points } : {}),
        ...(WRITTEN.has(e.type) ? { written: true } : {}),
      };
    })
    .sort((a, b) => a.at.localeCompare(b.at));
}
