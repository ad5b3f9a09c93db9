/**
 * The server scores only the teams an event touched (`ScoreFold.scoresOf`) and reads report
 * deadlines from its running fold (`ScoreFold.deadlines`): both must equal the full fold of the
 * same log (`computeScores`, `computeDeadlines`) after every event, or a live board drifts from
 * what a recomputation says.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { courseATruth } from './fixtures/course-a-truth.js';
import { loadGlossary } from './glossary.js';
import { loadRules } from './rules/load.js';
import { ScoreFold, computeDeadlines, computeScores, type ScoreContext } from './score.js';
import type { InjectEvent, StoredEvent } from '../protocol/index.js';

const recorded = JSON.parse(
  readFileSync(new URL('./fixtures/course-a-log.json', import.meta.url), 'utf8'),
) as StoredEvent[];
const ctx: ScoreContext = { rules: loadRules('A'), truth: courseATruth, glossary: loadGlossary() };
const withoutRank = ({ rank: _rank, ...r }: ReturnType<typeof computeScores>[number]) => r;
const later = (at: string, minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();

/** The recorded exercise, with an inject to t02 and its late reaction, and one event appended out of order. */
function log(): StoredEvent[] {
  const events = recorded.filter((e) => e.type !== 'exercise.ended');
  const last = events.at(-1)!;
  let seq = Math.max(...events.map((e) => e.seq));
  const inject: InjectEvent = {
    type: 'inject.sent',
    exercise: last.exercise,
    team: 't02',
    at: later(last.at, 1),
    id: 'inj-1',
    kind: 'management',
    from: '部長',
    message: { ja: '報告', en: 'report' },
    source: 'instructor',
    expect: { kind: 'report', withinMinutes: 5, points: 5 },
  };
  const report = recorded.find((e) => e.type === 'report.submitted' && e.team === 't02') as StoredEvent & {
    type: 'report.submitted';
  };
  const late = recorded.find((e) => e.type === 'finding.submitted' && e.team === 't01') as StoredEvent & {
    type: 'finding.submitted';
  };
  return [
    ...events,
    { ...inject, seq: ++seq },
    { ...report, id: 'r-late', at: later(last.at, 9), seq: ++seq } as StoredEvent,
    // appended after newer events: the fold folds its team again in time order
    { ...late, id: 'f-late', at: later(late.at, -1), seq: ++seq } as StoredEvent,
  ];
}

describe('scoring the teams an event touched', () => {
  it('equals the full fold of the log after every event: scores, ranks from totals, report deadlines', () => {
    const events = log();
    const fold = new ScoreFold(ctx);
    for (let n = 0; n < events.length; n++) {
      const e = events[n]!;
      fold.add(e);
      const now = later(e.at, 2);
      const full = computeScores(events.slice(0, n + 1), { ...ctx, now });
      const teams = 'team' in e ? [e.team] : fold.teams();
      assert.deepEqual(
        fold.scoresOf(teams, now),
        full.filter((r) => teams.includes(r.team)).map(withoutRank),
        `after ${e.type} #${e.seq}`,
      );
      assert.deepEqual(fold.teams(), full.map((r) => r.team).sort());
      for (const team of fold.teams())
        assert.deepEqual(
          fold.deadlines(team, now),
          computeDeadlines(
            events.slice(0, n + 1).filter((x) => !('team' in x) || x.team === team),
            team,
            ctx,
            now,
          ),
          `${team}'s deadlines after ${e.type} #${e.seq}`,
        );
    }
    const end = later(events.at(-1)!.at, 30);
    assert.deepEqual(fold.scores(end), computeScores(events, { ...ctx, now: end }));
    // the inject's late reaction is in t02's breakdown, from the fold as from the whole log
    const t02 = fold.scoresOf(['t02'], end)[0]!;
    assert.ok(t02.items.some((i) => i.code === 'reporting.inject' && i.params.minutesLate === 3));
  });
});
