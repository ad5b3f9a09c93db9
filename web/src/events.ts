/** One line of text for a log event, in the reader's language: never the event's raw type or ids. */
import type { StoredEvent } from '../../protocol/index.js';
import type { MessageKey, T } from './i18n/index.js';

/** Event types with a sentence of their own in the dictionaries (`evtype.<type>`). */
export const NAMED_EVENT_TYPES = [
  'exercise.created',
  'exercise.provisioned',
  'exercise.started',
  'exercise.paused',
  'exercise.resumed',
  'exercise.ended',
  'exercise.archived',
  'score.frozen',
  'attack.started',
  'attack.paused',
  'attack.resumed',
  'attack.stopped',
  'attack.finished',
  'attack.speed',
  'attack.suspended',
  'attack.restored',
  'finding.submitted',
  'action.submitted',
  'recovery.declared',
  'hint.released',
  'hint.bought',
] as const;

export function eventTypeText(t: T, type: string): string {
  return (NAMED_EVENT_TYPES as readonly string[]).includes(type)
    ? t(`evtype.${type}` as MessageKey)
    : t('evtype.other');
}

export function describeEvent(t: T, e: StoredEvent): string {
  const x = e as unknown as Record<string, unknown>;
  const s = (k: string) => String(x[k] ?? '');
  switch (e.type) {
    case 'attack.step':
      return t('event.attack.step', { step: s('step'), outcome: t(`outcome.${s('outcome')}` as MessageKey) });
    case 'check.result':
      return t(x.passed ? 'event.check.passed' : 'event.check.failed', { check: s('check') });
    case 'check.tampered':
      return t(x.cleared ? 'event.check.tampered.cleared' : 'event.check.tampered', {
        node: s('node'),
        detail: s('detail'),
      });
    case 'report.submitted':
      return t('event.report.submitted', { kind: t(`report.kind.${s('kind')}` as MessageKey) });
    case 'report.graded':
      return t('event.report.graded', { grade: s('grade') });
    // the range changed under the team (#18); a trainee's copy names no node: the whole range
    case 'range.degraded':
    case 'range.restored':
    case 'range.reset':
    case 'range.reset.done':
      return t(`event.${e.type}`, { node: s('node') || t('event.range.whole') });
    case 'attack.skip':
    case 'attack.replay':
      return t(`event.${e.type}`, { step: String((x.detail as { step?: unknown } | undefined)?.step ?? '') });
    case 'attack.reopened':
      return t('event.attack.reopened', {
        steps: ((x.detail as { steps?: unknown } | undefined)?.steps as string[] | undefined)?.join(', ') ?? '',
      });
    case 'attack.restart':
      return t('event.attack.restart');
    default:
      return eventTypeText(t, e.type);
  }
}
