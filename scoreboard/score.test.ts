import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { computeBoard, visibleBoard } from './board.js';
import { decayFactor } from './decay.js';
import type { EnshuEvent } from '../protocol/index.js';
import { loadRules } from './rules/load.js';
import { withRules } from './rules/schema.js';
import { computeScores, type ScoreContext, type TeamResult } from './score.js';
import { teamTimeline } from './timeline.js';
import type { GroundTruth } from '../core/index.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
/** time `m` minutes (and `s` seconds) into the exercise */
const at = (m: number, s = 0) => new Date(T0 + m * 60_000 + s * 1000).toISOString();
const base = { exercise: 'x1' };
const step = (
  m: number,
  id: string,
  outcome: 'succeeded' | 'blocked' | 'skipped' = 'succeeded',
  impact = false,
  team = 't01',
): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'attack.step',
  team,
  scenario: 's',
  step: id,
  technique: id === 'c2' ? 'T1071.001' : 'T1491.002',
  tactic: 'x',
  startedAt: at(m),
  endedAt: at(m),
  outcome,
  evidence: '',
  impact,
});
const check = (
  m: number,
  id: string,
  kind: 'containment' | 'recovery' | 'availability',
  passed: boolean,
  s = 0,
): EnshuEvent => ({ ...base, at: at(m, s), type: 'check.result', team: 't01', check: id, kind, passed, detail: '' });
const finding = (
  m: number,
  id: string,
  f: { indicatorType?: 'ip' | 'domain'; value?: string; technique?: string },
): EnshuEvent => ({ ...base, at: at(m), type: 'finding.submitted', team: 't01', id, by: 'u', text: '', ...f });
const fields = {
  occurredAt: '10時ごろ',
  affected: 'Webサイト',
  cause: '調査中',
  outlook: '本日中',
  alternatives: '電話窓口',
  actions: '通信を遮断',
};
const report = (m: number, id: string, kind: 'first' | 'update' | 'final' = 'update', s = 0): EnshuEvent => ({
  ...base,
  at: at(m, s),
  type: 'report.submitted',
  team: 't01',
  id,
  by: 'u',
  kind,
  language: 'ja',
  fields,
});

const truth: GroundTruth = {
  scenario: 's',
  team: 't01',
  availability: [],
  steps: [
    {
      id: 'deface',
      title: { ja: '改ざん', en: 'Deface' },
      technique: 'T1491.002',
      tactic: 'impact',
      impact: true,
      indicators: [{ type: 'domain', value: 'Evil.Example.' }],
      containment: [],
      recovery: [
        {
          id: 'web-restored',
          kind: 'recovery',
          step: 'deface',
          node: 'web',
          command: 'true',
          title: { ja: '復旧', en: 'restored' },
        },
      ],
      hints: [],
    },
    {
      id: 'c2',
      title: { ja: 'C2', en: 'C2' },
      technique: 'T1071.001',
      tactic: 'c2',
      impact: false,
      indicators: [{ type: 'ip', value: '203.0.113.5' }],
      containment: [
        {
          id: 'c2-blocked',
          kind: 'containment',
          step: 'c2',
          node: 'pc1',
          command: 'true',
          title: { ja: '遮断', en: 'blocked' },
        },
      ],
      recovery: [],
      hints: [],
    },
  ],
};
const rules = withRules(loadRules('default'), { decay: { graceMinutes: 10, halfLifeMinutes: 30, floor: 0.25 } });
const ctx: ScoreContext = { rules, truth: { t01: truth } };
const score = (events: EnshuEvent[], c: Partial<ScoreContext> = {}): TeamResult =>
  computeScores(events, { ...ctx, ...c }).find((t) => t.team === 't01')!;
const codes = (t: TeamResult) => t.items.map((i) => `${i.code}:${i.raw}`);

describe('time decay', () => {
  it('is full within the grace, halves every half-life after it, and stops at the floor', () => {
    const d = rules.decay;
    assert.equal(decayFactor(10, d), 1);
    assert.equal(decayFactor(40, d), 0.5);
    assert.equal(decayFactor(70, d), 0.25);
    assert.equal(decayFactor(500, d), 0.25);
    assert.equal(decayFactor(500, { ...d, halfLifeMinutes: 0 }), 1);
  });
});

