/**
 * Event sinks the attacker writes to until the server's SQLite store exists: a JSON-lines file
 * (one per exercise, under the data dir) and an in-memory log for tests.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EventSchema, type EnshuEvent, type EventSink, type StoredEvent } from '../../protocol/index.js';

export function dataDir(): string {
  return process.env.ENSHU_DATA_DIR ?? join(homedir(), '.local', 'share', 'enshu');
}

export function attackDir(exercise: string): string {
  return join(dataDir(), 'attack', exercise);
}

export class MemorySink implements EventSink {
  readonly events: StoredEvent[] = [];
  append(event: EnshuEvent): StoredEvent {
    const stored = { ...(EventSchema.parse(event) as EnshuEvent), seq: this.events.length + 1 } as StoredEvent;
    this.events.push(stored);
    return stored;
  }
}

/** Appends validated events as JSON lines; several runner processes may share the file. */
export class JsonlSink implements EventSink {
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  append(event: EnshuEvent): StoredEvent {
    const valid = EventSchema.parse(event) as EnshuEvent;
    // seq is the line number; appends of one line are atomic on a local file system
    const seq = existsSync(this.file) ? readFileSync(this.file, 'utf8').split('\n').filter(Boolean).length + 1 : 1;
    const stored = { ...valid, seq } as StoredEvent;
    appendFileSync(this.file, `${JSON.stringify(stored)}\n`);
    return stored;
  }

  static read(file: string): StoredEvent[] {
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as StoredEvent);
  }
}
