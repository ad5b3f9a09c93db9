import type { GroundTruth, StoredEvent } from '../../scoreboard/index.js';
import type { EventStore, ExerciseRepo } from '../store/index.js';
import type { ScoreFolder, ScoringPort, TeamScore } from './ports.js';

export interface ScoreDelta {
  exercise: string;
  team: string;
  score: TeamScore;
  /** what the team had before, without the breakdown (undefined on its first score) */
  previous?: TeamScore;
  /** highest log position folded into this score */
  seq: number;
  /** when the newest event behind the delta was appended (server clock, ms) */
  causeAppendedAt: number;
}

interface Cache {
  events: StoredEvent[];
  /** incremental scores over `events`; dropped (and rebuilt from the log) when the ground truth changes */
  folder?: ScoreFolder;
  scores: Map<string, TeamScore>;
  lastAppendAt: number;
  scheduled: boolean;
}

/**
 * A team's score changed when its points did. Rank alone does not count: one team scoring would
 * otherwise push a delta for every team it overtook (100 teams × every client); clients rank from
 * the totals they hold.
 */
function same(a: TeamScore | undefined, b: TeamScore): boolean {
  return !!a && a.total === b.total && JSON.stringify(a.phases) === JSON.stringify(b.phases);
}

const summary = ({ team, total, phases, rank }: TeamScore): TeamScore => ({ team, total, phases, ...(rank ? { rank } : {}) });

/**
 * Keeps each exercise's log in memory and its scores current. Scores are a pure function of the
 * log (scoreboard's rules); appends are coalesced per event-loop turn so a burst of events costs
 * one recomputation, and a delta is pushed only for teams whose score changed.
 */
export class ScoreService {
  private readonly caches = new Map<string, Cache>();
  private readonly listeners = new Set<(d: ScoreDelta[]) => void>();

  constructor(
    private readonly events: EventStore,
    private readonly exercises: ExerciseRepo,
    private readonly scoring: ScoringPort | undefined,
    private readonly truths: (exercise: string) => Map<string, GroundTruth>,
  ) {
    events.onAppend((e) => this.ingest(e));
  }

  onDelta(fn: (d: ScoreDelta[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  log(exercise: string): StoredEvent[] {
    return this.cache(exercise).events;
  }

  scores(exercise: string, now = new Date()): TeamScore[] {
    const c = this.cache(exercise);
    if (c.scores.size === 0) this.recompute(exercise, c, now);
    return [...c.scores.values()];
  }

  /** Scores over the log up to `until` (score freeze, what-if replays); not cached. */
  scoresAt(exercise: string, until: Date): TeamScore[] {
    if (!this.scoring) return [];
    const x = this.exercises.get(exercise);
    const iso = until.toISOString();
    const events = this.cache(exercise).events.filter((e) => e.at <= iso);
    return this.scoring.compute(events, { exercise, course: x.course, truths: this.truths(exercise), now: until });
  }

  /** Forgets an exercise's cached scores (its ground truth changed). */
  invalidate(exercise: string): void {
    const c = this.caches.get(exercise);
    if (!c) return;
    c.scores.clear();
    delete c.folder;
  }

  private cache(exercise: string): Cache {
    let c = this.caches.get(exercise);
    if (!c) {
      c = { events: this.events.list(exercise), scores: new Map(), lastAppendAt: 0, scheduled: false };
      this.caches.set(exercise, c);
    }
    return c;
  }

  private ingest(e: StoredEvent): void {
    const c = this.caches.get(e.exercise);
    // an exercise nobody looked at yet is loaded from the store (which has the event) on first use
    if (!c) return void this.schedule(e.exercise, this.cache(e.exercise));
    c.events.push(e);
    c.folder?.add(e);
    c.lastAppendAt = Date.now();
    this.schedule(e.exercise, c);
  }

  private schedule(exercise: string, c: Cache): void {
    if (c.scheduled) return;
    c.scheduled = true;
    setImmediate(() => {
      c.scheduled = false;
      const deltas = this.recompute(exercise, c, new Date());
      if (deltas.length) for (const l of this.listeners) l(deltas);
    });
  }

  private recompute(exercise: string, c: Cache, now: Date): ScoreDelta[] {
    if (!this.scoring) return [];
    const x = this.exercises.find(exercise);
    if (!x) return [];
    if (!c.folder) {
      c.folder = this.scoring.fold({ exercise, course: x.course, truths: this.truths(exercise) });
      for (const e of c.events) c.folder.add(e);
    }
    const next = c.folder.scores(now);
    const seq = c.events.at(-1)?.seq ?? 0;
    const deltas: ScoreDelta[] = [];
    for (const s of next) {
      const prev = c.scores.get(s.team);
      if (!same(prev, s)) deltas.push({ exercise, team: s.team, score: s, ...(prev ? { previous: summary(prev) } : {}), seq, causeAppendedAt: c.lastAppendAt });
      c.scores.set(s.team, s);
    }
    return deltas;
  }
}
