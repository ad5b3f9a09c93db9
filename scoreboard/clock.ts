/**
 * The exercise's running time. While an instructor has paused the exercise (a lunch break, a
 * briefing) the attacker stands still and teams cannot act, so neither time decay nor report
 * deadlines nor outages count that time.
 */
export interface ExerciseClock {
  started?: string;
  ended?: string;
  /** in time order; the last may still be open */
  pauses: { from: string; to?: string }[];
}

/**
 * The clock one team lived: the exercise's pauses and the team's own outages (its range degraded by
 * an engine restart or dead nodes, `range.degraded` to `range.restored`), merged so that time both
 * paused and down counts once. Time decay runs on it: a team is not charged for minutes it could not
 * look at its range.
 */
export function withOutages(clock: ExerciseClock, outages: readonly { from: string; to?: string }[]): ExerciseClock {
  if (!outages.length) return clock;
  const all = [...clock.pauses, ...outages].sort((a, b) => a.from.localeCompare(b.from));
  const merged: { from: string; to?: string }[] = [];
  for (const p of all) {
    const last = merged.at(-1);
    if (last && (last.to === undefined || p.from <= last.to)) {
      if (last.to !== undefined && (p.to === undefined || p.to > last.to)) {
        if (p.to === undefined) delete last.to;
        else last.to = p.to;
      }
    } else merged.push(p.to === undefined ? { from: p.from } : { from: p.from, to: p.to });
  }
  return { ...clock, pauses: merged };
}

/** Minutes of [from, to) during which the exercise ran (not before its start, not while paused). */
export function activeMinutes(clock: ExerciseClock, from: string, to: string): number {
  const a = clock.started && clock.started > from ? clock.started : from;
  if (to <= a) return 0;
  let ms = Date.parse(to) - Date.parse(a);
  for (const p of clock.pauses) {
    const ps = p.from > a ? p.from : a;
    const pe = p.to === undefined || p.to > to ? to : p.to;
    if (pe > ps) ms -= Date.parse(pe) - Date.parse(ps);
  }
  return Math.max(0, ms / 60_000);
}

/** When `minutes` of running time will have passed after `from`; undefined while a pause holds the clock. */
export function addActiveMinutes(clock: ExerciseClock, from: string, minutes: number): string | undefined {
  let t = Date.parse(from);
  let left = minutes * 60_000;
  for (const p of clock.pauses) {
    const pe = p.to === undefined ? Infinity : Date.parse(p.to);
    if (pe <= t) continue;
    const ps = Math.max(Date.parse(p.from), t);
    if (t + left <= ps) break;
    left -= ps - t;
    if (pe === Infinity) return undefined;
    t = pe;
  }
  return new Date(t + left).toISOString();
}

/** From `from` on, the team's attack ran this many exercise minutes per wall minute (`attack.speed`). */
export interface SpeedChange {
  from: string;
  speed: number;
}

/**
 * Exercise minutes per wall minute at instant `t`: 0 while paused, else the
 * speed set last (1 when none was set). One clock for the attack, the deadlines and the countdowns.
 */
function rateAt(clock: ExerciseClock, speeds: readonly SpeedChange[], t: number): number {
  // time before the start counts (an event injected with an earlier time is timed from it, as before)
  for (const p of clock.pauses) if (Date.parse(p.from) <= t && (p.to === undefined || t < Date.parse(p.to))) return 0;
  let speed = 1;
  for (const s of speeds) if (Date.parse(s.from) <= t) speed = s.speed;
  return speed;
}

/** the instants after `t` where the rate may change */
function breakpoints(clock: ExerciseClock, speeds: readonly SpeedChange[], t: number): number[] {
  const all = [
    ...clock.pauses.flatMap((p) => (p.to === undefined ? [p.from] : [p.from, p.to])),
    ...speeds.map((s) => s.from),
  ].map((x) => Date.parse(x));
  return [...new Set(all.filter((x) => x > t))].sort((a, b) => a - b);
}

/** Exercise minutes of [from, to): running time times the attack speed. */
export function exerciseMinutes(
  clock: ExerciseClock,
  speeds: readonly SpeedChange[],
  from: string,
  to: string,
): number {
  let t = Date.parse(from);
  const end = Date.parse(to);
  let ms = 0;
  for (const next of [...breakpoints(clock, speeds, t).filter((x) => x < end), end]) {
    if (next <= t) continue;
    ms += (next - t) * rateAt(clock, speeds, t);
    t = next;
  }
  return ms / 60_000;
}

/**
 * When `minutes` of exercise time will have passed after `from`, if the rate stays as it is now;
 * undefined while a pause holds the clock.
 */
export function addExerciseMinutes(
  clock: ExerciseClock,
  speeds: readonly SpeedChange[],
  from: string,
  minutes: number,
): string | undefined {
  let t = Date.parse(from);
  let left = minutes * 60_000;
  for (const next of [...breakpoints(clock, speeds, t), Infinity]) {
    const rate = rateAt(clock, speeds, t);
    if (rate > 0 && (next - t) * rate >= left) return new Date(t + left / rate).toISOString();
    if (next === Infinity) return undefined;
    left -= (next - t) * rate;
    t = next;
  }
  return undefined;
}