describe('detection', () => {
  it('credits a normalised indicator of a step that happened, once', () => {
    const t = score([
      step(0, 'c2'),
      finding(5, 'f1', { indicatorType: 'ip', value: '203.000.113.005' }),
      finding(6, 'f2', { indicatorType: 'ip', value: '203.0.113.5:443' }),
    ]);
    assert.deepEqual(codes(t), ['detection.indicator:10', 'detection.duplicate:0']);
    assert.equal(t.items[0]!.step, 'c2');
  });
  it('counts a finding for a step that has not happened yet, or for nothing, as a false positive', () => {
    const t = score([
      finding(1, 'f1', { indicatorType: 'ip', value: '203.0.113.5' }),
      step(2, 'c2'),
      finding(3, 'f2', { indicatorType: 'domain', value: 'nothing.example' }),
    ]);
    assert.deepEqual(codes(t), ['detection.false-positive:-5', 'detection.false-positive:-5']);
    assert.deepEqual(
      t.items.map((i) => i.params.reason),
      ['not-happened-yet', 'no-match'],
    );
  });
  it('matches by ATT&CK technique (the parent for part of the points), decayed from the step', () => {
    const t = score([
      step(0, 'c2'),
      step(0, 'deface'),
      finding(40, 'f1', { technique: 'T1071' }),
      finding(41, 'f2', { technique: 'T1491.002' }),
      finding(42, 'f3', { technique: 'T1491.002' }),
    ]);
    assert.deepEqual(
      codes(t).filter((c) => c.startsWith('detection')),
      ['detection.technique:3.75', 'detection.technique:7.33', 'detection.duplicate:0'],
    );
  });
  it('stops charging false positives beyond the cap', () => {
    const events = Array.from({ length: 12 }, (_, i) =>
      finding(i, `f${i}`, { indicatorType: 'domain', value: `n${i}.example` }),
    );
    assert.equal(score(events).phases.detection, -50);
  });
  it('skips a step whose outcome is not one that happened', () => {
    assert.deepEqual(codes(score([step(0, 'c2', 'skipped'), finding(1, 'f1', { technique: 'T1071.001' })])), [
      'detection.false-positive:-5',
    ]);
  });
});

describe('response and recovery checks', () => {
  it('earns containment only after the step, decayed from the step time', () => {
    const t = score([
      check(0, 'c2-blocked', 'containment', true),
      step(5, 'c2'),
      check(6, 'c2-blocked', 'containment', false),
      check(45, 'c2-blocked', 'containment', true),
    ]);
    assert.deepEqual(
      codes(t).filter((c) => !c.startsWith('reporting')),
      ['response.containment:20'],
    );
  });
  it('credits containment in place when the step was blocked in full', () => {
    const t = score([
      check(0, 'c2-blocked', 'containment', false),
      check(1, 'c2-blocked', 'containment', true),
      step(30, 'c2', 'blocked'),
    ]);
    assert.deepEqual(codes(t), ['response.containment:40']);
    assert.equal(t.items[0]!.params.proactive, true);
  });
  it('gives no proactive credit for a check that held since the range was built', () => {
    assert.deepEqual(codes(score([check(1, 'c2-blocked', 'containment', true), step(30, 'c2', 'blocked')])), []);
  });
  it('response actions and recovery declarations alone earn nothing', () => {
    const t = score([
      step(0, 'c2'),
      { ...base, at: at(1), type: 'action.submitted', team: 't01', id: 'a', by: 'u', what: 'blocked C2' },
      { ...base, at: at(2), type: 'recovery.declared', team: 't01', id: 'd', by: 'u', what: 'restored' },
    ]);
    assert.equal(t.total, 0);
  });
  it('earns recovery when the check comes back after the damage, not before it', () => {
    assert.deepEqual(codes(score([check(0, 'web-restored', 'recovery', true), step(3, 'deface')])), []);
    assert.deepEqual(
      codes(
        score([
          step(3, 'deface'),
          check(4, 'web-restored', 'recovery', false),
          check(13, 'web-restored', 'recovery', true),
        ]),
      ),
      ['recovery.check:40'],
    );
  });
  it('charges availability per minute down, after a grace, only while the exercise runs, capped per check', () => {
    const ev = (
      m: number,
      type: 'exercise.started' | 'exercise.paused' | 'exercise.resumed' | 'exercise.ended',
    ): EnshuEvent => ({ ...base, at: at(m), type });
    // down 20..50, paused 30..40: 20 minutes down while running, 2 of grace
    const t = score([
      ev(0, 'exercise.started'),
      check(20, 'web', 'availability', false),
      ev(30, 'exercise.paused'),
      ev(40, 'exercise.resumed'),
      check(50, 'web', 'availability', true),
    ]);
    assert.deepEqual(codes(t), ['recovery.availability:-18']);
    // still down at `now`: charged up to now, and no more than the cap
    assert.deepEqual(codes(score([check(0, 'web', 'availability', false)], { now: at(30) })), [
      'recovery.availability:-28',
    ]);
    assert.deepEqual(codes(score([check(0, 'web', 'availability', false)], { now: at(300) })), [
      'recovery.availability:-60',
    ]);
  });
});

