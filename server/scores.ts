import type { GroundTruth } from '../core/index.js';
import type { StoredEvent, ScoreDelta } from '../protocol/index.js';
import type { EventStore, ExerciseRepo } from './store/index.js';
import type { ScoreFolder, ScoringPort, TeamScore } from './ports.js';

export type { ScoreDelta };

export interface ScoreServiceOptions {
  /** the server's clock (tests move it) */
  now?: () => Date;
  /**
   * How often running exercises are scored again with no new event, for what time alone changes:
   * report deadlines, hourly updates, ongoing outages. 0 turns it off.
   */
  rescoreIntervalMs?: number;
}

/** Every 10 s: a report deadline is seen at most 10 s late; 100 teams cost one fold read each per tick. */
export const DEFAULT_RESCORE_INTERVAL_MS = 10_000;

interface Cache {
  events: StoredEvent[];
  /** incremental scores over `events`; dropped (and rebuilt from the log) when the ground truth changes */
  folder?: ScoreFolder;
  scores: Map<string, TeamScore>;
  lastAppendAt: number;
  scheduled: boolean;
}

/**
 * A team's score changed when its points did, or when an item appeared or went (a deadline that
 * passed is an item worth 0 points until the report comes: the team must still see it). Rank alone
 * does not count: one team scoring would otherwise push a delta for every team it overtook
 * (100 teams × every client); clients rank from the totals they hold. Item parameters that only
 * tick (the minutes of an ongoing outage whose penalty is capped) do not count either.
 */
function same(a: TeamScore | undefined, b: TeamScore): boolean {
  return (
    !!a && a.total === b.total && JSON.stringify(a.phases) === JSON.stringify(b.phases) && itemKeys(a) === itemKeys(b)
  );
}

function itemKeys(s: TeamScore): string {
  if (!Array.isArray(s.detail)) return '';
  return s.detail
    .map(
      (i: { code?: unknown; points?: unknown; at?: unknown; step?: unknown }) =>
        `${String(i.code)}|${String(i.points)}|${String(i.at)}|${String(i.step ?? '')}`,
    )
    .join('\n');
}

const summary = ({ team, total, phases, rank }: TeamScore): TeamScore => ({
  team,
  total,
  phases,
  ...(rank ? { rank } : {}),
});

/**
 * Keeps each exercise's log in memory and its scores current. Scores are a pure function of the
 * log (scoreboard's rules); appends are coalesced per event-loop turn so a burst of events costs
 * one recomputation, and a delta is pushed only for teams whose score changed.
 */
export class ScoreService {
  private readonly caches = new Map<string, Cache>();
  private readonly listeners = new Set<(d: ScoreDelta[]) => void>();
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly events: EventStore,
    private readonly exercises: ExerciseRepo,
    private readonly scoring: ScoringPort | undefined,
    private readonly truths: (exercise: string) => Map<string, GroundTruth>,
    o: ScoreServiceOptions = {},
  ) {
    this.now = o.now ?? (() => new Date());
    events.onAppend((e) => this.ingest(e));
    const every = o.rescoreIntervalMs ?? DEFAULT_RESCORE_INTERVAL_MS;
    if (scoring && every > 0) {
      this.timer = setInterval(() => this.rescore(), every);
      this.timer.unref();
    }
  }

  /**
   * Scores every running exercise again at the current time and pushes the teams whose score
   * time alone changed. Paused exercises are left alone: their clock stands (scoreboard/clock.ts),
   * so no deadline can pass; ended ones are scored up to their end and cannot move either.
   */
  rescore(): ScoreDelta[] {
    const all: ScoreDelta[] = [];
    if (this.closed) return all;
    for (const x of this.exercises.list()) {
      if (x.state !== 'running') continue;
      const c = this.cache(x.id);
      // an event is already about to rescore it
      if (c.scheduled) continue;
      // nothing scored yet (just restarted, nobody asked): the first scores are the baseline, not a change
      if (c.scores.size === 0) {
        this.recompute(x.id, c, this.now(), 'time');
        continue;
      }
      const deltas = this.recompute(x.id, c, this.now(), 'time');
      if (deltas.length) {
        all.push(...deltas);
        for (const l of this.listeners) l(deltas);
      }
    }
    return all;
  }

  /** Stops the rescoring timer and drops work queued for later turns: the store closes next. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  onDelta(fn: (d: ScoreDelta[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  log(exercise: string): StoredEvent[] {
    return this.cache(exercise).events;
  }

  scores(exercise: string, now = this.now()): TeamScore[] {
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
    if (this.closed) return;
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
      if (this.closed) return;
      const deltas = this.recompute(exercise, c, this.now(), 'event');
      if (deltas.length) for (const l of this.listeners) l(deltas);
    });
  }

  private recompute(exercise: string, c: Cache, now: Date, cause: ScoreDelta['cause'] = 'event'): ScoreDelta[] {
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
      if (!same(prev, s))
        deltas.push({
          exercise,
          team: s.team,
          score: s,
          ...(prev ? { previous: summary(prev) } : {}),
          seq,
          causeAppendedAt: c.lastAppendAt,
          cause,
        });
      c.scores.set(s.team, s);
    }
    return deltas;
  }
}
