import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { EnshuEvent, ReportRecipient, ReportChannel } from '../protocol/index.js';
import type { GroundTruth } from '../core/index.js';
import { loadGlossary } from './glossary.js';
import { loadRules } from './rules/load.js';
import { withRules } from './rules/schema.js';
import { computeDeadlines, computeScores, type ScoreContext } from './score.js';
import { parseOccurredAt } from './reporting.js';
import { describeItem } from './describe.js';

const T0 = Date.parse('2026-06-01T01:00:00Z'); // 10:00 in Japan
const at = (m: number, s = 0) => new Date(T0 + m * 60_000 + s * 1000).toISOString();
const base = { exercise: 'x1' };
const step = (m: number, id: string, outcome: 'succeeded' | 'blocked' = 'succeeded'): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'attack.step',
  team: 't01',
  scenario: 's',
  step: id,
  technique: id === 'c2' ? 'T1071.001' : 'T1491.002',
  tactic: 'x',
  startedAt: at(m),
  endedAt: at(m),
  outcome,
  evidence: '',
  impact: false,
});
const fields = {
  occurredAt: '10時05分ごろ',
  affected: '当団体のホームページ',
  cause: '外部からの不正な通信',
  outlook: '本日15時ごろに復旧の見込み',
  alternatives: 'お問い合わせは電話窓口（03-0000-0000）をご利用ください',
  actions: '不審な通信を遮断しました',
};
const report = (
  m: number,
  id: string,
  kind: 'first' | 'update' | 'final',
  o: { recipients?: ReportRecipient[]; channels?: ReportChannel[]; fields?: Partial<typeof fields> } = {},
): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'report.submitted',
  team: 't01',
  id,
  by: 'u',
  kind,
  language: 'ja',
  fields: { ...fields, ...o.fields },
  ...(o.recipients ? { recipients: o.recipients } : {}),
  ...(o.channels ? { channels: o.channels } : {}),
});
const finding = (m: number, id: string): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'finding.submitted',
  team: 't01',
  id,
  by: 'u',
  text: '',
  indicatorType: 'ip',
  value: '203.0.113.5',
});
const ex = (m: number, type: 'exercise.started' | 'exercise.paused' | 'exercise.resumed'): EnshuEvent => ({
  ...base,
  at: at(m),
  type,
});
const speed = (m: number, x: number): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'attack.speed',
  team: 't01',
  scenario: 's',
  speed: x,
});
const notice = (m: number, text: string, status = 200): EnshuEvent => ({
  ...base,
  at: at(m),
  type: 'notice.observed',
  team: 't01',
  url: 'http://web/',
  status,
  text,
});

const truth: GroundTruth = {
  scenario: 's',
  team: 't01',
  availability: [],
  steps: [
    {
      id: 'c2',
      title: { ja: 'C2', en: 'C2' },
      technique: 'T1071.001',
      tactic: 'c2',
      impact: false,
      indicators: [{ type: 'ip', value: '203.0.113.5' }],
      containment: [],
      recovery: [],
      hints: [],
    },
    {
      id: 'deface',
      title: { ja: 'ページの書き換え', en: 'Deface' },
      technique: 'T1491.002',
      tactic: 'impact',
      impact: true,
      indicators: [],
      containment: [],
      recovery: [],
      hints: [],
    },
  ],
};
const rules = loadRules('A');
const ctx: ScoreContext = { rules, truth: { t01: truth }, glossary: loadGlossary() };
const score = (events: EnshuEvent[], o: Partial<ScoreContext> = {}) => computeScores(events, { ...ctx, ...o })[0]!;
const codes = (events: EnshuEvent[], o: Partial<ScoreContext> = {}) =>
  score(events, o)
    .items.filter((i) => i.phase === 'reporting')
    .map((i) => `${i.code}:${i.raw}`);
const item = (events: EnshuEvent[], code: string, o: Partial<ScoreContext> = {}) =>
  score(events, o).items.find((i) => i.code === code);

