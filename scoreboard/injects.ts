/**
 * Whether a team reacted to an inject as it asked (issue #17), as a pure function of the log: the
 * team's first event of type `<kind>.submitted` (or exactly `kind` when it has a dot) after the
 * inject, to the expected `recipient` — read from the event's `recipient` or `recipients` field
 * when it has one; an event with neither (a report form that does not name recipients) counts for
 * any recipient — within `withinMinutes`.
 */
import type { EnshuEvent, InjectEvent, StoredEvent } from '../protocol/index.js';

export interface InjectReaction {
  inject: string;
  sentAt: string;
  dueAt: string;
  outcome: 'met' | 'late' | 'missed' | 'pending';
  reactedAt?: string;
  /** seq of the reacting event */
  seq?: number;
}

function recipientsOf(e: EnshuEvent): string[] | undefined {
  const r = e as { recipient?: unknown; recipients?: unknown };
  if (typeof r.recipient === 'string') return [r.recipient];
  if (Array.isArray(r.recipients)) return r.recipients.filter((x): x is string => typeof x === 'string');
  return undefined;
}

export function injectReaction(
  inject: InjectEvent,
  events: readonly (EnshuEvent | StoredEvent)[],
  now: string,
): InjectReaction | undefined {
  const x = inject.expect;
  if (!x) return undefined;
  const sent = Date.parse(inject.at);
  const due = sent + x.withinMinutes * 60_000;
  const type = x.kind.includes('.') ? x.kind : `${x.kind}.submitted`;
  const hit = events
    .filter((e) => e.type === type && 'team' in e && e.team === inject.team && Date.parse(e.at) >= sent)
    .filter((e) => {
      const to = recipientsOf(e);
      return !x.recipient || to === undefined || to.includes(x.recipient);
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0];
  const base = { inject: inject.id, sentAt: inject.at, dueAt: new Date(due).toISOString() };
  if (hit)
    return {
      ...base,
      outcome: Date.parse(hit.at) <= due ? 'met' : 'late',
      reactedAt: hit.at,
      ...('seq' in hit ? { seq: hit.seq } : {}),
    };
  return { ...base, outcome: Date.parse(now) > due ? 'missed' : 'pending' };
}
