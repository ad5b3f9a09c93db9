/**
 * The score service scores again only the teams whose events came in (ranks from the totals it
 * holds): after every event its board must equal a full recomputation of the log with the real
 * scoring rules, a delta must go to the team that changed and to no other, and report deadlines
 * read from its running fold must equal those counted over the log.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { GroundTruth } from '../core/index.js';
import type { EnshuEvent, ScoreDelta } from '../protocol/index.js';
import { openStore } from './store/index.js';
import { ScoreService } from './scores.js';
import { scoringPort } from './wiring.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-scores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EX = 'sv-scores';
const TEAMS = ['t01', 't02', 't03'];
const ip = (team: string, i: number) => `203.0.113.${Number(team.slice(1)) * 10 + i}`;
const truth = (team: string): GroundTruth => ({
  scenario: 's',
  team,
  availability: [],
  steps: [
    {
      id: 's1',
      title: { ja: 's1', en: 's1' },
      technique: 'T1071',
      tactic: 'command-and-control',
      impact: true,
      hints: [],
      containment: [],
      recovery: [],
      indicators: [0, 1, 2].map((i) => ({ type: 'ip' as const, value: ip(team, i) })),
    },
  ],
});

/** A morning of three teams: the attack lands, findings right and wrong, reports, a pause. */
function story(t0: number): EnshuEvent[] {
  const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
  const base = { exercise: EX };
  const step = (team: string, min: number): EnshuEvent => ({
    ...base,
    type: 'attack.step',
    team,
    at: at(min),
    scenario: 's',
    step: 's1',
    technique: 'T1071',
    tactic: 'command-and-control',
    startedAt: at(min),
    endedAt: at(min),
    outcome: 'succeeded',
    evidence: '',
    impact: true,
  });
  const finding = (team: string, min: number, value: string): EnshuEvent => ({
    ...base,
    type: 'finding.submitted',
    team,
    at: at(min),
    id: `${team}-${min}`,
    by: 'a',
    indicatorType: 'ip',
    value,
    text: '',
  });
  const report = (team: string, min: number): EnshuEvent => ({
    ...base,
    type: 'report.submitted',
    team,
    at: at(min),
    id: `${team}-r${min}`,
    by: 'a',
    kind: 'first',
    language: 'ja',
    fields: { occurredAt: '', affected: '', cause: '', outlook: '', alternatives: '', actions: '' },
  });
  return [
    { ...base, type: 'exercise.started', at: at(0) },
    step('t01', 1),
    step('t02', 2),
    finding('t01', 3, ip('t01', 0)),
    finding('t02', 4, ip('t01', 1)), // another team's address: a false positive for t02
    finding('t01', 5, ip('t01', 0)), // the same indicator again
    finding('t03', 6, ip('t03', 0)), // before its attack happened
    step('t03', 7),
    report('t02', 8),
    { ...base, type: 'exercise.paused', at: at(9) },
    { ...base, type: 'exercise.resumed', at: at(12) },
    finding('t02', 13, ip('t02', 2)),
    finding('t03', 14, ip('t03', 1)),
    report('t01', 15),
  ];
}

describe('score service: incremental per team', () => {
  it('equals the full recomputation after every event, pushes deltas only for the team that changed', async () => {
    const store = openStore(dir);
    store.exercises.create({
      id: EX,
      title: 'scores',
      course: 'A',
      scenario: 's',
      seed: 1,
      speed: 1,
      schedule: {},
      teams: TEAMS.map((name) => ({ name, members: [] })),
    });
    const truths = new Map(TEAMS.map((t) => [t, truth(t)]));
    const scoring = scoringPort();
    const t0 = Date.parse('2026-11-29T09:00:00Z');
    let now = new Date(t0);
    const svc = new ScoreService(store.events, store.exercises, scoring, () => truths, {
      now: () => now,
      rescoreIntervalMs: 0,
    });
    const deltas: ScoreDelta[] = [];
    svc.onDelta((d) => deltas.push(...d));
    assert.deepEqual(
      svc.scores(EX).map((s) => s.team),
      TEAMS,
      'the baseline lists every team',
    );
    let partialDeltas = 0;
    for (const e of story(t0)) {
      now = new Date(Date.parse(e.at) + 30_000);
      deltas.length = 0;
      store.events.append(e);
      await new Promise((r) => setImmediate(r));
      const full = scoring.compute(store.events.list(EX), { exercise: EX, course: 'A', truths, now });
      assert.deepEqual(svc.scores(EX), full, `board after ${e.type} at ${e.at}`);
      if ('team' in e) {
        assert.ok(
          deltas.every((d) => d.team === e.team),
          `${e.type} of ${e.team} pushed ${deltas.map((d) => d.team).join(',')}`,
        );
        partialDeltas += deltas.length;
      }
      for (const team of TEAMS)
        assert.deepEqual(
          svc.deadlines(EX, team, now),
          scoring.deadlines!(store.events.list(EX), { course: 'A', team, truths, now }),
          `${team}'s deadlines after ${e.type}`,
        );
    }
    assert.ok(partialDeltas >= 5, `team events changed scores (${partialDeltas} deltas)`);
    assert.deepEqual(
      svc.teamLog(EX, 't02').map((e) => e.type),
      store.events
        .list(EX)
        .filter((e) => 'team' in e && e.team === 't02')
        .map((e) => e.type),
    );
    svc.close();
    store.close();
  });
});
