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
