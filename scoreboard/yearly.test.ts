import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { YearlyCsvError, liveYearlyRows, parseYearlyCsv, yearlyCsv, yearlyTable } from './yearly.js';

const fixture = readFileSync(new URL('./fixtures/cyder-2017-2022.csv', import.meta.url), 'utf8');

// the seed's figures, word for word (MIC, 実践的サイバー防御演習（CYDER）の頁)
const SEED_YEARS =
  '※2017年度:100回・3009名、2018年度:107回・2666名、2019年度:105回・3090名、2020年度:106回・2648名、2021年度: 105回・2454名、2022年度: 108回・3327名';
// the seed's table 「2022年度の実施状況」: course, venue, sessions, period
const SEED_2022: [string, string, number | null, string][] = [
  ['A', '47都道府県（出前・サテライト形式も試行）', 72, '7月～翌年2月'],
  ['B-1', '全国11地域', 20, '10月～翌年1月'],
  ['B-2', '東京・大阪・名古屋・つくば', 13, '翌年1月～2月'],
  ['C', '東京', 3, '10月～翌年2月'],
  ['online-standard', '（受講者職場等）', null, '5/24～7/19'],
  ['online-intro', '（受講者職場等）', null, '翌年1/17～3/2'],
];

describe("the seed's figures from the shipped CSV", () => {
  const table = yearlyTable(parseYearlyCsv(fixture));
  it('gives every fiscal year 2017–2022 with its sessions and participants', () => {
    const seed = [...SEED_YEARS.matchAll(/(\d{4})年度:\s*(\d+)回・(\d+)名/g)].map((m) => [
      Number(m[1]),
      Number(m[2]),
      Number(m[3]),
    ]);
    assert.equal(seed.length, 6);
    assert.deepEqual(
      table.years.map((y) => [y.fiscalYear, y.sessions, y.participants]),
      seed,
    );
    assert.equal(table.sessions, 631);
    assert.equal(table.participants, 17194);
  });
  it("rebuilds 2022's table per course, and its courses add up to the year's 108 sessions", () => {
    const y = table.years.find((x) => x.fiscalYear === 2022)!;
    assert.deepEqual(
      y.rows.map((r) => [r.course, r.venues, r.sessions, r.period]),
      SEED_2022,
    );
    assert.equal(
      y.rows.reduce((n, r) => n + (r.sessions ?? 0), 0),
      y.sessions,
    );
  });
  it('writes the table back as CSV with Japanese headers and total rows', () => {
    const lines = yearlyCsv(table, 'ja').trimEnd().split('\r\n');
    assert.equal(lines[0], '年度,コース,開催回数,受講者数,開催地,実施時期');
    assert.equal(lines[1], '2017,合計,100,3009,,');
    assert.ok(lines.includes('2022,A,72,,47都道府県（出前・サテライト形式も試行）,7月～翌年2月'));
    assert.ok(lines.includes('2022,合計,108,3327,,'));
    assert.equal(lines.at(-1), '全年度,合計,631,17194,,');
    // and reads back to the same table
    assert.deepEqual(
      yearlyTable(parseYearlyCsv(yearlyCsv(table, 'en').replace(/^all,total.*$/m, ''))).years.map((x) => x.sessions),
      table.years.map((x) => x.sessions),
    );
  });
});

describe('importing past years', () => {
  it('reads Japanese headers, course names, 「年度」 and a BOM', () => {
    const rows = parseYearlyCsv('\uFEFF年度,コース,開催回数,受講者数\r\n2023年度,オンライン入門,5,120\r\n');
    assert.deepEqual(rows, [
      {
        fiscalYear: 2023,
        course: 'online-intro',
        sessions: 5,
        participants: 120,
        venues: '',
        period: '',
        source: 'imported',
      },
    ]);
  });
  it('names the line and the field at fault', () => {
    assert.throws(
      () => parseYearlyCsv('fiscal_year,course,sessions,participants\n2022,A,72,\n2022,Z,1,2\n'),
      (e) => {
        assert.ok(e instanceof YearlyCsvError);
        assert.equal(e.message, 'line 3: course: "Z" is none of A, B-1, B-2, C, online-standard, online-intro');
        return true;
      },
    );
    assert.throws(
      () => parseYearlyCsv('fiscal_year,course,sessions,participants\n2022,A,seventy,\n'),
      /line 2: sessions/,
    );
    assert.throws(() => parseYearlyCsv('course,sessions\nA,1\n'), /line 1: no "fiscal_year" column/);
    assert.throws(() => parseYearlyCsv('fiscal_year,course,sessions,participants\n2022,A,1,\n2022,A,2,\n'), /twice/);
  });
  it('adds the exercises run here to the imported figures of their year', () => {
    const live = liveYearlyRows([
      {
        fiscalYear: 2022,
        course: 'A',
        sessions: 2,
        teams: 4,
        participants: 14,
        averageScore: null,
        averagePhases: null,
      },
    ]);
    const y = yearlyTable([...parseYearlyCsv(fixture), ...live]).years.find((x) => x.fiscalYear === 2022)!;
    assert.deepEqual([y.sessions, y.participants], [110, 3341]);
    assert.deepEqual(
      y.rows.filter((r) => r.course === 'A').map((r) => r.source),
      ['imported', 'live'],
    );
  });
});
