/**
 * Self-paced mode (the online courses, taken alone at any time within a window): the window an
 * instructor opens, and a trainee's seat in it as the trainee sees it. Nothing here names the
 * scenario's content: a trainee's seat carries only the state of their own range and clock.
 */
import { z } from 'zod';

/**
 * queued: waiting for a free range (host or window full); building: the range is being built;
 * ready: built, clock not started; running / paused: the trainee's own clock; finished: the trainee
 * ended it (range torn down); expired: torn down after the idle limit or when the window closed
 * while queued; failed: the range could not be built (register again).
 */
export const SEAT_STATUSES = [
  'queued',
  'building',
  'ready',
  'running',
  'paused',
  'finished',
  'expired',
  'failed',
] as const;
export type SeatStatus = (typeof SEAT_STATUSES)[number];

/** A trainee's seat: an allow-list built field by field by the server's visibility projection. */
export const SelfPacedSeatSchema = z.object({
  window: z.string(),
  course: z.string(),
  exercise: z.string(),
  team: z.string(),
  name: z.string(),
  status: z.enum(SEAT_STATUSES),
  /** 1 = next to get a range; null unless queued */
  queuePosition: z.number().int().nullable(),
  registeredAt: z.string(),
  lastActiveAt: z.string(),
  /** minutes the trainee's clock has run (pauses do not count) */
  elapsedMinutes: z.number(),
  /** the course's length */
  durationMinutes: z.number(),
  /** the range is torn down after this many minutes without activity */
  idleMinutes: z.number(),
  closesAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type SelfPacedSeat = z.infer<typeof SelfPacedSeatSchema>;

/** A window as staff see it: its code, its limits, its seats. */
export const SelfPacedWindowSchema = z.object({
  id: z.string(),
  title: z.string(),
  course: z.string(),
  scenario: z.string(),
  opensAt: z.string(),
  closesAt: z.string(),
  /** ranges of this window that may exist at once; more registrations wait in the queue */
  capacity: z.number().int(),
  idleMinutes: z.number(),
  speed: z.number(),
  /** what trainees type to register */
  code: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  open: z.boolean(),
  counts: z.object({ queued: z.number().int(), active: z.number().int(), done: z.number().int() }),
  seats: z.array(SelfPacedSeatSchema),
});
export type SelfPacedWindow = z.infer<typeof SelfPacedWindowSchema>;
