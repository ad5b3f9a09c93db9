import { EventSchema, type EnshuEvent, type EventSink, type StoredEvent } from '../../protocol/index.js';
import type { Db } from './db.js';
import { ValidationError } from './errors.js';

export type EventListener = (event: StoredEvent) => void;

/**
 * The append-only event log. Every event is validated with the shared schema before it is
 * written; `seq` is the log position, assigned by SQLite, so order survives restarts.
 */
export class EventStore implements EventSink {
  private readonly insert;
  private readonly byExercise;
  private readonly byExerciseAfter;
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly db: Db) {
    this.insert = db.prepare('INSERT INTO events (exercise, team, type, at, body) VALUES (?, ?, ?, ?, ?)');
    this.byExercise = db.prepare('SELECT seq, body FROM events WHERE exercise = ? ORDER BY seq');
    this.byExerciseAfter = db.prepare('SELECT seq, body FROM events WHERE exercise = ? AND seq > ? ORDER BY seq');
  }

  append(event: EnshuEvent): StoredEvent {
    const parsed = EventSchema.safeParse(event);
    if (!parsed.success)
      throw new ValidationError(`invalid ${String((event as { type?: unknown }).type)} event`, parsed.error.issues);
    const e = parsed.data as EnshuEvent;
    const team = 'team' in e ? e.team : null;
    const info = this.insert.run(e.exercise, team, e.type, e.at, JSON.stringify(e));
    const stored = { ...e, seq: Number(info.lastInsertRowid) } as StoredEvent;
    for (const l of this.listeners) l(stored);
    return stored;
  }

  /** Appends several events in one transaction (all or none). */
  appendMany(events: EnshuEvent[]): StoredEvent[] {
    const out: StoredEvent[] = [];
    const pending = this.listeners;
    // listeners fire after commit, so a rolled-back batch is never announced
    const saved = new Set(pending);
    pending.clear();
    try {
      this.db.transaction(() => {
        for (const e of events) out.push(this.append(e));
      })();
    } finally {
      for (const l of saved) pending.add(l);
    }
    for (const s of out) for (const l of pending) l(s);
    return out;
  }

  list(exercise: string, afterSeq = 0): StoredEvent[] {
    const rows = (afterSeq > 0 ? this.byExerciseAfter.all(exercise, afterSeq) : this.byExercise.all(exercise)) as {
      seq: number;
      body: string;
    }[];
    return rows.map((r) => ({ ...(JSON.parse(r.body) as EnshuEvent), seq: r.seq }) as StoredEvent);
  }

  onAppend(l: EventListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
