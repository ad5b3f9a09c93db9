import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { ExerciseRow, ScoreItem, StoredEvent, TeamScore, TeamTimeline } from '../../protocol/index.js';
import type { GroundTruth } from '../../core/index.js';
import { teamsFor } from './project.js';
import {
  ownSubmissions,
  reportDeadlines,
  stepOfRef,
  stepRef,
  traineeDelta,
  traineeEvent,
  traineeEvents,
  traineeExercise,
  traineeHints,
  traineeScores,
  traineeTimeline,
} from './trainee.js';

const EX = 'vis-unit';
const SEED = 424242;
const ref = (step: string) => stepRef(SEED, EX, 't01', step);
const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 9, m)).toISOString();

const row: ExerciseRow = {
  id: EX,
  title: 'Course A',
  course: 'A',
  scenario: 'a-phishing-c2-exfil',
  seed: SEED,
  topology: 'cyder-standard',
  state: 'running',
  speed: 300,
  schedule: { start: at(0) },
  createdAt: at(0),
  updatedAt: at(0),
};

const truth: GroundTruth = {
  scenario: 'a-phishing-c2-exfil',
  team: 't01',
  availability: [],
  steps: [
    {
      id: 'phishing-mail',
      title: { ja: 'メール', en: 'Mail' },
      technique: 'T1566.001',
      tactic: 'initial-access',
      impact: false,
      indicators: [{ type: 'email', value: 'ceo@evil.example' }],
      containment: [],
      recovery: [],
      hints: [{ id: 'h1', text: { ja: 'ログ', en: 'the mail log' }, cost: 5 }],
    },
    {
      id: 'exfiltrate',
      title: { ja: '持ち出し', en: 'Exfiltration' },
      technique: 'T1041',
      tactic: 'exfiltration',
      impact: true,
      indicators: [{ type: 'ip', value: '203.0.113.9' }],
      containment: [],
      recovery: [],
      hints: [{ id: 'h2', text: { ja: 'FW', en: 'the FW' }, cost: 5 }],
    },
  ],
};

let seq = 0;
const ev = (e: Record<string, unknown>): StoredEvent =>
  ({ exercise: EX, at: at(seq), seq: ++seq, ...e }) as StoredEvent;
const step = (id: string, team = 't01', impact = false) =>
  ev({
    type: 'attack.step',
    team,
    scenario: 'a-phishing-c2-exfil',
    step: id,
    technique: 'T1566.001',
    tactic: 'initial-access',
    startedAt: at(seq),
    endedAt: at(seq),
    outcome: 'succeeded',
    evidence: 'ceo@evil.example',
    impact,
  });
const log: StoredEvent[] = [
  ev({ type: 'exercise.created', by: 'admin', detail: { seed: SEED, scenario: 'a-phishing-c2-exfil' } }),
  step('phishing-mail'),
  ev({ type: 'check.result', team: 't01', check: 'sender-blocked', kind: 'containment', passed: false, detail: '' }),
  ev({
    type: 'finding.submitted',
    team: 't01',
    id: 'f1',
    by: 'kim',
    indicatorType: 'email',
    value: 'CEO@evil.example',
    text: '',
  }),
  ev({ type: 'finding.submitted', team: 't02', id: 'f2', by: 'lee', technique: 'T1041', text: 'other team' }),
  ev({ type: 'hint.bought', team: 't01', step: 'phishing-mail', hint: 'h1', cost: 5 }),
  ev({ type: 'attack.started', team: 't01', scenario: 'a-phishing-c2-exfil', detail: { seed: SEED } }),
];