describe('reporting deadlines', () => {
  const impact = step(0, 'deface', 'succeeded', true);
  it('first report at 29:59 after the first impact is on time, at 30:01 late', () => {
    assert.ok(codes(score([impact, report(29, 'r1', 'first', 59)])).includes('reporting.first.on-time:30'));
    assert.ok(codes(score([impact, report(30, 'r1', 'first', 1)])).includes('reporting.first.late:10'));
    assert.ok(codes(score([impact], { now: at(30, 1) })).includes('reporting.first.overdue:0'));
    assert.ok(!codes(score([impact], { now: at(29, 59) })).some((c) => c.startsWith('reporting.first')));
  });
  it('wants an update at least hourly until the final report', () => {
    const t = score([
      impact,
      report(10, 'r1', 'first'),
      report(70, 'r2'),
      report(200, 'r3'),
      report(210, 'r4', 'final'),
    ]);
    assert.deepEqual(
      codes(t).filter((c) => !c.startsWith('reporting.fields')),
      [
        'reporting.first.on-time:30',
        'reporting.update.on-time:10',
        'reporting.update.late:-20',
        'reporting.update.on-time:10',
      ],
    );
    // overdue at `now` without a final report; none once the final is in
    assert.ok(
      codes(score([impact, report(10, 'r1', 'first')], { now: at(71) })).includes('reporting.update.overdue:-10'),
    );
    assert.ok(
      !codes(score([impact, report(10, 'r1', 'final')], { now: at(300) })).some((c) =>
        c.startsWith('reporting.update'),
      ),
    );
  });
  it('stops the report clock while the exercise is paused', () => {
    const pause = (m: number, type: 'exercise.paused' | 'exercise.resumed'): EnshuEvent => ({
      ...base,
      at: at(m),
      type,
    });
    // paused 20..50: the first report is due at 60, not 30
    const paused = [impact, pause(20, 'exercise.paused'), pause(50, 'exercise.resumed')];
    assert.ok(codes(score([...paused, report(59, 'r1', 'first')])).includes('reporting.first.on-time:30'));
    assert.ok(codes(score([...paused, report(61, 'r1', 'first')])).includes('reporting.first.late:10'));
    // a pause still open holds the deadline
    assert.ok(
      !codes(score([impact, pause(20, 'exercise.paused')], { now: at(300) })).some((c) =>
        c.startsWith('reporting.first'),
      ),
    );
  });
  it('does not count paused time in the decay', () => {
    const pause = (m: number, type: 'exercise.paused' | 'exercise.resumed'): EnshuEvent => ({
      ...base,
      at: at(m),
      type,
    });
    const t = score([
      step(0, 'c2'),
      pause(5, 'exercise.paused'),
      pause(65, 'exercise.resumed'),
      finding(66, 'f1', { indicatorType: 'ip', value: '203.0.113.5' }),
    ]);
    assert.deepEqual(codes(t), ['detection.indicator:10']);
  });
  it("does not count the team's own range outage in its decay, nor another team's", () => {
    const range = (m: number, type: 'range.degraded' | 'range.restored', team = 't01'): EnshuEvent =>
      ({ ...base, team, at: at(m), type, by: 'engine-watch', reason: 'engine restarted', detail: {} }) as EnshuEvent;
    // the report clock is the guideline's wall of exercise time and does not stop for an outage
    const detection = (t: Parameters<typeof codes>[0]) => codes(t).filter((c) => c.startsWith('detection'));
    const late = finding(66, 'f1', { indicatorType: 'ip', value: '203.0.113.5' });
    // 60 minutes down: the finding is as fresh as one at minute 6
    assert.deepEqual(detection(score([step(0, 'c2'), range(5, 'range.degraded'), range(65, 'range.restored'), late])), [
      'detection.indicator:10',
    ]);
    // overlapping an exercise pause, the time counts once
    const pause = (m: number, type: 'exercise.paused' | 'exercise.resumed'): EnshuEvent => ({
      ...base,
      at: at(m),
      type,
    });
    assert.deepEqual(
      detection(
        score([
          step(0, 'c2'),
          pause(5, 'exercise.paused'),
          range(30, 'range.degraded'),
          pause(40, 'exercise.resumed'),
          range(65, 'range.restored'),
          late,
        ]),
      ),
      ['detection.indicator:10'],
    );
    // another team's outage changes nothing for t01
    const other = detection(
      score([step(0, 'c2'), range(5, 'range.degraded', 't02'), range(65, 'range.restored', 't02'), late]),
    );
    assert.notDeepEqual(other, ['detection.indicator:10']);
  });
  it('does not pay for updates sent in a burst', () => {
    const t = score([impact, report(10, 'r1', 'first'), report(11, 'r2'), report(12, 'r3')]);
    assert.equal(t.items.filter((i) => i.code === 'reporting.update.on-time').length, 0);
    assert.equal(t.items.filter((i) => i.code === 'reporting.fields').length, 1);
  });
  it('scores guideline fields and the instructor grade', () => {
    const r1 = { ...report(10, 'r1', 'first'), fields: { ...fields, alternatives: ' - ', outlook: '' } } as EnshuEvent;
    const t = score([
      impact,
      r1,
      { ...base, at: at(20), type: 'report.graded', team: 't01', report: 'r1', by: 'i', grade: 0.5, comment: '' },
      { ...base, at: at(25), type: 'report.graded', team: 't01', report: 'r1', by: 'i', grade: 1, comment: '' },
    ]);
    const f = t.items.find((i) => i.code === 'reporting.fields')!;
    // 「調査中」 alone says nothing: the cause does not count either
    assert.deepEqual(f.params.missing, ['cause', 'outlook', 'alternatives']);
    assert.equal(f.raw, 6);
    assert.deepEqual(
      t.items.filter((i) => i.code === 'reporting.grade').map((i) => i.raw),
      [20],
    );
  });
});

