/**
 * A team's incident panel (SOC alerts, injects, the vendor's answers) as each role may see it.
 * Trainees get what reached them as a SOC's notice would put it: the alert's title, severity, node,
 * count and the time its lines start — not the matched lines themselves (they carry the addresses
 * and names the team is scored for finding; the team reads them in its own log search) — and the
 * message with its due time; never the rule id behind an alert, the reaction an inject expects, or
 * whether a vendor answer is right. Staff get everything.
 */
import type { IncidentItem, Principal, StoredEvent, VendorTopic } from '../../protocol/index.js';

export const INCIDENT_TYPES = ['soc.alert', 'inject.sent', 'vendor.asked', 'vendor.answered'] as const;
const TYPES = new Set<string>(INCIDENT_TYPES);

export function isIncident(e: StoredEvent): boolean {
  return TYPES.has(e.type);
}

const addMinutes = (at: string, min: number) => new Date(Date.parse(at) + min * 60_000).toISOString();

/** One incident event as `audience` sees it; undefined for any other event. */
export function incidentItem(e: StoredEvent, audience: 'staff' | 'trainee'): IncidentItem | undefined {
  const staff = audience === 'staff';
  switch (e.type) {
    case 'soc.alert':
      return {
        type: e.type,
        seq: e.seq,
        at: e.at,
        id: e.id,
        title: { ja: e.title.ja, en: e.title.en },
        severity: e.severity,
        node: e.node,
        count: e.count,
        ...(staff ? { evidence: [...e.evidence] } : {}),
        ...(e.since ? { since: e.since } : {}),
        ...(staff ? { rule: e.rule } : {}),
      };
    case 'inject.sent':
      return {
        type: e.type,
        seq: e.seq,
        at: e.at,
        id: e.id,
        kind: e.kind,
        from: e.from,
        message: { ja: e.message.ja, en: e.message.en },
        ...(e.expect ? { dueAt: addMinutes(e.at, e.expect.withinMinutes) } : {}),
        ...(staff && e.expect ? { expect: e.expect } : {}),
      };
    case 'vendor.asked':
      return { type: e.type, seq: e.seq, at: e.at, id: e.id, by: e.by, topic: e.topic, question: e.question };
    case 'vendor.answered':
      return {
        type: e.type,
        seq: e.seq,
        at: e.at,
        id: e.id,
        topic: e.topic,
        answer: { ja: e.answer.ja, en: e.answer.en },
        ...(staff ? { accurate: e.accurate } : {}),
      };
    default:
      return undefined;
  }
}

export function incidentItems(events: readonly StoredEvent[], team: string, p: Principal): IncidentItem[] {
  const audience = p.role === 'trainee' ? 'trainee' : 'staff';
  const out: IncidentItem[] = [];
  for (const e of events) {
    if (!('team' in e) || e.team !== team) continue;
    const i = incidentItem(e, audience);
    if (i) out.push(i);
  }
  return out;
}

export type { VendorTopic };