describe('trainee projection', () => {
  it('builds the exercise from an allow-list: no seed, scenario or topology', () => {
    const x = traineeExercise({ ...row, extra: 'new staff field' } as ExerciseRow);
    assert.deepEqual(x, {
      id: EX,
      title: 'Course A',
      course: 'A',
      state: 'running',
      speed: 300,
      schedule: { start: at(0) },
    });
  });

  it('gives trainees their own team without a join code, organizers no join codes, instructors all', () => {
    const teams = [
      { exercise: EX, id: 't01', name: 'Blue', joinCode: 'AAAA-1111', members: ['kim'] },
      { exercise: EX, id: 't02', name: 'Red', joinCode: 'BBBB-2222', members: ['lee'] },
    ];
    assert.deepEqual(teamsFor({ role: 'trainee', subject: 'kim', exercise: EX, team: 't01' }, teams), [
      { exercise: EX, id: 't01', name: 'Blue', members: ['kim'] },
    ]);
    assert.ok(!JSON.stringify(teamsFor({ role: 'organizer', subject: 'ito' }, teams)).includes('AAAA'));
    assert.equal(teamsFor({ role: 'instructor', subject: 'admin' }, teams)[1]!.joinCode, 'BBBB-2222');
  });

  it('lets through only the team’s own submissions and bare exercise events, hints by reference', () => {
    const out = traineeEvents(log, 't01', ref);
    assert.deepEqual(
      out.map((e) => e.type),
      ['exercise.created', 'finding.submitted', 'hint.bought'],
    );
    assert.deepEqual(out[0], { exercise: EX, at: at(0), seq: 1, type: 'exercise.created' });
    const hint = out[2] as { step: string };
    assert.equal(hint.step, ref('phishing-mail'));
    const text = JSON.stringify(out);
    for (const secret of [String(SEED), 'phishing-mail', 'T1566', 'sender-blocked', 't02', 'a-phishing'])
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.equal(traineeEvent(log[1]!, 't01', ref), undefined);
  });

  it('names steps by an opaque reference only the server can resolve', () => {
    const r = ref('exfiltrate');
    assert.match(r, /^h-[0-9a-f]{12}$/);
    assert.notEqual(r, stepRef(SEED, EX, 't02', 'exfiltrate'));
    assert.equal(stepOfRef(SEED, EX, 't01', truth, r), 'exfiltrate');
    assert.equal(stepOfRef(SEED + 1, EX, 't01', truth, r), undefined);
  });

  it('shows hints only for steps the attack has reached, with text only once held, no technique', () => {
    const before = traineeHints(truth, [], 't01', ref);
    assert.deepEqual(before, []);
    const hints = traineeHints(truth, log, 't01', ref);
    assert.equal(hints.length, 1);
    assert.deepEqual(hints[0], {
      step: ref('phishing-mail'),
      title: { ja: 'メール', en: 'Mail' },
      hints: [{ id: 'h1', cost: 5, got: 'bought', text: { ja: 'ログ', en: 'the mail log' } }],
    });
    assert.ok(!JSON.stringify(hints).includes('exfiltrate'));
  });

  it('keeps score items of the team’s own submissions and deadlines, without steps, checks or answers', () => {
    const items: ScoreItem[] = [
      {
        phase: 'detection',
        points: 10,
        raw: 10,
        code: 'detection.indicator',
        params: { finding: 'f1', type: 'email', value: 'ceo@evil.example', decay: 1 },
        eventSeq: 4,
        at: at(4),
        step: 'phishing-mail',
      },
      {
        phase: 'response',
        points: 20,
        raw: 20,
        code: 'response.containment',
        params: { check: 'sender-blocked', decay: 1 },
        eventSeq: 3,
        at: at(3),
        step: 'phishing-mail',
      },
      {
        phase: 'reporting',
        points: 0,
        raw: 0,
        code: 'reporting.first.overdue',
        params: { deadline: at(40) },
        at: at(40),
        step: 'exfiltrate',
      },
      {
        phase: 'detection',
        points: -2,
        raw: -2,
        code: 'detection.false-positive',
        params: { finding: 'f1', reason: 'not-happened-yet', capped: false },
        eventSeq: 4,
        at: at(4),
      },
    ];
    const scores: TeamScore[] = [
      {
        team: 't01',
        total: 28,
        phases: { detection: 8, response: 20, reporting: 0, recovery: 0 },
        rank: 2,
        detail: items,
      },
      {
        team: 't02',
        total: 50,
        phases: { detection: 50, response: 0, reporting: 0, recovery: 0 },
        rank: 1,
        detail: [],
      },
    ];
    const own = ownSubmissions(log, 't01');
    const hidden = traineeScores(scores, 't01', false, own);
    assert.equal(hidden.length, 1);
    assert.equal(hidden[0]!.rank, undefined);
    assert.deepEqual(
      hidden[0]!.detail!.map((i) => i.code),
      ['detection.indicator', 'reporting.first.overdue', 'detection.false-positive'],
    );
    const text = JSON.stringify(hidden);
    for (const secret of ['phishing-mail', 'exfiltrate', 'sender-blocked', 'ceo@evil', 'not-happened-yet'])
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.equal(hidden[0]!.detail![0]!.params.value, 'CEO@evil.example', 'the value the team submitted');
    const ranked = traineeScores(scores, 't01', true, own);
    assert.deepEqual(
      ranked.map((s) => [s.team, s.rank, s.detail === undefined]),
      [
        ['t01', 2, false],
        ['t02', 1, true],
      ],
    );
    const d = traineeDelta(
      {
        exercise: EX,
        team: 't01',
        score: scores[0]!,
        previous: scores[0]!,
        seq: 9,
        causeAppendedAt: 1,
        cause: 'event',
      },
      false,
      own,
    );
    assert.equal(d.previous!.detail, undefined);
    assert.equal(d.score.rank, undefined);
  });

  it('computes the report deadlines from the first successful impact and the last report', () => {
    const c = { firstDeadlineMinutes: 30, updateIntervalMinutes: 60 };
    assert.deepEqual(reportDeadlines(log, 't01', truth, c), {});
    const impact = step('exfiltrate');
    const withImpact = [...log, impact];
    assert.deepEqual(reportDeadlines(withImpact, 't01', truth, c), {
      firstReportDue: new Date(Date.parse(impact.at) + 30 * 60_000).toISOString(),
    });
    const report = ev({
      type: 'report.submitted',
      team: 't01',
      id: 'r1',
      by: 'kim',
      kind: 'first',
      language: 'ja',
      fields: { occurredAt: '', affected: '', cause: '', outlook: '', alternatives: '', actions: '' },
    });
    const d = reportDeadlines([...withImpact, report], 't01', truth, c);
    assert.equal(d.firstReportAt, report.at);
    assert.equal(d.nextUpdateDue, new Date(Date.parse(report.at) + 60 * 60_000).toISOString());
    assert.deepEqual(reportDeadlines([...withImpact, report], 't02', truth, c), {});
  });

  it('keeps only the team’s own lanes in the timeline while the after-action view is closed', () => {
    const t: TeamTimeline = {
      team: 't01',
      entries: [
        {
          at: at(1),
          seq: 2,
          lane: 'attack',
          type: 'attack.step',
          summary: { ja: 'メール', en: 'Mail' },
          step: 'phishing-mail',
          technique: 'T1566.001',
          outcome: 'succeeded',
        },
        {
          at: at(2),
          seq: 3,
          lane: 'check',
          type: 'check.result',
          summary: { ja: '✗ x', en: '✗ sender blocked' },
          step: 'phishing-mail',
        },
        {
          at: at(3),
          seq: 4,
          lane: 'detection',
          type: 'finding.submitted',
          summary: { ja: 'email', en: 'email' },
          points: 10,
        },
        {
          at: at(5),
          seq: 6,
          lane: 'hint',
          type: 'hint.bought',
          summary: { ja: 'h1 (phishing-mail)', en: 'h1 (phishing-mail)' },
          step: 'phishing-mail',
          points: -5,
        },
      ],
    };
    const v = traineeTimeline(t, log, 't01');
    assert.deepEqual(
      v.entries.map((e) => [e.type, e.summary.en, e.points]),
      [
        ['finding.submitted', 'email', 10],
        ['hint.bought', 'h1', -5],
      ],
    );
    assert.ok(!JSON.stringify(v).includes('phishing-mail'));
  });
});
