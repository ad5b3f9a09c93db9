import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  aggregateResults,
  fiscalYear,
  resultsCsv,
  resultsJson,
  statsCsv,
  type ExerciseResultInput,
} from './organizers.js';

const phases = (n: number) => ({ detection: n, response: n, reporting: n, recovery: n });
const ex = (id: string, course: string, start: string, teams: [number, number | null][]): ExerciseResultInput => ({
  exercise: { id, course, title: `${course} 演習`, schedule: { start } },
  teams: teams.map(([members, total], i) => ({
    team: `t0${i + 1}`,
    name: `班${i + 1}`,
    members: Array.from({ length: members }, (_, k) => `m${k}`),
    score: total === null ? null : { total, phases: phases(total / 4), rank: i + 1 },
  })),
});

describe('fiscal year (April–March, Japan)', () => {
  it('puts March 31 in the previous year and April 1 in the new one, on the Japanese calendar', () => {
    assert.equal(fiscalYear('2027-03-31T12:00:00+09:00'), 2026);
    assert.equal(fiscalYear('2027-04-01T00:00:00+09:00'), 2027);
    // 2027-03-31T15:30Z is already April 1 in Japan
    assert.equal(fiscalYear('2027-03-31T15:30:00Z'), 2027);
    assert.equal(fiscalYear('2027-01-15'), 2026);
    assert.throws(() => fiscalYear('not a date'), RangeError);
  });
});

describe('results across exercises', () => {
  const results = [
    ex('e1', 'A', '2026-05-10T01:00:00Z', [
      [4, 100],
      [3, 60],
    ]),
    ex('e2', 'A', '2027-03-31T01:00:00Z', [
      [4, 80],
      [2, null],
    ]),
    ex('e3', 'A', '2027-04-01T01:00:00Z', [[4, 50]]),
    ex('e4', 'B-1', '2026-07-01T01:00:00Z', [[3, 90]]),
  ];
  it('counts sessions, participants and average scores per course and fiscal year', () => {
    assert.deepEqual(
      aggregateResults(results).map((s) => [
        s.fiscalYear,
        s.course,
        s.sessions,
        s.teams,
        s.participants,
        s.averageScore,
      ]),
      [
        [2026, 'A', 2, 4, 13, 80],
        [2026, 'B-1', 1, 1, 3, 90],
        [2027, 'A', 1, 1, 4, 50],
      ],
    );
  });
  it('exports CSV (quoted where needed, formulas defused) and JSON', () => {
    const csv = statsCsv(results);
    assert.equal(
      csv.split('\r\n')[0],
      'fiscal_year,course,sessions,teams,participants,average_score,average_detection,average_response,average_reporting,average_recovery',
    );
    assert.equal(csv.split('\r\n')[1], '2026,A,2,4,13,80,20,20,20,20');
    const r = ex('e5', 'C', '2026-10-01T01:00:00Z', [[2, 10]]);
    r.teams[0]!.name = '=HYPERLINK("x"), team';
    const lines = resultsCsv(r, { bom: true }).split('\r\n');
    assert.ok(lines[0]!.startsWith('\uFEFFexercise,title,course,fiscal_year,team,name,members,rank,detection'));
    assert.equal(lines[1], 'e5,C 演習,C,2026,t01,"\'=HYPERLINK(""x""), team",m0; m1,1,2.5,2.5,2.5,2.5,10');
    const json = JSON.parse(resultsJson(results));
    assert.equal(json.exercises.length, 4);
    assert.equal(json.exercises[1].teams[1].total, null);
    assert.equal(json.stats[0].participants, 13);
  });
});
