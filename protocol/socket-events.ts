/**
 * The socket.io event maps, shared by the server and the web UI. Types only, so the browser
 * bundle can import this file without pulling in server code.
 *
 * Connect with `io(url, { auth: { token } })`. A trainee is put in their team's room at once;
 * anyone may `join` a room they are allowed in and receives its snapshot in the ack, then deltas.
 */
import type {
  DeadlinesUpdate,
  ExerciseView,
  Principal,
  RangeProgress,
  RunnerUpdate,
  ScoreDelta,
  Snapshot,
} from './dto.js';
import type { StoredEvent } from './events.js';

export type { Snapshot };

export interface JoinRequest {
  exercise: string;
  /** omit to join the whole exercise (instructors and organizers only) */
  team?: string;
}

export type Ack<T> = (reply: ({ ok: true } & T) | { ok: false; status: number; error: string }) => void;

export interface ClientToServerEvents {
  join: (req: JoinRequest, ack: Ack<{ snapshot: Snapshot }>) => void;
  leave: (req: JoinRequest, ack: Ack<object>) => void;
}

/**
 * What the server pushes, one message per change. A client that connects with `auth: { token,
 * batch: true }` (the web UI does) receives them as `batch` instead: every message of one tick
 * (server/sockets/outbox.ts, 50 ms) in one packet, in the order they happened, score deltas
 * without the breakdown (`score.detail`, `previous`: fetch the team's score for those).
 */
export interface LiveEvents {
  /** one new log entry in a room the client is in (trainees: only the types their projection allows) */
  event: (e: StoredEvent) => void;
  /** a team's score changed */
  score: (d: ScoreDelta) => void;
  /** range build / reset progress (staff rooms) */
  progress: (p: RangeProgress) => void;
  /** the exercise changed state (trainees: the trainee view of the exercise) */
  exercise: (x: ExerciseView) => void;
  /** a team's report deadlines changed (trainees of that team) */
  deadlines: (d: DeadlinesUpdate) => void;
  /** a team's pseudo-attacker changed state (staff rooms) */
  runner: (r: { exercise: string; team: string; state: RunnerUpdate }) => void;
}

/** One message of a `batch`: the event's name and what it would carry alone. */
export type LiveMessage = { [K in keyof LiveEvents]: [K, Parameters<LiveEvents[K]>[0]] }[keyof LiveEvents];

export interface ServerToClientEvents extends LiveEvents {
  /** a tick's messages for a client that asked for batches (`auth.batch`) */
  batch: (messages: LiveMessage[]) => void;
}

export interface SocketData {
  principal: Principal;
  /** the client asked for one `batch` a tick instead of one message a change */
  batch?: boolean;
}

export const room = {
  exercise: (exercise: string) => `ex:${exercise}`,
  team: (exercise: string, team: string) => `team:${exercise}:${team}`,
};
