import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { EnshuEvent, InjectEvent } from '../protocol/index.js';
import { injectReaction } from './injects.js';

const inject: InjectEvent = {
  type: 'inject.sent',
  exercise: 'x',
  team: 't01',
  at: '2026-11-29T10:00:00Z',
  id: 'inj-1',
  kind: 'management',
  from: '部長',
  message: { ja: '報告', en: 'report' },
  source: 'instructor',
  expect: { kind: 'report', recipient: 'management', withinMinutes: 30, points: 5 },
};
const report = (at: string, extra: Record<string, unknown> = {}): EnshuEvent =>
  ({
    type: 'report.submitted',
    exercise: 'x',
    team: 't01',
    at,
    id: at,
    by: 'a',
    kind: 'first',
    language: 'ja',
    fields: { occurredAt: '', affected: '', cause: '', outlook: '', alternatives: '', actions: '' },
    ...extra,
  }) as EnshuEvent;

describe('inject reactions', () => {
  it('a report in time counts; late, missed and pending are told apart', () => {
    assert.equal(injectReaction(inject, [report('2026-11-29T10:10:00Z')], '2026-11-29T10:10:00Z')?.outcome, 'met');
    assert.equal(injectReaction(inject, [report('2026-11-29T10:40:00Z')], '2026-11-29T10:40:00Z')?.outcome, 'late');
    assert.equal(injectReaction(inject, [], '2026-11-29T10:31:00Z')?.outcome, 'missed');
    assert.equal(injectReaction(inject, [], '2026-11-29T10:05:00Z')?.outcome, 'pending');
    assert.equal(injectReaction(inject, [report('2026-11-29T09:59:00Z')], '2026-11-29T10:31:00Z')?.outcome, 'missed');
  });

  it('a report that names recipients counts only when it names the expected one', () => {
    const to = (r: string) => report('2026-11-29T10:05:00Z', { recipients: [r] });
    assert.equal(injectReaction(inject, [to('ministry')], '2026-11-29T10:31:00Z')?.outcome, 'missed');
    assert.equal(injectReaction(inject, [to('management')], '2026-11-29T10:31:00Z')?.outcome, 'met');
    assert.equal(injectReaction({ ...inject, expect: undefined }, [], '2026-11-29T11:00:00Z'), undefined);
  });
});
