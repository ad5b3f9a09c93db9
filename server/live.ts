import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import {
  type StoredEvent,
  type RangeProgress,
  type RunnerUpdate,
  room,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from '../protocol/index.js';
import type { ExerciseRow, Store } from './store/index.js';
import { RateLimiter } from './rate-limit.js';
import type { ScoreDelta } from './scores.js';
import { freezeAt, type Views } from './snapshot.js';
import { roomHandlers } from './sockets/rooms.js';
import type { LiveSocket } from './sockets/socket.js';

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type { LiveSocket };

/**
 * socket.io on the API's port. The handshake needs a bearer token (`auth: {token}`); trainees
 * land in their team's room. Events and score deltas go to the team room and the exercise room.
 */
export function attachLive(
  http: HttpServer,
  store: Store,
  views: Views,
  now: () => Date,
  connectsPerMinute = 300,
): {
  io: LiveServer;
  event(e: StoredEvent): void;
  scores(d: ScoreDelta[]): void;
  progress(p: RangeProgress): void;
  exercise(x: ExerciseRow): void;
  runner(exercise: string, team: string, state: RunnerUpdate): void;
} {
  const io: LiveServer = new Server(http, { serveClient: false, cors: { origin: false } });
  // per address: a classroom behind one NAT reconnects many clients at once
  const handshakes = new RateLimiter(connectsPerMinute, 60_000);
  io.use((socket, next) => {
    const wait = handshakes.hit(socket.handshake.address);
    if (wait) return next(new Error(`too many connection attempts; try again in ${wait}s`));
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const p = typeof token === 'string' ? store.auth.resolve(token, now()) : undefined;
    if (!p) return next(new Error('unauthorized: connect with auth: { token }'));
    socket.data.principal = p;
    next();
  });
  io.on('connection', (socket) => {
    const p = socket.data.principal;
    if (p.role === 'trainee' && p.exercise && p.team) void socket.join(room.team(p.exercise, p.team));
    roomHandlers(socket, views);
  });

  return {
    io,
    event(e) {
      if ('team' in e) io.to(room.exercise(e.exercise)).to(room.team(e.exercise, e.team)).emit('event', e);
      else
        io.to([
          room.exercise(e.exercise),
          ...store.exercises.teams(e.exercise).map((t) => room.team(e.exercise, t.id)),
        ]).emit('event', e);
    },
    scores(deltas) {
      for (const d of deltas) {
        io.to(room.exercise(d.exercise)).emit('score', d);
        // trainees get their own team's delta, except while the course's score freeze is on
        const freeze = freezeAt(views, d.exercise);
        if (!freeze || now() < freeze) io.to(room.team(d.exercise, d.team)).emit('score', d);
      }
    },
    progress(p) {
      io.to(room.exercise(p.exercise)).emit('progress', p);
    },
    exercise(x) {
      const rooms = [room.exercise(x.id), ...store.exercises.teams(x.id).map((t) => room.team(x.id, t.id))];
      io.to(rooms).emit('exercise', x);
    },
    runner(exercise, team, state) {
      io.to(room.exercise(exercise)).emit('runner', { exercise, team, state });
    },
  };
}
