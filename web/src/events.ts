/** One line of text for a log event, in the reader's language. */
import type { StoredEvent } from '../../protocol/index.js';
import type { MessageKey, T } from './i18n/index.js';

export function describeEvent(t: T, e: StoredEvent): string {
  const x = e as unknown as Record<string, unknown>;
  const s = (k: string) => String(x[k] ?? '');
  switch (e.type) {
    case 'attack.step':
      return t('event.attack.step', { step: s('step'), outcome: t(`outcome.${s('outcome')}` as MessageKey) });
    case 'check.result':
      return t('event.check.result', { check: s('check'), result: s('ok') || s('result') || s('passed') });
    case 'report.submitted':
      return t('event.report.submitted', { kind: t(`report.kind.${s('kind')}` as MessageKey) });
    case 'report.graded':
      return t('event.report.graded', { grade: s('grade') });
    case 'finding.submitted':
    case 'action.submitted':
    case 'recovery.declared':
      return t(`event.${e.type}`);
    case 'hint.released':
    case 'hint.bought':
      return t('hint.released', { step: s('step'), hint: s('hint') });
    // the range changed under the team (#18); a trainee's copy names no node: the whole range
    case 'range.degraded':
    case 'range.restored':
    case 'range.reset':
    case 'range.reset.done':
      return t(`event.${e.type}`, { node: s('node') || t('event.range.whole') });
    case 'attack.skip':
    case 'attack.replay':
      return t(`event.${e.type}`, { step: String((x.detail as { step?: unknown } | undefined)?.step ?? '') });
    default:
      return t('event.other', { type: e.type });
  }
}
