/**
 * Self-paced mode: the online courses taken alone, at any time within a window. An instructor opens
 * a window (course, dates, capacity); a trainee registers with the window's code and gets an
 * exercise of their own (one team, the course's scenario, a seed of its own so no two trainees
 * share answers), whose range is built on demand — at once when the host and the window have room,
 * else when a range before it is torn down (a queue, oldest first). The trainee starts and pauses
 * their own clock; the range is torn down when they finish or after the idle limit. A seat's
 * exercise is an ordinary exercise: the same scoring, checks, visibility and team join code.
 */
import { randomInt } from 'node:crypto';
import { ConfigError, NotFoundError, createLogger, describeError } from '../../core/index.js';
import { loadCourse } from '../../orchestrator/index.js';
import type { SelfPacedSeat, SelfPacedWindow, SeatStatus, StoredEvent } from '../../protocol/index.js';
import type { ExerciseService } from '../exercises/index.js';
import { checkScenarioForCourse } from '../exercises/index.js';
import { AuthError, ConflictError, ForbiddenError, type Principal, type Store } from '../store/index.js';
import type { CreateExerciseBody } from '../schemas.js';
import type { z } from 'zod';
import { SelfPacedRepo, windowCode, type FinishReason, type SeatRow, type WindowRow } from './store.js';

const log = createLogger('server/selfpaced');

export interface SelfPacedOptions {
  /** self-paced ranges this host builds at once, over all windows (ENSHU_SELFPACED_RANGES; default 4) */
  maxRanges?: number;
  /** how often idle seats and closed windows are looked at; 0: only when asked (tests) */
  sweepMs?: number;
}

export interface OpenWindow {
  id: string;
  title?: string | undefined;
  course: string;
  scenario?: string | undefined;
  opensAt: string;
  closesAt: string;
  capacity: number;
  idleMinutes: number;
  speed: number;
}

/** exercise states whose range exists or is being built */
const HOLDS_RANGE = new Set(['provisioning', 'ready', 'running', 'paused']);
/** what a trainee does in their exercise: each counts as activity against the idle limit */
const ACTIVITY = new Set([
  'finding.submitted',
  'action.submitted',
  'report.submitted',
  'recovery.declared',
  'hint.bought',
]);

