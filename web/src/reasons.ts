/**
 * The attack runner explains a step's state in English sentences of a few fixed shapes (attacker/run
 * scheduler and executor). The console shows them in the reader's language: each known shape is
 * matched and rewritten through the dictionaries, with step ids turned into the steps' titles.
 * Anything else (an action's own error output) is shown as it is, marked as technical text.
 */
import type { MessageKey, T } from './i18n/index.js';

const STATUS = ['pending', 'waiting', 'running', 'succeeded', 'blocked', 'failed', 'skipped'];

export function explainReason(t: T, reason: string, title: (step: string) => string): { text: string; raw: boolean } {
  const status = (s: string) => (STATUS.includes(s) ? t(`step.${s}` as MessageKey) : s);
  const rules: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^skipped by the instructor$/, () => t('reason.byInstructor')],
    [
      /^branch not taken: (\S+) (\S+)$/,
      (m) => t('reason.branchNotTaken', { step: title(m[1]!), status: status(m[2]!) }),
    ],
    [/^not run: (.*)$/, (m) => t('reason.notRun', { why: explainReason(t, m[1]!, title).text })],
    [
      /^condition not met: step (\S+) (\S+), not (\S+)$/,
      (m) => t('reason.conditionStep', { step: title(m[1]!), status: status(m[2]!) }),
    ],
    [/^condition not met on (\S+): /, (m) => t('reason.conditionNode', { node: m[1]! })],
    [/^paused; fires at T\+(\S+)$/, (m) => t('reason.pausedAt', { at: m[1]! })],
    [/^fires at T\+(\S+) \(in (\S+) scenario time\)$/, (m) => t('reason.firesAt', { at: m[1]!, in: m[2]! })],
    [/^runs only if (\S+) is blocked or fails/, (m) => t('reason.fallback', { step: title(m[1]!) })],
    [/^its condition waits for step (\S+)$/, (m) => t('reason.waitsFor', { step: title(m[1]!) })],
    [/^waits for (.*)$/, (m) => explainReason(t, m[1]!, title).text],
    [/^step (\S+) \((\S+)\)$/, (m) => t('reason.waitsFor', { step: title(m[1]!) })],
    [/^else branch (\S+) of (\S+)$/, (m) => t('reason.waitsFor', { step: title(m[1]!) })],
    [/^step (\S+) was (\S+)/, (m) => t('reason.stepWas', { step: title(m[1]!), status: status(m[2]!) })],
  ];
  for (const [re, say] of rules) {
    const m = reason.match(re);
    if (m) return { text: say(m), raw: false };
  }
  return { text: reason, raw: true };
}
