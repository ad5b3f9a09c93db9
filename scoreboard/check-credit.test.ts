/**
 * Honest scoring around resets and outages (#18): a check earns only for a change the team made —
 * seen false since its step, then true, with no reset or outage of the range in between; and no
 * availability is charged while the range is being reset or the infrastructure is down.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { EnshuEvent } from '../protocol/index.js';
import type { GroundTruth } from '../core/index.js';
import { loadRules } from './rules/load.js';
import { withRules } from './rules/schema.js';
import { computeScores, type ScoreContext, type TeamResult } from './score.js';
import { teamTimeline } from './timeline.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const at = (m: number) => new Date(T0 + m * 60_000).toISOString();
const base = { exercise: 'x1' };
const step = (m: number, id: string, outcome: 'succeeded' | 'blocked' = 'succeeded'): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'attack.step',
  team: 't01',
  scenario: 's',
  step: id,
  technique: 'T1071.001',
  tactic: 'x',
  startedAt: at(m),
  endedAt: at(m),
  outcome,
  evidence: '',
  impact: false,
});
const check = (
  m: number,
  id: string,
  kind: 'containment' | 'recovery' | 'availability',
  passed: boolean,
): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'check.result',
  team: 't01',
  check: id,
  kind,
  passed,
  detail: '',
});
const range = (
  m: number,
  type: 'range.reset' | 'range.reset.done' | 'range.degraded' | 'range.restored',
  node?: string,
): EnshuEvent => ({ ...base, at: at(m), type, team: 't01', ...(node ? { node } : {}) });
const spec = (id: string, kind: 'containment' | 'recovery', s: string, node: string) => ({
  id,
  kind,
  step: s,
  node,
  command: 'true',
  title: { ja: id, en: id },
});
const truth: GroundTruth = {
  scenario: 's',
  team: 't01',
  availability: [
    { id: 'web-http', kind: 'availability', node: 'web', command: 'true', title: { ja: 'web', en: 'web' } },
  ],
  steps: [
    {
      id: 'implant',
      title: { ja: '侵入', en: 'Implant' },
      technique: 'T1071.001',
      tactic: 'c2',
      impact: false,
      indicators: [],
      containment: [spec('c2-blocked', 'containment', 'implant', 'fw')],
      recovery: [spec('implant-removed', 'recovery', 'implant', 'pc1')],
      hints: [],
    },
    {
      id: 'fallback',
      title: { ja: '代替経路', en: 'Fallback' },
      technique: 'T1071.001',
      tactic: 'c2',
      impact: false,
      indicators: [],
      containment: [spec('c2-blocked', 'containment', 'implant', 'fw')],
      recovery: [],
      hints: [],
    },
  ],
};
const rules = withRules(loadRules('default'), { decay: { graceMinutes: 60, halfLifeMinutes: 30, floor: 0.25 } });
const ctx: ScoreContext = { rules, truth: { t01: truth } };
const score = (events: EnshuEvent[], now?: number): TeamResult =>
  computeScores(events, { ...ctx, ...(now !== undefined ? { now: at(now) } : {}) }).find((t) => t.team === 't01')!;
const codes = (t: TeamResult) => t.items.map((i) => `${i.code}:${i.raw}`);

describe('check credit', () => {
  it('earns when the team turns a check true after it was seen false since its step', () => {
    const t = score([
      step(0, 'implant'),
      check(1, 'implant-removed', 'recovery', false),
      check(5, 'implant-removed', 'recovery', true),
    ]);
    assert.deepEqual(codes(t), ['recovery.check:40']);
  });

  it('earns nothing when the first result is already true (the range was built that way)', () => {
    assert.deepEqual(codes(score([step(0, 'implant'), check(1, 'c2-blocked', 'containment', true)])), []);
  });

  it('a team reset that removes the implant earns nothing, nor does the passing result during it', () => {
    const t = score([
      step(0, 'implant'),
      check(1, 'implant-removed', 'recovery', false),
      check(1, 'c2-blocked', 'containment', false),
      range(10, 'range.reset'),
      // taken while the nodes were being rebuilt: passes for a moment, fails again
      check(10.5, 'c2-blocked', 'containment', true),
      check(11, 'implant-removed', 'recovery', true),
      range(12, 'range.reset.done'),
      check(12.5, 'c2-blocked', 'containment', false),
    ]);
    assert.deepEqual(codes(t), []);
  });

  it("an instructor's attack restart, whose cleanup removes the implant, earns nothing; a fix after it does", () => {
    const ctl = (m: number, type: 'attack.restart' | 'attack.started' | 'attack.stopped'): EnshuEvent =>
      ({ ...base, team: 't01', at: at(m), type, scenario: 's', detail: {} }) as EnshuEvent;
    const t = score([
      ctl(0, 'attack.started'),
      step(0, 'implant'),
      check(1, 'implant-removed', 'recovery', false),
      check(1, 'c2-blocked', 'containment', false),
      ctl(10, 'attack.restart'),
      // the old attack's cleanup removes the implant
      check(10.5, 'implant-removed', 'recovery', true),
      ctl(11, 'attack.stopped'),
      ctl(11, 'attack.started'),
    ]);
    assert.deepEqual(codes(t), []);
    // the new attack plants it again; the team removes it: that earns
    const again = score([
      ctl(0, 'attack.started'),
      step(0, 'implant'),
      check(1, 'implant-removed', 'recovery', false),
      ctl(10, 'attack.restart'),
      check(10.5, 'implant-removed', 'recovery', true),
      ctl(11, 'attack.started'),
      step(12, 'implant'),
      check(13, 'implant-removed', 'recovery', false),
      check(20, 'implant-removed', 'recovery', true),
    ]);
    assert.ok(
      codes(again).some((c) => c.startsWith('recovery.check')),
      codes(again).join(' '),
    );
  });

  it('after a reset, a check seen false again and then fixed by the team earns', () => {
    const t = score([
      step(0, 'implant'),
      check(1, 'c2-blocked', 'containment', false),
      range(10, 'range.reset', 'pc1'),
      range(12, 'range.reset.done', 'pc1'),
      // the checker takes every value again once the reset is done
      check(12.5, 'c2-blocked', 'containment', false),
      check(20, 'c2-blocked', 'containment', true),
    ]);
    assert.deepEqual(codes(t), ['response.containment:40']);
  });

  it('a fix seen false before an outage and true after it earns nothing until seen false again', () => {
    const t = score([
      step(0, 'implant'),
      check(1, 'implant-removed', 'recovery', false),
      range(5, 'range.degraded', undefined),
      range(8, 'range.restored', undefined),
      check(9, 'implant-removed', 'recovery', true),
    ]);
    assert.deepEqual(codes(t), []);
  });

  it('a step blocked by a rule the range was built with is no proactive containment', () => {
    const t = score([step(0, 'implant'), check(1, 'c2-blocked', 'containment', true), step(20, 'fallback', 'blocked')]);
    assert.deepEqual(codes(t), []);
  });

  it('a step blocked by the team’s own earlier block is (credited once)', () => {
    const t = score([
      step(0, 'implant'),
      check(1, 'c2-blocked', 'containment', false),
      check(3, 'c2-blocked', 'containment', true),
      step(20, 'fallback', 'blocked'),
    ]);
    assert.deepEqual(codes(t), ['response.containment:40']);
  });

  it('charges no availability while the range is reset or degraded', () => {
    const start: EnshuEvent = { ...base, at: at(0), type: 'exercise.started' };
    // the web server is down only because the engine restarted (10..40): nothing is charged
    const outage = score(
      [
        start,
        range(10, 'range.degraded'),
        check(10, 'web-http', 'availability', false),
        range(40, 'range.restored'),
        check(41, 'web-http', 'availability', true),
      ],
      60,
    );
    assert.deepEqual(codes(outage), []);
    // down before the outage (5..10 is charged, minus the grace), then the outage stops the clock
    const before = score(
      [
        start,
        check(5, 'web-http', 'availability', false),
        range(10, 'range.degraded'),
        range(40, 'range.restored'),
        check(41, 'web-http', 'availability', true),
      ],
      60,
    );
    assert.deepEqual(codes(before), ['recovery.availability:-3']);
  });

  it('the timeline shows resets, outages, skips and replays in the range lane', () => {
    const skip: EnshuEvent = {
      ...base,
      at: at(3),
      type: 'attack.skip',
      team: 't01',
      scenario: 's',
      detail: { step: 'fallback', by: 'admin' },
    };
    const entries = teamTimeline(
      [
        step(0, 'implant'),
        skip,
        range(10, 'range.reset', 'pc1'),
        range(12, 'range.reset.done', 'pc1'),
        range(20, 'range.degraded'),
      ],
      't01',
      truth,
    );
    assert.deepEqual(
      entries.filter((e) => e.lane === 'range').map((e) => `${e.type} ${e.summary.en}`),
      [
        'attack.skip Skipped by the instructor: Fallback',
        'range.reset Reset by the instructor: pc1',
        'range.reset.done Reset done: pc1',
        'range.degraded Range degraded: whole team',
      ],
    );
  });
});
