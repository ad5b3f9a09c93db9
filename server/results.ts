/**
 * Organizer views: results per exercise/team/phase, statistics per course and fiscal year,
 * CSV/JSON export and the after-action timeline. The arithmetic lives in scoreboard's pure
 * helpers (bound in wiring.ts); this file only gathers their inputs from the store.
 */
import type { GroundTruth } from '../core/index.js';
import type {
  StoredEvent,
  ExerciseResult,
  CourseYearStats,
  TeamTimeline,
  YearlyRow,
  YearlyTable,
} from '../protocol/index.js';
import { ValidationError } from './store/index.js';
import type { Store } from './store/index.js';
import type { ScoreService } from './scores.js';

export type { ExerciseResult };

export interface ReportingPort {
  /** sessions, participants, average scores per course and fiscal year (April–March) */
  stats(results: ExerciseResult[]): { stats: CourseYearStats[] };
  statsCsv(results: ExerciseResult[]): string;
  /** the yearly table (seed's shape): imported past years and the exercises run here (#14) */
  yearly?(stats: CourseYearStats[], imported: YearlyRow[]): YearlyTable;
  yearlyCsv?(table: YearlyTable, lang: 'ja' | 'en'): string;
  /** rows of a CSV of past figures; throws with the line at fault */
  parseYearly?(csv: string): YearlyRow[];
  resultsCsv(result: ExerciseResult): string;
  /** `items`: the team's score items, so the timeline shows the points behind each event */
  timeline(
    events: readonly StoredEvent[],
    team: string,
    truth: GroundTruth | undefined,
    items: unknown[] | undefined,
  ): TeamTimeline;
}

export class Exporter {
  constructor(
    private readonly store: Store,
    private readonly scores: ScoreService,
    private readonly reporting: ReportingPort,
    private readonly truths: (exercise: string) => Map<string, GroundTruth>,
  ) {}

  results(exercise: string): ExerciseResult {
    const x = this.store.exercises.get(exercise);
    const scores = new Map(this.scores.scores(exercise).map((s) => [s.team, s]));
    return {
      exercise: x,
      teams: this.store.exercises
        .teams(exercise)
        .map((t) => ({ team: t.id, name: t.name, members: t.members, score: scores.get(t.id) ?? null })),
    };
  }

  resultsCsv(exercise: string): string {
    return this.reporting.resultsCsv(this.results(exercise));
  }

  /** Only exercises that ran count towards the statistics. */
  private finished(): ExerciseResult[] {
    return this.store.exercises
      .list()
      .filter((x) => ['running', 'paused', 'ended', 'archived'].includes(x.state))
      .map((x) => this.results(x.id));
  }

  stats(): { stats: CourseYearStats[] } {
    return this.reporting.stats(this.finished());
  }

  statsCsv(): string {
    return this.reporting.statsCsv(this.finished());
  }

  yearly(): YearlyTable {
    const live = this.reporting.stats(this.finished()).stats;
    return (
      this.reporting.yearly?.(live, this.store.pastStats.list()) ?? { years: [], sessions: null, participants: null }
    );
  }

  yearlyCsv(lang: 'ja' | 'en'): string {
    return this.reporting.yearlyCsv?.(this.yearly(), lang) ?? '';
  }

  /** Imports past figures; each fiscal year in the file replaces what was imported for it before. */
  importYearly(csv: string): number {
    if (!this.reporting.parseYearly) throw new ValidationError('importing figures is not available', {});
    let rows: YearlyRow[];
    try {
      rows = this.reporting.parseYearly(csv);
    } catch (err) {
      throw new ValidationError(`CSV: ${(err as Error).message}`, {});
    }
    return this.store.pastStats.replaceYears(rows);
  }

  timeline(exercise: string, team: string): TeamTimeline {
    const items = this.scores.scores(exercise).find((s) => s.team === team)?.detail;
    return this.reporting.timeline(
      this.scores.log(exercise),
      team,
      this.truths(exercise).get(team),
      Array.isArray(items) ? items : undefined,
    );
  }
}
