/**
 * The organizers' yearly table, the shape of the seed's figures: per fiscal year and course the
 * sessions, participants, venues and period, with a total per year and over all years. Past years
 * come in as CSV (`parseYearlyCsv`); years run here come from the exercises' results
 * (`liveYearlyRows`). A row without a course is a year's published total (the seed gives 2017–2021
 * only as totals, and 2022's participants only for all courses together). Pure.
 */
import { COURSE_IDS, type CourseYearStats, type YearlyRow, type YearlyTable } from '../protocol/index.js';
import { toCsv } from './organizers.js';

export class YearlyCsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'YearlyCsvError';
  }
}

/** header names accepted for each column, English and Japanese */
const COLUMNS = {
  fiscalYear: ['fiscal_year', 'year', '年度'],
  course: ['course', 'コース', 'コース名'],
  sessions: ['sessions', '開催回数', '実施回数'],
  participants: ['participants', '受講者数', '参加者数'],
  venues: ['venues', 'venue', '開催地'],
  period: ['period', '実施時期'],
} as const;
type Column = keyof typeof COLUMNS;

/** course names as organizers write them → course ids */
const COURSE_NAMES: Record<string, string> = {
  オンライン標準: 'online-standard',
  オンライン入門: 'online-intro',
  'online standard': 'online-standard',
  'online intro': 'online-intro',
};

/** RFC 4180 records (quotes, CRLF or LF, a leading BOM), each with its first line number. */
function records(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const s = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      cells.push(cell);
      if (cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
      cells = [];
      cell = '';
      line++;
      start = line;
    } else cell += c;
  }
  if (quoted) throw new YearlyCsvError('a quoted cell is not closed', start);
  cells.push(cell);
  if (cells.some((x) => x.trim() !== '')) out.push({ line: start, cells });
  return out;
}

const count = (v: string, line: number, what: string): number | null => {
  const x = v.normalize('NFKC').replace(/[,，\s回名人]/g, '');
  if (x === '' || x === '-' || x === '—' || x === '随時') return null;
  if (!/^\d+$/.test(x)) throw new YearlyCsvError(`${what}: "${v}" is not a whole number`, line);
  return Number(x);
};

/**
 * Rows of a CSV of past figures. Columns by header (English or Japanese, any order): fiscal_year
 * (2022 or 2022年度), course (an id, a Japanese course name, or empty for the year's total),
 * sessions, participants (empty: not known), venues, period.
 */
export function parseYearlyCsv(text: string): YearlyRow[] {
  const [head, ...body] = records(text);
  if (!head) throw new YearlyCsvError('the file is empty', 1);
  const index = {} as Record<Column, number>;
  for (const col of Object.keys(COLUMNS) as Column[]) {
    index[col] = head.cells.findIndex((h) =>
      (COLUMNS[col] as readonly string[]).includes(h.trim().toLowerCase().replace(/\s+/g, '_')),
    );
  }
  for (const col of ['fiscalYear', 'sessions', 'participants'] as const)
    if (index[col] < 0) throw new YearlyCsvError(`no "${COLUMNS[col][0]}" column`, head.line);
  const seen = new Set<string>();
  return body.map(({ line, cells }) => {
    const cell = (c: Column) => (index[c] >= 0 ? (cells[index[c]] ?? '').trim() : '');
    const fy = /^(\d{4})(年度)?$/.exec(cell('fiscalYear').normalize('NFKC'));
    if (!fy) throw new YearlyCsvError(`fiscal_year: "${cell('fiscalYear')}" is not a year like 2022`, line);
    const raw = cell('course');
    const course = raw === '' || /^(合計|total|all)$/i.test(raw) ? null : (COURSE_NAMES[raw.toLowerCase()] ?? raw);
    if (course !== null && !(COURSE_IDS as readonly string[]).includes(course))
      throw new YearlyCsvError(`course: "${raw}" is none of ${COURSE_IDS.join(', ')}`, line);
    const key = `${fy[1]}|${course ?? ''}`;
    if (seen.has(key)) throw new YearlyCsvError(`fiscal year ${fy[1]} ${course ?? 'total'} appears twice`, line);
    seen.add(key);
    return {
      fiscalYear: Number(fy[1]),
      course,
      sessions: count(cell('sessions'), line, 'sessions'),
      participants: count(cell('participants'), line, 'participants'),
      venues: cell('venues'),
      period: cell('period'),
      source: 'imported' as const,
    };
  });
}

/** The exercises run here, as rows of the yearly table. */
export function liveYearlyRows(stats: readonly CourseYearStats[]): YearlyRow[] {
  return stats.map((s) => ({
    fiscalYear: s.fiscalYear,
    course: s.course,
    sessions: s.sessions,
    participants: s.participants,
    venues: '',
    period: '',
    source: 'live' as const,
  }));
}

const courseRank = (c: string | null) =>
  c === null
    ? Infinity
    : (COURSE_IDS as readonly string[]).indexOf(c) === -1
      ? 99
      : (COURSE_IDS as readonly string[]).indexOf(c);
const sum = (xs: (number | null)[]) =>
  xs.some((x) => x !== null) ? xs.reduce<number>((n, x) => n + (x ?? 0), 0) : null;

/**
 * The table: per fiscal year its course rows and a total. A year's published total (a row without
 * a course) stands for the imported part of that year; exercises run here are added to it.
 */
export function yearlyTable(rows: readonly YearlyRow[]): YearlyTable {
  const years = [...new Set(rows.map((r) => r.fiscalYear))].sort((a, b) => a - b);
  const out = years.map((fy) => {
    const mine = rows.filter((r) => r.fiscalYear === fy);
    const given = mine.find((r) => r.course === null && r.source === 'imported');
    const imported = mine.filter((r) => r.course !== null && r.source === 'imported');
    const live = mine.filter((r) => r.source === 'live');
    const part = (k: 'sessions' | 'participants') => {
      const base = given?.[k] ?? sum(imported.map((r) => r[k]));
      return sum([base, ...live.map((r) => r[k])]);
    };
    return {
      fiscalYear: fy,
      rows: mine
        .filter((r) => r.course !== null)
        .sort((a, b) => courseRank(a.course) - courseRank(b.course) || a.source.localeCompare(b.source)),
      sessions: part('sessions'),
      participants: part('participants'),
    };
  });
  return {
    years: out,
    sessions: sum(out.map((y) => y.sessions)),
    participants: sum(out.map((y) => y.participants)),
  };
}

/** The table as CSV, one line per course row and per year total, headers in the page's language. */
export function yearlyCsv(table: YearlyTable, lang: 'ja' | 'en', o: { bom?: boolean } = {}): string {
  const ja = lang === 'ja';
  const header = ja
    ? ['年度', 'コース', '開催回数', '受講者数', '開催地', '実施時期']
    : ['fiscal_year', 'course', 'sessions', 'participants', 'venues', 'period'];
  const lines: unknown[][] = [];
  for (const y of table.years) {
    for (const r of y.rows) lines.push([y.fiscalYear, r.course, r.sessions, r.participants, r.venues, r.period]);
    lines.push([y.fiscalYear, ja ? '合計' : 'total', y.sessions, y.participants, '', '']);
  }
  lines.push([ja ? '全年度' : 'all', ja ? '合計' : 'total', table.sessions, table.participants, '', '']);
  return toCsv(header, lines, o);
}
