import type { IncomingMessage } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { type StoredEvent, type RangeProgress, type RunnerUpdate, room, type LiveEvents } from '../protocol/index.js';
import type { ExerciseRow, Principal, Store } from './store/index.js';
import { RateLimiter } from './rate-limit.js';
import type { ScoreDelta } from './scores.js';
import type { Views } from './snapshot.js';
import { deadlinesOf, deltaFor, eventFor, exerciseFor, isTrainee } from './visibility/index.js';
import { roomHandlers } from './sockets/rooms.js';
import { DEFAULT_LIVE_TICK_MS, LiveOutbox, summaryDelta } from './sockets/outbox.js';
import type { LiveServer, LiveSocket } from './sockets/socket.js';

export type { LiveServer, LiveSocket };

/**
 * socket.io on the API's port. The handshake needs a bearer token (`auth: {token}`); trainees
 * land in their team's room. Events and score deltas go to the team room and the exercise room,
 * each socket's copy projected for its principal (server/visibility): trainees receive only what
 * their role's allow-list builds, or nothing.
 */
export function attachLive(
  http: HttpServer,
  store: Store,
  views: Views,
  now: () => Date,
  connectsPerMinute = 300,
  /** the client's address from the handshake request (behind a trusted proxy: X-Forwarded-For's client) */
  clientOf: (req: IncomingMessage) => string = (req) => req.socket.remoteAddress ?? '',
  /** how long changes are gathered before they go out (server/sockets/outbox.ts) */
  tickMs = DEFAULT_LIVE_TICK_MS,
): {
  io: LiveServer;
  /** sends what is queued and stops the tick */
  close(): void;
  event(e: StoredEvent): void;
  scores(d: ScoreDelta[]): void;
  progress(p: RangeProgress): void;
  exercise(x: ExerciseRow): void;
  runner(exercise: string, team: string, state: RunnerUpdate): void;
} {
  const io: LiveServer = new Server(http, { serveClient: false, cors: { origin: false } });
  // per client address: a classroom behind one NAT reconnects many clients at once
  const handshakes = new RateLimiter(connectsPerMinute, 60_000);
  io.use((socket, next) => {
    const wait = handshakes.hit(clientOf(socket.request));
    if (wait) return next(new Error(`too many connection attempts; try again in ${wait}s`));
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const p = typeof token === 'string' ? store.auth.resolve(token, now()) : undefined;
    if (!p) return next(new Error('unauthorized: connect with auth: { token }'));
    socket.data.principal = p;
    if ((socket.handshake.auth as { batch?: unknown }).batch === true) socket.data.batch = true;
    next();
  });
  io.on('connection', (socket) => {
    const p = socket.data.principal;
    if (p.role === 'trainee' && p.exercise && p.team) void socket.join(room.team(p.exercise, p.team));
    roomHandlers(socket, views);
  });

  const outbox = new LiveOutbox(io, tickMs);
  /**
   * Queues for each socket in `rooms` (once, however many of them it is in) its projection of a
   * message; `view` answers undefined for a principal who must not receive it. The outbox projects
   * once per audience and sends on its next tick.
   */
  function send<K extends keyof LiveEvents>(
    rooms: string[],
    name: K,
    view: (p: Principal) => Parameters<LiveEvents[K]>[0] | undefined,
    shortView?: (p: Principal) => Parameters<LiveEvents[K]>[0] | undefined,
  ): void {
    outbox.push(rooms, name, view, shortView);
  }
  /** each team's report deadlines as last compared (the log before the next event that may move them) */
  const lastDeadlines = new Map<string, string>();
  /** the teams whose report deadlines `e` may move */
  const deadlineTeams = (e: StoredEvent): string[] => {
    if ('team' in e)
      return [
        'attack.step',
        'report.submitted',
        'finding.submitted',
        'attack.speed',
        'attack.started',
        'attack.resumed',
        'attack.restored',
        'attack.finished',
        'attack.stopped',
      ].includes(e.type)
        ? [e.team]
        : [];
    return ['exercise.started', 'exercise.paused', 'exercise.resumed'].includes(e.type)
      ? store.exercises.teams(e.exercise).map((t) => t.id)
      : [];
  };
  const teamRooms = (exercise: string) => store.exercises.teams(exercise).map((t) => room.team(exercise, t.id));
  const staffOnly =
    <T>(x: T) =>
    (p: Principal): T | undefined =>
      isTrainee(p) ? undefined : x;

  return {
    io,
    close: () => outbox.close(),
    event(e) {
      const rooms = [
        room.exercise(e.exercise),
        ...('team' in e ? [room.team(e.exercise, e.team)] : teamRooms(e.exercise)),
      ];
      send(rooms, 'event', (p) => eventFor(views, p, e));
      // the team's report clock moves with the incident, its reports, pauses and the attack speed:
      // trainees get the new deadlines (the exercise-wide pause moves every team's)
      // (what they were before is kept from the last time: counting them again over the log was
      // most of an event's cost)
      for (const team of deadlineTeams(e)) {
        const key = `${e.exercise}\n${team}`;
        const before =
          lastDeadlines.get(key) ?? JSON.stringify(deadlinesOf(views, e.exercise, team, (x) => x.seq < e.seq));
        const after = deadlinesOf(views, e.exercise, team);
        const now = JSON.stringify(after);
        lastDeadlines.set(key, now);
        if (before !== now)
          send([room.team(e.exercise, team)], 'deadlines', (p) =>
            isTrainee(p) && p.team === team ? { exercise: e.exercise, team, deadlines: after } : undefined,
          );
      }
    },
    scores(deltas) {
      // trainees get their own team's delta (projected), except while the course's score freeze is on
      // batch clients get the summary, projected as it is (the breakdown they would not get is not projected)
      for (const d of deltas) {
        const summary = summaryDelta(d);
        send(
          [room.exercise(d.exercise), room.team(d.exercise, d.team)],
          'score',
          (p) => deltaFor(views, p, d),
          (p) => deltaFor(views, p, summary),
        );
      }
    },
    progress(p) {
      send([room.exercise(p.exercise)], 'progress', staffOnly(p));
    },
    exercise(x) {
      send([room.exercise(x.id), ...teamRooms(x.id)], 'exercise', (p) => exerciseFor(p, x));
    },
    runner(exercise, team, state) {
      send([room.exercise(exercise)], 'runner', staffOnly({ exercise, team, state }));
    },
  };
}
