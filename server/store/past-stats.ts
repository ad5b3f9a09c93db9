/** Organizers' figures of past years, imported from CSV: one row per fiscal year and course. */
import type { Db } from './db.js';
import type { YearlyRow } from '../../protocol/index.js';

interface Raw {
  fiscal_year: number;
  course: string;
  sessions: number | null;
  participants: number | null;
  venues: string;
  period: string;
}

export class PastStatsRepo {
  constructor(private readonly db: Db) {}

  list(): YearlyRow[] {
    const rows = this.db.prepare('SELECT * FROM past_stats ORDER BY fiscal_year, course').all() as Raw[];
    return rows.map((r) => ({
      fiscalYear: r.fiscal_year,
      course: r.course === '' ? null : r.course,
      sessions: r.sessions,
      participants: r.participants,
      venues: r.venues,
      period: r.period,
      source: 'imported',
    }));
  }

  /** Replaces every fiscal year the rows name with those rows (an import of a year is its whole figure). */
  replaceYears(rows: readonly YearlyRow[]): number {
    const years = [...new Set(rows.map((r) => r.fiscalYear))];
    const del = this.db.prepare('DELETE FROM past_stats WHERE fiscal_year = ?');
    const ins = this.db.prepare(
      'INSERT INTO past_stats (fiscal_year, course, sessions, participants, venues, period) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      for (const y of years) del.run(y);
      for (const r of rows) ins.run(r.fiscalYear, r.course ?? '', r.sessions, r.participants, r.venues, r.period);
    })();
    return rows.length;
  }
}
