/**
 * Reporting points for reacting to injects as they asked (issue #17): the inject's `expect.points`
 * when the team's reaction came in time, half when late, nothing (an item saying so) when the time
 * ran out; nothing yet while it may still come. The reacting event is the item's source, so a
 * trainee sees the item as part of their own breakdown.
 */
import type { InjectEvent } from '../protocol/index.js';
import { round2 } from './decay.js';
import { injectReaction } from './injects.js';

/** A score item (score.ts's `ScoreItem`, spelled out here: score.ts imports this file). */
export interface InjectItem {
  phase: 'reporting';
  points: number;
  raw: number;
  code: 'reporting.inject';
  params: Record<string, string | number>;
  eventSeq?: number;
  at: string;
}

/** `weight`: the course's reporting weight. */
export function injectItems(
  weight: number,
  events: readonly (InjectEvent | { type: string; at: string; seq?: number })[],
  team: string,
  now: string,
): InjectItem[] {
  const all = events as Parameters<typeof injectReaction>[1];
  const out: InjectItem[] = [];
  for (const e of all) {
    if (e.type !== 'inject.sent' || e.team !== team || !e.expect) continue;
    const r = injectReaction(e, all, now);
    if (!r || r.outcome === 'pending') continue;
    const raw = r.outcome === 'met' ? e.expect.points : r.outcome === 'late' ? e.expect.points / 2 : 0;
    const minutesLate =
      r.outcome === 'late' ? Math.round((Date.parse(r.reactedAt!) - Date.parse(r.dueAt)) / 60_000) : undefined;
    out.push({
      phase: 'reporting',
      points: round2(raw * weight),
      raw: round2(raw),
      code: 'reporting.inject',
      params: {
        due: r.dueAt,
        ...(minutesLate !== undefined ? { minutesLate } : {}),
        ...(r.outcome === 'missed' ? { missed: 1 } : {}),
      },
      ...(r.seq !== undefined ? { eventSeq: r.seq } : {}),
      at: r.reactedAt ?? r.dueAt,
    });
  }
  return out;
}
