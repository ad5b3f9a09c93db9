import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { EnshuEvent, InjectEvent } from '../protocol/index.js';
import { injectReaction } from './injects.js';
import { computeScores } from './score.js';
import { loadRules } from './rules/load.js';
import { describeItem } from './describe.js';

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

describe('inject reactions in the score', () => {
  it('a reaction in time earns the inject’s points in reporting, weighted; a missed one an item of nothing', () => {
    const rules = loadRules('B-2');
    const w = rules.weights.reporting;
    const met = computeScores([inject, report('2026-11-29T10:10:00Z')], {
      rules,
      truth: {},
      now: '2026-11-29T10:20:00Z',
    });
    const item = met[0]!.items.find((i) => i.code === 'reporting.inject')!;
    assert.equal(item.points, Math.round(5 * w * 100) / 100);
    assert.equal(item.eventSeq, 2);
    assert.match(describeItem(item, 'ja'), /期限内/);
    const missed = computeScores([inject], { rules, truth: {}, now: '2026-11-29T11:00:00Z' });
    const none = missed[0]!.items.find((i) => i.code === 'reporting.inject')!;
    assert.equal(none.points, 0);
    assert.match(describeItem(none, 'en'), /never came/);
  });
});
