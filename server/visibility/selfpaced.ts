/**
 * Self-paced seats as they leave the server. A seat is built field by field from the allow-list
 * (protocol SelfPacedSeatSchema); a trainee gets only their own seat, never the window's code,
 * scenario or other trainees' seats (the window view is for staff only).
 */
import type { SelfPacedSeat } from '../../protocol/index.js';
import { ForbiddenError, type Principal } from '../store/index.js';

export function seatFor(p: Principal, seat: SelfPacedSeat): SelfPacedSeat {
  if (p.role === 'trainee' && (p.exercise !== seat.exercise || p.team !== seat.team))
    throw new ForbiddenError('you may only see your own seat');
  return {
    window: seat.window,
    course: seat.course,
    exercise: seat.exercise,
    team: seat.team,
    name: seat.name,
    status: seat.status,
    queuePosition: seat.queuePosition,
    registeredAt: seat.registeredAt,
    lastActiveAt: seat.lastActiveAt,
    elapsedMinutes: seat.elapsedMinutes,
    durationMinutes: seat.durationMinutes,
    idleMinutes: seat.idleMinutes,
    closesAt: seat.closesAt,
    finishedAt: seat.finishedAt,
  };
}
