import type { GroundTruth } from '../core/index.js';
import type { StoredEvent, ScoreDelta, ReportDeadlines } from '../protocol/index.js';
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
  /** the same events by team and by type (projections read one team's, or the freezes, per delta) */
  byTeam: Map<string, StoredEvent[]>;
  byType: Map<string, StoredEvent[]>;
  /** incremental scores over `events`; dropped (and rebuilt from the log) when the ground truth changes */
  folder?: ScoreFolder;
  scores: Map<string, TeamScore>;
  lastAppendAt: number;
  scheduled: boolean;
  /**
   * teams whose events came in since the last scoring (true: an exercise-wide event, every team),
   * each with when its first such event was appended (the delta's `causeAppendedAt`)
   */
  dirty: Map<string, number> | true;
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

  /** The log's events of one team, in log order. */
  teamLog(exercise: string, team: string): readonly StoredEvent[] {
    return this.cache(exercise).byTeam.get(team) ?? [];
  }

  /** The log's events of one type, in log order. */
  typeLog(exercise: string, type: StoredEvent['type']): readonly StoredEvent[] {
    return this.cache(exercise).byType.get(type) ?? [];
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
    c.dirty = true;
    delete c.folder;
  }

  /** A team's report deadlines from the running fold; undefined when the scoring cannot tell them that way. */
  deadlines(exercise: string, team: string, now = this.now()): ReportDeadlines | undefined {
    const c = this.cache(exercise);
    const folder = this.folder(exercise, c);
    return folder?.deadlines?.(team, now);
  }

  private folder(exercise: string, c: Cache): ScoreFolder | undefined {
    if (c.folder || !this.scoring) return c.folder;
    const x = this.exercises.find(exercise);
    if (!x) return undefined;
    c.folder = this.scoring.fold({ exercise, course: x.course, truths: this.truths(exercise) });
    for (const e of c.events) c.folder.add(e);
    return c.folder;
  }

  private cache(exercise: string): Cache {
    let c = this.caches.get(exercise);
    if (!c) {
      c = {
        events: [],
        byTeam: new Map(),
        byType: new Map(),
        scores: new Map(),
        lastAppendAt: 0,
        scheduled: false,
        dirty: true,
      };
      for (const e of this.events.list(exercise)) remember(c, e);
      this.caches.set(exercise, c);
    }
    return c;
  }

  private ingest(e: StoredEvent): void {
    if (this.closed) return;
    const c = this.caches.get(e.exercise);
    // an exercise nobody looked at yet is loaded from the store (which has the event) on first use
    if (!c) return void this.schedule(e.exercise, this.cache(e.exercise));
    remember(c, e);
    c.folder?.add(e);
    c.lastAppendAt = Date.now();
    if (!('team' in e)) c.dirty = true;
    else if (c.dirty !== true && !c.dirty.has(e.team)) c.dirty.set(e.team, c.lastAppendAt);
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
    const folder = this.folder(exercise, c);
    if (!folder) return [];
    const dirty = c.dirty;
    c.dirty = new Map();
    // an event changes its own team's points only: that team is scored again and every team ranked
    // from the totals held. Time (deadlines, outages) moves every team: the rescoring tick and
    // exercise-wide events score them all.
    const partial = cause === 'event' && dirty !== true && c.scores.size > 0 && !!folder.scoresOf;
    const next = partial ? folder.scoresOf!([...dirty.keys()], now) : folder.scores(now);
    const seq = c.events.at(-1)?.seq ?? 0;
    const deltas: ScoreDelta[] = [];
    const changed: { prev: TeamScore | undefined; team: string }[] = [];
    for (const s of next) {
      const prev = c.scores.get(s.team);
      if (!same(prev, s)) changed.push({ prev, team: s.team });
      c.scores.set(s.team, s);
    }
    if (partial) rerank(c.scores);
    for (const { prev, team } of changed)
      deltas.push({
        exercise,
        team,
        score: c.scores.get(team)!,
        ...(prev ? { previous: summary(prev) } : {}),
        seq,
        causeAppendedAt: dirty === true ? c.lastAppendAt : (dirty.get(team) ?? c.lastAppendAt),
        cause,
      });
    return deltas;
  }
}

function remember(c: Cache, e: StoredEvent): void {
  c.events.push(e);
  const add = <K>(m: Map<K, StoredEvent[]>, k: K) => {
    const l = m.get(k);
    if (l) l.push(e);
    else m.set(k, [e]);
  };
  if ('team' in e) add(c.byTeam, e.team);
  add(c.byType, e.type);
}

/** Ranks as `finish` gives them (1 + the number of teams with a higher total), for scores folded apart. */
function rerank(scores: Map<string, TeamScore>): void {
  const totals = [...scores.values()].map((s) => s.total).sort((a, b) => b - a);
  // rank of a total: 1 + how many totals are higher; the first index of it in the descending list
  const first = new Map<number, number>();
  totals.forEach((t, i) => first.has(t) || first.set(t, i));
  for (const [team, s] of scores) {
    const r = 1 + first.get(s.total)!;
    if (s.rank !== r) scores.set(team, { ...s, rank: r });
  }
}
