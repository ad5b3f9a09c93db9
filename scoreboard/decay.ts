import type { Rules } from './rules/schema.js';

/** Fraction of the points an answer `minutes` after the attacker's step still earns. */
export function decayFactor(minutes: number, d: Rules['decay']): number {
  const late = Math.max(0, minutes - d.graceMinutes);
  if (late === 0 || d.halfLifeMinutes === 0) return 1;
  return Math.max(d.floor, 0.5 ** (late / d.halfLifeMinutes));
}

export const minutesBetween = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / 60_000;

export const round2 = (n: number): number => Math.round(n * 100) / 100 + 0;
