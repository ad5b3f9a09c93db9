/**
 * When a scenario-timed thing is due on the wall clock, from a team's attack events: the attack
 * clock (scenario seconds) is anchored at the latest event that carries it, and runs at the
 * exercise's speed from there. Pure, so a restarted server computes the same times from the log.
 */
import type { StoredEvent } from '../../protocol/index.js';

export interface AttackAnchor {
  /** wall time (ms) and scenario seconds at the latest attack event that tells both */
  wall: number;
  clock: number;
  /** the attack is over or stopped: nothing scenario-timed fires any more */
  ended: boolean;
  paused: boolean;
  /** steps that succeeded, with the scenario second they ended */
  succeeded: Map<string, number>;
}

export function attackAnchor(events: readonly StoredEvent[], team: string): AttackAnchor | undefined {
  let anchor: AttackAnchor | undefined;
  for (const e of events) {
    if (!('team' in e) || e.team !== team || !e.type.startsWith('attack.')) continue;
    if (e.type === 'attack.step') {
      anchor ??= { wall: Date.parse(e.endedAt), clock: 0, ended: false, paused: false, succeeded: new Map() };
      if (e.endClock !== undefined && Date.parse(e.endedAt) >= anchor.wall) {
        anchor.wall = Date.parse(e.endedAt);
        anchor.clock = e.endClock;
      }
      if (e.outcome === 'succeeded') anchor.succeeded.set(e.step, e.endClock ?? anchor.clock);
      continue;
    }
    if (e.type === 'attack.started' || e.type === 'attack.restored')
      anchor ??= { wall: Date.parse(e.at), clock: 0, ended: false, paused: false, succeeded: new Map() };
    if (!anchor) continue;
    if ('clock' in e && typeof e.clock === 'number') {
      anchor.wall = Date.parse(e.at);
      anchor.clock = e.clock;
    }
    if (e.type === 'attack.stopped') anchor.ended = true;
    if (e.type === 'attack.paused' || e.type === 'attack.suspended') anchor.paused = true;
    if (e.type === 'attack.resumed' || e.type === 'attack.restored' || e.type === 'attack.started')
      anchor.paused = false;
  }
  return anchor;
}

/** The wall time (ms) at which scenario second `clock` comes, or undefined while the attack is paused. */
export function wallAt(a: AttackAnchor, clock: number, speed: number): number | undefined {
  if (a.paused) return undefined;
  return a.wall + ((clock - a.clock) * 1000) / Math.max(speed, 0.001);
}