describe('hints and weights', () => {
  it('charges bought hints once, released ones only if the rules say so', () => {
    const hint = (type: 'hint.bought' | 'hint.released', m: number, id: string): EnshuEvent => ({
      ...base,
      at: at(m),
      type,
      team: 't01',
      step: 'c2',
      hint: id,
      cost: 10,
    });
    const events = [hint('hint.bought', 1, 'h1'), hint('hint.bought', 2, 'h1'), hint('hint.released', 3, 'h2')];
    assert.equal(score(events).total, -10);
    assert.equal(score(events, { rules: withRules(rules, { hints: { releasedFactor: 0.5 } }) }).total, -15);
  });
  it('multiplies each phase by its weight', () => {
    const t = score([step(0, 'c2'), finding(1, 'f', { indicatorType: 'ip', value: '203.0.113.5' })], {
      rules: withRules(rules, { weights: { detection: 2 } }),
    });
    assert.deepEqual([t.items[0]!.raw, t.items[0]!.points, t.phases.detection], [10, 20, 20]);
  });
});

describe('freeze, visibility and the timeline', () => {
  const t02 = step(0, 'c2', 'succeeded', false, 't02');
  const events: EnshuEvent[] = [
    step(0, 'c2'),
    t02,
    finding(5, 'f1', { indicatorType: 'ip', value: '203.0.113.5' }),
    { ...base, at: at(10), type: 'score.frozen' },
    finding(15, 'f2', { technique: 'T1071.001' }),
  ];
  const board = computeBoard(events, { ...ctx, truth: { t01: truth, t02: { ...truth, team: 't02' } }, now: at(20) });
  it('trainees see the board as it was at the freeze, staff see it live', () => {
    assert.equal(board.frozenAt, at(10));
    const staff = visibleBoard(board, { role: 'instructor' });
    assert.equal(staff.teams.find((t) => t.team === 't01')!.total, 23.36);
    const trainee = visibleBoard(board, { role: 'trainee', team: 't01' });
    assert.equal(trainee.frozenAt, at(10));
    assert.equal(trainee.teams[0]!.total, 10);
    assert.ok(!('items' in trainee.teams[1]!), "another team's breakdown stays hidden");
  });
  it('hides the ranking from trainees when the course does', () => {
    const hidden = computeBoard(events, {
      ...ctx,
      rules: withRules(rules, { visibility: { traineesSeeRanking: false } }),
      truth: { t01: truth, t02: truth },
      now: at(20),
    });
    assert.deepEqual(
      visibleBoard(hidden, { role: 'trainee', team: 't02' }).teams.map((t) => t.team),
      ['t02'],
    );
  });
  it('freezes by the rules minutes before the scheduled end', () => {
    const b = computeBoard(
      events.filter((e) => e.type !== 'score.frozen'),
      { ...ctx, now: at(20), endsAt: at(40) },
    );
    assert.equal(b.frozenAt, at(10));
  });
  it("puts one team's events on one axis with the points they earned", () => {
    const tl = teamTimeline(events, 't01', truth, board.live.find((t) => t.team === 't01')!.items);
    assert.deepEqual(
      tl.map((e) => [e.lane, e.points ?? null]),
      [
        ['attack', null],
        ['detection', 10],
        ['exercise', null],
        ['detection', 13.36],
      ],
    );
    assert.equal(tl[0]!.summary.en, 'C2');
  });
});