describe('the report clock starts when the incident occurred', () => {
  it('counts from a step the team could notice, even one the team blocked (no impact at all)', () => {
    // the C2 call was blocked at minute 0 and nothing ever succeeded: still an incident to report
    const blocked = [step(0, 'c2', 'blocked')];
    assert.deepEqual(codes(blocked, { now: at(31) }), ['reporting.first.overdue:0']);
    assert.equal(item(blocked, 'reporting.first.overdue', { now: at(31) })!.params.deadline, at(30));
    assert.ok(codes([...blocked, report(29, 'r1', 'first')]).includes('reporting.first.on-time:30'));
    // the old rule, kept per course: only a successful impact starts it
    const impactRule = withRules(rules, { reporting: { clockStartsAt: 'impact' } });
    assert.deepEqual(codes(blocked, { now: at(300), rules: impactRule }), []);
  });
  it("a beginners' course counts from the team's own first finding", () => {
    const r = withRules(rules, { reporting: { clockStartsAt: 'first-finding' } });
    const events = [step(0, 'c2'), finding(20, 'f1')];
    assert.equal(item(events, 'reporting.first.overdue', { now: at(51), rules: r })!.params.deadline, at(50));
    assert.deepEqual(codes(events, { now: at(49), rules: r }), []);
  });
});

describe('deadlines on the exercise clock (what the countdown shows)', () => {
  it('holds the clock while paused and gives the time left', () => {
    const events = [ex(0, 'exercise.started'), step(0, 'c2'), ex(10, 'exercise.paused')];
    const held = computeDeadlines(events, 't01', ctx, at(25));
    assert.equal(held.paused, true);
    assert.equal(held.firstReportDue, undefined);
    assert.equal(held.firstReportLeftS, 20 * 60);
    // resumed at 40: 20 minutes were left, so the report is due at 60 — and the score agrees
    const resumed = [...events, ex(40, 'exercise.resumed')];
    assert.equal(computeDeadlines(resumed, 't01', ctx, at(41)).firstReportDue, at(60));
    assert.deepEqual(codes(resumed, { now: at(61) }), ['reporting.first.overdue:0']);
    assert.deepEqual(codes(resumed, { now: at(59) }), []);
  });
  it('runs at the attack speed: at ×2 thirty exercise minutes pass in fifteen', () => {
    const events = [speed(0, 2), step(0, 'c2')];
    assert.equal(computeDeadlines(events, 't01', ctx, at(1)).firstReportDue, at(15));
    assert.equal(computeDeadlines(events, 't01', ctx, at(1)).speed, 2);
    assert.ok(codes([...events, report(16, 'r1', 'first')]).includes('reporting.first.late:10'));
    // once the scripted attack is over the clock runs at ×1 again: 10 minutes at ×2, then 10 at ×1
    const over: EnshuEvent = { ...base, at: at(10), type: 'attack.finished', team: 't01', scenario: 's' };
    assert.equal(computeDeadlines([...events, over], 't01', ctx, at(11)).firstReportDue, at(20));
    // from ×1 to ×3 at minute 10: 10 + 20/3 minutes
    const mixed = [step(0, 'c2'), speed(10, 3)];
    assert.equal(computeDeadlines(mixed, 't01', ctx, at(11)).firstReportDue, at(16, 40));
  });
  it('asks for an update an hour after each report and for nothing after the final report', () => {
    const events = [step(0, 'c2'), report(10, 'r1', 'first')];
    const d = computeDeadlines(events, 't01', ctx, at(11));
    assert.equal(d.nextUpdateDue, at(70));
    assert.deepEqual(d.sentKinds, ['first']);
    const done = computeDeadlines([...events, report(20, 'r2', 'final')], 't01', ctx, at(21));
    assert.equal(done.closed, true);
    assert.equal(done.nextUpdateDue, undefined);
    assert.deepEqual(done.sentKinds, ['first', 'final']);
  });
});

