/**
 * Organizers' figures (like the seed's yearly table): sessions, participants and average
 * scores per course and Japanese fiscal year (April–March), and CSV/JSON export. Pure.
 */
import { COURSE_IDS, PHASES, type Phase } from '../protocol/index.js';

/** Japan's fiscal year of a moment, on the Japanese calendar day (JST): 2027-03-31 → 2026, 2027-04-01 → 2027. */
export function fiscalYear(date: string | Date): number {
  const d = new Date(typeof date === 'string' ? Date.parse(date) : date.getTime());
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(date)}`);
  const jst = new Date(d.getTime() + 9 * 3_600_000);
  const y = jst.getUTCFullYear();
  return jst.getUTCMonth() >= 3 ? y : y - 1;
}

/** One exercise's results, as the server gathers them (only the fields used here). */
export interface ExerciseResultInput {
  exercise: {
    id: string;
    title?: string;
    course: string;
    schedule?: { start?: string; end?: string };
    createdAt?: string;
  };
  teams: {
    team: string;
    name?: string;
    members: readonly string[];
    score: { total: number; phases: Record<Phase, number>; rank?: number } | null;
  }[];
}

export interface CourseYearStats {
  fiscalYear: number;
  course: string;
  sessions: number;
  teams: number;
  participants: number;
  /** mean total of scored teams (null when none was scored) */
  averageScore: number | null;
  averagePhases: Record<Phase, number> | null;
}

const COURSE_ORDER: readonly string[] = COURSE_IDS;
const courseRank = (c: string) => (COURSE_ORDER.includes(c) ? COURSE_ORDER.indexOf(c) : COURSE_ORDER.length);
const round2 = (n: number) => Math.round(n * 100) / 100;

function exerciseDate(r: ExerciseResultInput): string {
  const d = r.exercise.schedule?.start ?? r.exercise.createdAt;
  if (!d) throw new RangeError(`exercise ${r.exercise.id} has neither a scheduled start nor a creation time`);
  return d;
}

export function aggregateResults(results: readonly ExerciseResultInput[]): CourseYearStats[] {
  const groups = new Map<string, { fy: number; course: string; rs: ExerciseResultInput[] }>();
  for (const r of results) {
    const fy = fiscalYear(exerciseDate(r));
    const key = `${fy}|${r.exercise.course}`;
    const g = groups.get(key) ?? { fy, course: r.exercise.course, rs: [] };
    g.rs.push(r);
    groups.set(key, g);
  }
  return [...groups.values()]
    .sort((a, b) => a.fy - b.fy || courseRank(a.course) - courseRank(b.course) || a.course.localeCompare(b.course))
    .map(({ fy, course, rs }) => {
      const teams = rs.flatMap((r) => r.teams);
      const scored = teams.flatMap((t) => (t.score ? [t.score] : []));
      const avg = (f: (s: (typeof scored)[number]) => number) =>
        round2(scored.reduce((n, s) => n + f(s), 0) / scored.length);
      return {
        fiscalYear: fy,
        course,
        sessions: rs.length,
        teams: teams.length,
        participants: teams.reduce((n, t) => n + t.members.length, 0),
        averageScore: scored.length ? avg((s) => s.total) : null,
        averagePhases: scored.length
          ? (Object.fromEntries(PHASES.map((p) => [p, avg((s) => s.phases[p])])) as Record<Phase, number>)
          : null,
      };
    });
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // a leading = + - @ would be run as a formula by spreadsheet programs
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV (RFC 4180, CRLF). `bom` helps spreadsheet programs read Japanese text as UTF-8. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly unknown[])[],
  o: { bom?: boolean } = {},
): string {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','));
  return `${o.bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}

export function statsCsv(results: readonly ExerciseResultInput[], o: { bom?: boolean } = {}): string {
  const rows = aggregateResults(results).map((s) => [
    s.fiscalYear,
    s.course,
    s.sessions,
    s.teams,
    s.participants,
    s.averageScore,
    ...PHASES.map((p) => s.averagePhases?.[p] ?? null),
  ]);
  return toCsv(
    [
      'fiscal_year',
      'course',
      'sessions',
      'teams',
      'participants',
      'average_score',
      ...PHASES.map((p) => `average_${p}`),
    ],
    rows,
    o,
  );
}

/** One row per team of an exercise: the shape of both the CSV and the JSON export. */
export function resultRows(r: ExerciseResultInput): Record<string, string | number | null>[] {
  const fy = fiscalYear(exerciseDate(r));
  return r.teams.map((t) => ({
    exercise: r.exercise.id,
    title: r.exercise.title ?? '',
    course: r.exercise.course,
    fiscal_year: fy,
    team: t.team,
    name: t.name ?? '',
    // the people, by name (a count says nothing about who took part); `; ` keeps one CSV cell
    members: t.members.join('; '),
    rank: t.score?.rank ?? null,
    ...Object.fromEntries(PHASES.map((p) => [p, t.score ? t.score.phases[p] : null])),
    total: t.score ? t.score.total : null,
  }));
}

export function resultsCsv(r: ExerciseResultInput, o: { bom?: boolean } = {}): string {
  const rows = resultRows(r);
  const header = ['exercise', 'title', 'course', 'fiscal_year', 'team', 'name', 'members', 'rank', ...PHASES, 'total'];
  return toCsv(
    header,
    rows.map((row) => header.map((h) => row[h])),
    o,
  );
}

export function resultsJson(results: readonly ExerciseResultInput[]): string {
  return `${JSON.stringify({ exercises: results.map((r) => ({ id: r.exercise.id, course: r.exercise.course, teams: resultRows(r) })), stats: aggregateResults(results) }, null, 2)}\n`;
}
