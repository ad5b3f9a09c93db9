/**
 * When a containment or recovery check may earn: only for a change the team made. A check earns
 * when it turns true after the checker saw it false since its step happened, with no reset or
 * outage of the team's range in between — so a check that is true because the range was built
 * that way, because an instructor's reset put the node back to its image, or because a result was
 * taken while nodes were down, earns nothing.
 *
 * The state is per team; score.ts feeds it the team's check results and range events in log order.
 */
import type { EnshuEvent } from '../protocol/index.js';

export interface CheckCredit {
  /** checks seen false since their step happened, with no reset or outage since */
  armed: Set<string>;
  /** checks seen false at all (before their step too), with no reset or outage since */
  seenFalse: Set<string>;
  /** checks whose latest turn to true came after they were seen false, untouched since (the team's own doing) */
  turnedByTeam: Set<string>;
  /** resets and outages under way (`reset:<node|*>`, `outage:<node|*>`) */
  open: Set<string>;
}

export const newCheckCredit = (): CheckCredit => ({
  armed: new Set(),
  seenFalse: new Set(),
  turnedByTeam: new Set(),
  open: new Set(),
});

/** The range events that stop credit: what they open or close. */
export function onRangeEvent(c: CheckCredit, e: EnshuEvent): void {
  const where = 'node' in e && typeof e.node === 'string' ? e.node : '*';
  switch (e.type) {
    case 'range.reset':
      c.open.add(`reset:${where}`);
      break;
    case 'range.reset.done':
      c.open.delete(`reset:${where}`);
      break;
    case 'range.degraded':
      c.open.add(`outage:${where}`);
      break;
    case 'attack.restart':
      // the old attack's cleanups undo its traces until the new attack starts
      c.open.add('restart:*');
      break;
    case 'attack.started':
      // the first start changes nothing; the start after a restart closes it
      if (!c.open.delete('restart:*')) return;
      break;
    case 'range.restored':
      // a team-wide restore closes every outage of the team
      if (where === '*') for (const k of [...c.open]) if (k.startsWith('outage:')) c.open.delete(k);
      c.open.delete(`outage:${where}`);
      break;
    default:
      return;
  }
  // whatever was seen before the range changed under the team no longer proves the team's change
  c.armed.clear();
  c.seenFalse.clear();
  c.turnedByTeam.clear();
}

/** Whether the team's range is whole (no reset or outage under way): results taken now count. */
export const rangeWhole = (c: CheckCredit): boolean => c.open.size === 0;

/**
 * A containment/recovery result: returns true when this result earns (the caller credits it once).
 * `stepHappened`: the check's step had happened when the result was taken.
 */
export function onCheckResult(c: CheckCredit, check: string, passed: boolean, stepHappened: boolean): boolean {
  if (!passed) {
    c.turnedByTeam.delete(check);
    if (rangeWhole(c)) {
      c.seenFalse.add(check);
      if (stepHappened) c.armed.add(check);
    }
    return false;
  }
  const whole = rangeWhole(c);
  const earned = c.armed.has(check) && whole;
  if (c.seenFalse.has(check) && whole) c.turnedByTeam.add(check);
  else c.turnedByTeam.delete(check);
  c.armed.delete(check);
  c.seenFalse.delete(check);
  return earned;
}

/**
 * A step was blocked while its containment check held: that counts as proactive containment only
 * if the check holds because the team made it so (it was seen false, then true, untouched since) —
 * not when the range was built that way (a default FW rule that blocks the step's fallback).
 */
export const heldByTeam = (c: CheckCredit, check: string): boolean => c.turnedByTeam.has(check);