export class SelfPacedService {
  readonly repo: SelfPacedRepo;
  readonly maxRanges: number;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly unlisten: () => void;
  /** teardowns under way (awaited on close) */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly exercises: ExerciseService,
    private readonly listScenarios: () => unknown[],
    o: SelfPacedOptions = {},
  ) {
    this.repo = new SelfPacedRepo(store.db);
    this.maxRanges = o.maxRanges ?? (Number(process.env.ENSHU_SELFPACED_RANGES) || 4);
    this.unlisten = store.events.onAppend((e: StoredEvent) => {
      if (ACTIVITY.has(e.type) && e.exercise.startsWith('sp-')) this.repo.touch(e.exercise, this.at());
    });
    const sweepMs = o.sweepMs ?? 60_000;
    if (sweepMs > 0) {
      this.timer = setInterval(
        () => void this.sweep().catch((err: unknown) => log.warn({ err }, 'sweep failed')),
        sweepMs,
      );
      this.timer.unref();
    }
  }

  private at(): string {
    return this.exercises.now().toISOString();
  }

  // ---- windows (instructors)

  open(w: OpenWindow, by: string): SelfPacedWindow {
    const course = loadCourse(w.course);
    if (course.method !== 'online')
      throw new ConfigError(`course ${w.course} is a group course; self-paced windows are for the online courses`);
    const scenario = w.scenario ?? course.scenarios[0]!;
    checkScenarioForCourse(this.listScenarios(), scenario, w.course);
    if (!(Date.parse(w.opensAt) < Date.parse(w.closesAt)))
      throw new ConfigError('the window must open before it closes (opensAt < closesAt)');
    if (this.repo.window(w.id)) throw new ConflictError(`window ${w.id} exists`);
    const row = this.repo.createWindow({
      id: w.id,
      title: w.title ?? `${course.titleJa ?? course.title} ${w.id}`,
      course: w.course,
      scenario,
      opensAt: new Date(w.opensAt).toISOString(),
      closesAt: new Date(w.closesAt).toISOString(),
      capacity: w.capacity,
      idleMinutes: w.idleMinutes,
      speed: w.speed,
      code: windowCode(),
      createdBy: by,
      createdAt: this.at(),
    });
    log.info({ window: row.id, course: row.course }, `self-paced window ${row.id} opened for ${row.course}`);
    return this.windowView(row);
  }

  /** Closes a window now: no more registrations; queued seats expire, running ones go on. */
  async close(id: string): Promise<SelfPacedWindow> {
    if (!this.repo.window(id)) throw new NotFoundError(`no window ${id}`);
    this.repo.closeWindow(id, this.at());
    await this.sweep();
    return this.windowView(this.repo.window(id)!);
  }

  windows(): { windows: SelfPacedWindow[]; host: { maxRanges: number; active: number; queued: number } } {
    const seats = this.repo.seats();
    return {
      windows: this.repo.windows().map((w) => this.windowView(w)),
      host: {
        maxRanges: this.maxRanges,
        active: seats.filter((s) => this.holdsRange(s)).length,
        queued: seats.filter((s) => s.queued && !s.finishedAt).length,
      },
    };
  }

  private isOpen(w: WindowRow, now = this.exercises.now().getTime()): boolean {
    return Date.parse(w.opensAt) <= now && now < Date.parse(w.closesAt);
  }

  private windowView(w: WindowRow): SelfPacedWindow {
    const seats = this.repo.seats(w.id).map((s) => this.seatView(s, w));
    return {
      ...w,
      open: this.isOpen(w),
      counts: {
        queued: seats.filter((s) => s.status === 'queued').length,
        active: seats.filter((s) => ['building', 'ready', 'running', 'paused'].includes(s.status)).length,
        done: seats.filter((s) => ['finished', 'expired', 'failed'].includes(s.status)).length,
      },
      seats,
    };
  }

  // ---- seats (trainees)

  /**
   * A trainee registers with a window code: an exercise of their own, a token for its one team
   * (what that team's join code would give), and the range built now or queued.
   */
  register(code: string, name: string): { token: string; seat: SeatRow; joinCode: string; teamName: string } {
    const w = this.repo.windowByCode(code.trim().toUpperCase());
    if (!w) throw new AuthError('unknown window code');
    const now = this.exercises.now().getTime();
    if (now < Date.parse(w.opensAt)) throw new ForbiddenError(`window ${w.id} opens at ${w.opensAt}`);
    if (now >= Date.parse(w.closesAt)) throw new ForbiddenError(`window ${w.id} closed at ${w.closesAt}`);
    const seq = this.repo.nextSeq(w.id);
    const id = `sp-${w.id}-${String(seq).padStart(3, '0')}`;
    this.exercises.create(
      {
        id,
        title: `${w.title} — ${name}`,
        course: w.course as z.output<typeof CreateExerciseBody>['course'],
        scenario: w.scenario,
        seed: randomInt(1, 2 ** 31 - 1),
        speed: w.speed,
        schedule: {},
        teams: [{ name, members: [name] }],
      },
      `selfpaced:${w.id}`,
    );
    const at = this.at();
    const seat = this.repo.addSeat({
      exercise: id,
      window: w.id,
      name,
      seq,
      queued: true,
      registeredAt: at,
      lastActiveAt: at,
      finishedAt: null,
      finishReason: null,
    });
    this.pump();
    const team = this.store.exercises.teams(id)[0]!;
    const token = this.store.auth.issue(
      { role: 'trainee', subject: name, exercise: id, team: team.id },
      this.exercises.now(),
    );
    log.info({ window: w.id, exercise: id }, `${name} registered in window ${w.id} as ${id}`);
    return { token, seat: this.repo.seat(id) ?? seat, joinCode: team.joinCode, teamName: team.name };
  }

  /**
   * The caller's seat; reading it counts as activity. null for a trainee of a class exercise (the
   * workspace asks every trainee, and a class is not an error).
   */
  mine(p: Principal): SelfPacedSeat | null {
    const s = p.exercise ? this.repo.seat(p.exercise) : undefined;
    if (!s) return null;
    this.repo.touch(s.exercise, this.at());
    return this.seatView(this.repo.seat(s.exercise)!);
  }

  seat(exercise: string): SelfPacedSeat {
    const s = this.repo.seat(exercise);
    if (!s) throw new NotFoundError(`no self-paced seat ${exercise}`);
    return this.seatView(s);
  }

  private seatOf(p: Principal): SeatRow {
    const s = p.exercise ? this.repo.seat(p.exercise) : undefined;
    if (!s) throw new NotFoundError('you are not in a self-paced exercise');
    return s;
  }

  /** Starts the trainee's clock (and the attack), or resumes it after a pause. */
  async start(p: Principal): Promise<SelfPacedSeat> {
    const s = this.seatOf(p);
    this.repo.touch(s.exercise, this.at());
    const v = this.seatView(s);
    if (v.status === 'ready') await this.exercises.start(s.exercise, p.subject);
    else if (v.status === 'paused') this.exercises.resume(s.exercise, p.subject);
    else if (v.status !== 'running') throw new ConflictError(this.notNow(v, 'start'));
    return this.seatView(this.repo.seat(s.exercise)!);
  }

  /** Pauses the trainee's clock (and the attack); the range stays until the idle limit. */
  pause(p: Principal): SelfPacedSeat {
    const s = this.seatOf(p);
    this.repo.touch(s.exercise, this.at());
    const v = this.seatView(s);
    if (v.status === 'running') this.exercises.pause(s.exercise, p.subject);
    else if (v.status !== 'paused') throw new ConflictError(this.notNow(v, 'pause'));
    return this.seatView(this.repo.seat(s.exercise)!);
  }

  /** The trainee is done: the exercise ends (scores stay) and the range is torn down. */
  async finish(p: Principal): Promise<SelfPacedSeat> {
    const s = this.seatOf(p);
    await this.teardown(s, 'finished');
    return this.seatView(this.repo.seat(s.exercise)!);
  }

  private notNow(v: SelfPacedSeat, what: string): string {
    if (v.status === 'queued')
      return `your range is queued (position ${v.queuePosition}); you can ${what} once it is built`;
    if (v.status === 'building') return `your range is being built; you can ${what} once it is ready`;
    return `cannot ${what}: the seat is ${v.status}`;
  }

  // ---- the queue, idle limits, teardown

  private holdsRange(s: SeatRow): boolean {
    if (s.queued || s.finishedAt) return false;
    return HOLDS_RANGE.has(this.store.exercises.get(s.exercise).state);
  }

  /** Builds ranges for queued seats while the host and their windows have room, oldest first. */
  pump(): void {
    const seats = this.repo.seats();
    let active = seats.filter((s) => this.holdsRange(s)).length;
    const perWindow = new Map<string, number>();
    for (const s of seats) if (this.holdsRange(s)) perWindow.set(s.window, (perWindow.get(s.window) ?? 0) + 1);
    for (const s of seats) {
      if (!s.queued || s.finishedAt) continue;
      if (active >= this.maxRanges) break;
      const w = this.repo.window(s.window)!;
      if ((perWindow.get(w.id) ?? 0) >= w.capacity) continue;
      this.repo.dequeue(s.exercise, this.at());
      active++;
      perWindow.set(w.id, (perWindow.get(w.id) ?? 0) + 1);
      try {
        const { done } = this.exercises.provision(s.exercise, `selfpaced:${w.id}`);
        void done.then(() => this.built(s.exercise));
      } catch (err) {
        log.warn({ err, exercise: s.exercise }, `cannot build the range of ${s.exercise}: ${describeError(err)}`);
        this.repo.finish(s.exercise, this.at(), 'failed');
        active--;
        perWindow.set(w.id, (perWindow.get(w.id) ?? 1) - 1);
      }
    }
  }

  /** A build ended: a failed one frees its place; one whose seat ended meanwhile is torn down. */
  private built(exercise: string): void {
    const s = this.repo.seat(exercise);
    if (!s) return;
    const state = this.store.exercises.get(exercise).state;
    if (state === 'created' && !s.finishedAt) this.repo.finish(exercise, this.at(), 'failed');
    else if (s.finishedAt && HOLDS_RANGE.has(state)) this.track(this.removeRanges(exercise));
    else this.repo.touch(exercise, this.at()); // the idle limit counts from when the range is ready
    this.pump();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async removeRanges(exercise: string): Promise<void> {
    const x = this.store.exercises.get(exercise);
    if (x.state === 'running' || x.state === 'paused' || x.state === 'ready')
      await this.exercises.end(exercise, 'selfpaced');
    await this.exercises.removeRanges(exercise).catch((err: unknown) => {
      log.warn({ err, exercise }, `could not tear down the range of ${exercise}: ${describeError(err)}`);
    });
  }

  /** Ends a seat once: marks it (so it stops counting), ends the exercise, removes the range, lets the queue on. */
  async teardown(s: SeatRow, reason: FinishReason): Promise<void> {
    const wasQueued = s.queued;
    if (!this.repo.finish(s.exercise, this.at(), reason)) return;
    log.info({ exercise: s.exercise, reason }, `self-paced seat ${s.exercise} ends (${reason})`);
    const x = this.store.exercises.get(s.exercise);
    if (wasQueued || x.state === 'created') {
      if (x.state === 'created') this.exercises.archive(s.exercise, 'selfpaced');
    } else if (x.state !== 'provisioning') {
      // a range still being built is torn down by `built` when the build ends
      const p = this.removeRanges(s.exercise);
      this.track(p);
      await p;
    }
    this.pump();
  }

  /** Idle seats are torn down; queued seats of closed windows expire; the queue moves on. */
  async sweep(): Promise<void> {
    const now = this.exercises.now().getTime();
    for (const s of this.repo.seats()) {
      if (s.finishedAt) continue;
      const w = this.repo.window(s.window)!;
      const x = this.store.exercises.get(s.exercise);
      if (s.queued) {
        if (now >= Date.parse(w.closesAt)) await this.teardown(s, 'closed');
      } else if (x.state === 'created') {
        this.repo.finish(s.exercise, this.at(), 'failed');
      } else if (x.state !== 'provisioning' && now - Date.parse(s.lastActiveAt) > w.idleMinutes * 60_000) {
        await this.teardown(s, 'idle');
      }
    }
    this.pump();
  }

  private status(s: SeatRow): SeatStatus {
    if (s.finishedAt)
      return s.finishReason === 'finished' ? 'finished' : s.finishReason === 'failed' ? 'failed' : 'expired';
    if (s.queued) return 'queued';
    const state = this.store.exercises.get(s.exercise).state;
    if (state === 'provisioning') return 'building';
    if (state === 'ready' || state === 'running' || state === 'paused') return state;
    if (state === 'created') return 'failed';
    return 'finished';
  }

  /** Minutes the exercise's clock ran: from start, without the paused stretches, to now or the end. */
  private elapsedMinutes(exercise: string): number {
    let ms = 0;
    let since: number | undefined;
    for (const e of this.store.events.list(exercise)) {
      const t = Date.parse(e.at);
      if (e.type === 'exercise.started' || e.type === 'exercise.resumed') since ??= t;
      else if ((e.type === 'exercise.paused' || e.type === 'exercise.ended') && since !== undefined) {
        ms += t - since;
        since = undefined;
      }
    }
    if (since !== undefined) ms += this.exercises.now().getTime() - since;
    return Math.round((ms / 60_000) * 10) / 10;
  }

  private seatView(s: SeatRow, w = this.repo.window(s.window)!): SelfPacedSeat {
    const status = this.status(s);
    const queue = status === 'queued' ? this.repo.seats().filter((x) => x.queued && !x.finishedAt) : [];
    return {
      window: s.window,
      course: w.course,
      exercise: s.exercise,
      team: this.store.exercises.teams(s.exercise)[0]?.id ?? 't01',
      name: s.name,
      status,
      queuePosition: status === 'queued' ? queue.findIndex((x) => x.exercise === s.exercise) + 1 : null,
      registeredAt: s.registeredAt,
      lastActiveAt: s.lastActiveAt,
      elapsedMinutes: this.elapsedMinutes(s.exercise),
      durationMinutes: loadCourse(w.course).durationMinutes,
      idleMinutes: w.idleMinutes,
      closesAt: w.closesAt,
      finishedAt: s.finishedAt,
    };
  }

  /** Server shutdown: stops the sweep; teardowns under way finish (ranges of live seats stay for the next server). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unlisten();
    await Promise.allSettled([...this.pending]);
  }
}
