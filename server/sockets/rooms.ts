/** Joining and leaving exercise/team rooms; the snapshot comes back in the ack. */
import { createLogger, describeError } from '../../core/index.js';
import { canAccess } from '../access.js';
import { toHttpError } from '../http-errors.js';
import { snapshot, type Views } from '../snapshot.js';
import { room, type JoinRequest } from '../../protocol/index.js';
import type { LiveSocket } from './socket.js';

const log = createLogger('server/sockets');

function parse(req: unknown): JoinRequest | undefined {
  if (!req || typeof req !== 'object') return undefined;
  const { exercise, team } = req as Record<string, unknown>;
  if (typeof exercise !== 'string' || (team !== undefined && typeof team !== 'string')) return undefined;
  return { exercise, ...(team ? { team } : {}) };
}

export function roomHandlers(socket: LiveSocket, views: Views): void {
  const p = socket.data.principal;
  socket.on('join', (raw, ack) => {
    if (typeof ack !== 'function') return;
    const req = parse(raw);
    if (!req) return ack({ ok: false, status: 400, error: 'join needs {exercise, team?}' });
    // trainees may only be in their own team's room; the exercise room (all teams) is staff only
    if (!canAccess(p, req.exercise, req.team) || (p.role === 'trainee' && !req.team)) {
      return ack({ ok: false, status: 403, error: 'you may only join your own team' });
    }
    try {
      if (req.team) views.store.exercises.team(req.exercise, req.team);
      const snap = snapshot(views, p, req.exercise, req.team ?? null);
      void socket.join(req.team ? room.team(req.exercise, req.team) : room.exercise(req.exercise));
      ack({ ok: true, snapshot: snap });
    } catch (err) {
      const { status, body } = toHttpError(err);
      if (status >= 500)
        log.error(
          { err, status, exercise: req.exercise, team: req.team },
          `join ${req.exercise}${req.team ? `/${req.team}` : ''} failed: ${describeError(err)}`,
        );
      ack({ ok: false, status, error: status >= 500 ? describeError(err) : body.error });
    }
  });
  socket.on('leave', (raw, ack) => {
    const req = parse(raw);
    if (req) void socket.leave(req.team ? room.team(req.exercise, req.team) : room.exercise(req.exercise));
    if (typeof ack === 'function') ack({ ok: true });
  });
}
