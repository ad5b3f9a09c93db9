/**
 * What every part of the exercise service shares: the options it was built with, the clock and
 * the event log. One object, handed to each part, so the parts do not reach into each other for it.
 */
import type { EnshuEvent, RangeProgress, RunnerUpdate, StoredEvent } from '../../protocol/index.js';
import { RangeManager, type Engine } from '../../orchestrator/index.js';
import { ConflictError, type ExerciseRow, type Store } from '../store/index.js';
import type { AttackPort } from '../ports.js';

export interface ExerciseHooks {
  progress(p: RangeProgress): void;
  state(x: ExerciseRow): void;
  runner(exercise: string, team: string, state: RunnerUpdate): void;
  truthChanged?(exercise: string): void;
}

export interface ExerciseServiceOptions {
  store: Store;
  engine?: Engine;
  attack?: AttackPort;
  checkIntervalMs?: number;
  checkMode?: 'live' | 'rounds';
  /** how often the engine watch probes the engine (ENSHU_ENGINE_WATCH_MS, 5 s by default) */
  engineWatchMs?: number;
  now?: () => Date;
  hooks: ExerciseHooks;
}

export interface ExerciseContext {
  readonly store: Store;
  readonly engine: Engine | undefined;
  readonly attack: AttackPort | undefined;
  readonly checkIntervalMs: number | undefined;
  readonly checkMode: 'live' | 'rounds' | undefined;
  readonly hooks: ExerciseHooks;
  readonly now: () => Date;
  /** the clock as an event timestamp */
  at(): string;
  append(e: EnshuEvent): StoredEvent;
  /** the team ranges; a server without a container engine answers 409 to anything that needs them */
  ranges(): RangeManager;
  /** `exercise/team` of ranges an instructor is resetting now (the engine watch leaves them alone) */
  readonly resetting: Set<string>;
}

export function exerciseContext(o: ExerciseServiceOptions): ExerciseContext {
  const now = o.now ?? (() => new Date());
  return {
    store: o.store,
    engine: o.engine,
    attack: o.attack,
    checkIntervalMs: o.checkIntervalMs,
    checkMode: o.checkMode,
    hooks: o.hooks,
    now,
    at: () => now().toISOString(),
    append: (e) => o.store.events.append(e),
    resetting: new Set(),
    ranges: () => {
      if (!o.engine) throw new ConflictError('this server runs without a container engine; ranges cannot be changed');
      return new RangeManager(o.engine);
    },
  };
}
