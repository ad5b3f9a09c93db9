/**
 * The after-action timeline of one team: what the attacker did, what the team found, did and
 * reported, and what the checks saw, on one time axis — with the points each event earned.
 */
import type { EnshuEvent, StoredEvent, TimelineEntry, TimelineLane } from '../protocol/index.js';
import { isoZ, sortEvents, type ScoreItem } from './score.js';
import { incidentSummary } from './incident-summary.js';
import type { GroundTruth } from '../core/index.js';

export type { TimelineEntry, TimelineLane };

const LANE: Partial<Record<EnshuEvent['type'], TimelineLane>> = {
  'attack.step': 'attack',
  'finding.submitted': 'detection',
  'action.submitted': 'response',
  'report.submitted': 'reporting',
  'report.graded': 'reporting',
  'check.result': 'check',
  'recovery.declared': 'recovery',
  'hint.bought': 'hint',
  'hint.released': 'hint',
  'soc.alert': 'incident',
  'inject.sent': 'incident',
  'vendor.asked': 'incident',
  'vendor.answered': 'incident',
};

const both = (s: string) => ({ ja: s, en: s });

function summary(e: EnshuEvent, truth: GroundTruth | undefined): TimelineEntry['summary'] {
  switch (e.type) {
    case 'attack.step': {
      const t = truth?.steps.find((s) => s.id === e.step)?.title;
      return t ?? both(e.step);
    }
    case 'finding.submitted':
      return both(
        [e.indicatorType && e.value ? `${e.indicatorType}: ${e.value}` : '', e.technique ?? '', e.text]
          .filter(Boolean)
          .join(' — '),
      );
    case 'action.submitted':
      return both(e.node ? `${e.node}: ${e.what}` : e.what);
    case 'check.result': {
      const spec =
        truth &&
        [...truth.steps.flatMap((s) => [...s.containment, ...s.recovery]), ...truth.availability].find(
          (c) => c.id === e.check,
        );
      const mark = e.passed ? '✓' : '✗';
      return spec ? { ja: `${mark} ${spec.title.ja}`, en: `${mark} ${spec.title.en}` } : both(`${mark} ${e.check}`);
    }
    case 'report.submitted':
      return {
        ja: `報告（${{ first: '第一報', update: '続報', final: '最終報' }[e.kind]}）`,
        en: `Report (${e.kind})`,
      };
    case 'report.graded':
      return {
        ja: `講師評価 ${Math.round(e.grade * 100)}% ${e.comment}`.trim(),
        en: `Graded ${Math.round(e.grade * 100)}% ${e.comment}`.trim(),
      };
    case 'recovery.declared':
      return both(e.what);
    case 'hint.bought':
    case 'hint.released':
      return both(`${e.hint} (${e.step})`);
    default:
      return incidentSummary(e) ?? both(e.type);
  }
}

/** Events of `team` (and exercise-wide ones) in time order; `items` adds the points behind each event. */
export function teamTimeline(
  events: readonly (EnshuEvent | StoredEvent)[],
  team: string,
  truth?: GroundTruth,
  items: readonly ScoreItem[] = [],
): TimelineEntry[] {
  const points = new Map<number, number>();
  for (const i of items)
    if (i.eventSeq !== undefined)
      points.set(i.eventSeq, Math.round(((points.get(i.eventSeq) ?? 0) + i.points) * 100) / 100);
  return sortEvents(events)
    .filter((e) => ('team' in e ? e.team === team : e.type.startsWith('exercise.') || e.type === 'score.frozen'))
    .filter((e) => !e.type.startsWith('attack.') || e.type === 'attack.step')
    .map((e) => ({
      at: isoZ(e.at),
      seq: e.seq,
      lane: LANE[e.type] ?? 'exercise',
      type: e.type,
      summary: (e.type === 'inject.sent' && incidentSummary(e, events)) || summary(e, truth),
      ...('step' in e && typeof e.step === 'string' ? { step: e.step } : {}),
      ...(e.type === 'attack.step' ? { technique: e.technique, outcome: e.outcome } : {}),
      ...(e.type === 'check.result' ? { outcome: e.passed ? 'passed' : 'failed' } : {}),
      ...(points.has(e.seq) ? { points: points.get(e.seq)! } : {}),
    }));
}
