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
    case 'check.tampered':
      return t(x.cleared ? 'event.check.tampered.cleared' : 'event.check.tampered', {
        node: s('node'),
        detail: s('detail'),
      });
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
    default:
      return t('event.other', { type: e.type });
  }
}