describe('fields that mean something', () => {
  it('does not count 「不明」 or 「調査中」 alone', () => {
    const r = report(5, 'r1', 'first', { fields: { outlook: '不明', affected: ' 調査中です。' } });
    const f = item([step(0, 'c2'), finding(1, 'f1'), r], 'reporting.fields')!;
    assert.deepEqual(f.params.missing, ['affected', 'outlook']);
    assert.equal(f.raw, 8);
  });
  it('wants a time that parses and is not after the report', () => {
    const unread = report(5, 'r1', 'first', { fields: { occurredAt: 'けさ' } });
    const future = report(5, 'r1', 'first', { fields: { occurredAt: '6月1日 11時30分' } });
    const p = (r: EnshuEvent) => item([step(0, 'c2'), finding(1, 'f1'), r], 'reporting.fields')!.params.problems;
    assert.deepEqual(p(unread), ['occurredAt:time-unreadable']);
    assert.deepEqual(p(future), ['occurredAt:time-in-future']);
  });
  it('counts a cause once a finding of the team backs it', () => {
    const f = item([step(0, 'c2'), report(5, 'r1', 'first')], 'reporting.fields')!;
    assert.deepEqual(f.params.problems, ['cause:no-finding']);
    assert.match(describeItem(f, 'ja'), /原因: 裏付けとなる発見がまだない/);
  });
  it('reads the times people write', () => {
    const r = at(30); // 10:30 JST on 2026-06-01
    assert.equal(parseOccurredAt('10時05分ごろ', r)?.toISOString(), at(5));
    assert.equal(parseOccurredAt('2026/06/01 10:05', r)?.toISOString(), at(5));
    assert.equal(parseOccurredAt('6月1日 午前10時半', r)?.toISOString(), at(30));
    assert.equal(parseOccurredAt('2026-06-01T10:05:00+09:00', r)?.toISOString(), at(5));
    // a time later than the report, without a date, is yesterday's
    assert.equal(parseOccurredAt('23:00', r)?.toISOString(), at(-11 * 60));
    assert.equal(parseOccurredAt('不明', r), undefined);
  });
});

describe('recipients and plain words', () => {
  it('asks plain words only of what the public reads', () => {
    const jargon = { cause: 'C2サーバとの通信' };
    const internal = report(5, 'r1', 'first', { recipients: ['management', 'authority'], fields: jargon });
    const pub = report(5, 'r1', 'first', { recipients: ['public'], channels: ['web'], fields: jargon });
    assert.equal(item([step(0, 'c2'), internal], 'reporting.jargon'), undefined);
    assert.equal(item([step(0, 'c2'), pub], 'reporting.jargon')!.raw, -1);
  });
  it('credits each required recipient told by the first-report deadline', () => {
    const events = [
      step(0, 'c2'),
      report(10, 'r1', 'first', { recipients: ['management', 'authority'] }),
      report(40, 'r2', 'update', { recipients: ['public'], channels: ['web'] }),
    ];
    assert.deepEqual(
      codes(events, { now: at(41) }).filter((c) => c.startsWith('reporting.recipient')),
      ['reporting.recipient.told:3', 'reporting.recipient.told:3', 'reporting.recipient.late:0'],
    );
  });
});

describe('the notice on the web site', () => {
  const pub = (m: number, id: string, kind: 'first' | 'update' | 'final', f: Partial<typeof fields> = {}) =>
    report(m, id, kind, { recipients: ['public', 'authority'], channels: ['web'], fields: f });
  const page = (f: Partial<typeof fields> = {}) =>
    `<h1>お知らせ</h1> 影響: ${f.affected ?? fields.affected} 見通し: ${f.outlook ?? fields.outlook}`;
  it('credits the notice seen on the site and each update shown there', () => {
    const later = { outlook: '16時に復旧しました' };
    const events = [
      step(0, 'c2'),
      pub(10, 'r1', 'first'),
      notice(9, 'ようこそ'),
      notice(12, page()),
      pub(60, 'r2', 'update', later),
      notice(62, page(later)),
    ];
    assert.deepEqual(
      codes(events).filter((c) => c.startsWith('reporting.notice')),
      ['reporting.notice.posted:10', 'reporting.notice.updated:5'],
    );
  });
  it('costs points when the notice is taken down before the final report, not after', () => {
    const up = [step(0, 'c2'), pub(10, 'r1', 'first'), notice(12, page())];
    const down = [...up, notice(30, 'ようこそ')];
    assert.deepEqual(
      codes(down).filter((c) => c.startsWith('reporting.notice')),
      ['reporting.notice.posted:10', 'reporting.notice.taken-down:-15'],
    );
    // the server stopped answering counts the same
    assert.ok(codes([...up, notice(30, '', 0)]).includes('reporting.notice.taken-down:-15'));
    const afterFinal = [...up, pub(20, 'r2', 'final'), notice(30, 'ようこそ')];
    assert.ok(!codes(afterFinal).some((c) => c.includes('taken-down')));
  });
  it('scores no notice for reports that were not meant for the web', () => {
    const events = [step(0, 'c2'), report(10, 'r1', 'first', { recipients: ['public'], channels: ['sns'] })];
    assert.ok(!codes([...events, notice(12, page())]).some((c) => c.startsWith('reporting.notice')));
  });
});
