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
  'check.tampered': 'check',
  'recovery.declared': 'recovery',
  'hint.bought': 'hint',
  'hint.released': 'hint',
  'notice.observed': 'reporting',
  'attack.skip': 'range',
  'attack.replay': 'range',
  'attack.reopened': 'range',
  'attack.restart': 'range',
  'range.reset': 'range',
  'range.reset.done': 'range',
  'range.degraded': 'range',
  'range.restored': 'range',
  'soc.alert': 'incident',
  'inject.sent': 'incident',
  'vendor.asked': 'incident',
  'vendor.answered': 'incident',
};

/** Instructor commands to the attacker that the timeline shows (the runner's own controls stay out). */
const SHOWN_ATTACK_CONTROLS = new Set([
  'attack.step',
  'attack.skip',
  'attack.replay',
  'attack.reopened',
  'attack.restart',
]);

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
    case 'check.tampered':
      return e.cleared
        ? {
            ja: `${e.node} のフィルタは確認用の通信を区別しなくなった`,
            en: `${e.node}'s filters no longer single out the checks`,
          }
        : {
            ja: `${e.node} のフィルタが確認用の通信を区別している（ネットワーク確認は不合格）：${e.detail}`,
            en: `${e.node}'s filters single out the checks' packets (network checks fail): ${e.detail}`,
          };
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
    case 'notice.observed':
      return e.status === 200
        ? // the page's words are the team's (or the range's), not the timeline's: shown in the review, not here
          { ja: 'ホームページの内容の変化を確認', en: 'Web site content changed' }
        : { ja: `ホームページが応答しません（${e.status}）`, en: `Web site not answering (${e.status})` };
    case 'hint.bought':
    case 'hint.released':
      return both(`${e.hint} (${e.step})`);
    case 'attack.skip':
    case 'attack.replay': {
      const step = String(e.detail?.step ?? '');
      const t = truth?.steps.find((s) => s.id === step)?.title ?? both(step);
      return e.type === 'attack.skip'
        ? { ja: `講師がスキップ: ${t.ja}`, en: `Skipped by the instructor: ${t.en}` }
        : { ja: `講師が再実行: ${t.ja}`, en: `Replayed by the instructor: ${t.en}` };
    }
    case 'attack.reopened': {
      const ids = Array.isArray(e.detail?.steps) ? (e.detail.steps as string[]) : [];
      const names = ids.map((id) => truth?.steps.find((s) => s.id === id)?.title ?? both(id));
      return {
        ja: `ノード復旧により再実行: ${names.map((n) => n.ja).join('、')}`,
        en: `Run again now that the node is back: ${names.map((n) => n.en).join(', ')}`,
      };
    }
    case 'attack.restart':
      return { ja: '講師が攻撃を最初からやり直し', en: 'Attack restarted by the instructor' };
    case 'range.reset':
    case 'range.reset.done': {
      const what = e.node ?? '';
      return e.type === 'range.reset'
        ? { ja: `講師がリセット: ${what || 'チーム全体'}`, en: `Reset by the instructor: ${what || 'whole team'}` }
        : { ja: `リセット完了: ${what || 'チーム全体'}`, en: `Reset done: ${what || 'whole team'}` };
    }
    case 'range.degraded':
      return {
        ja: `環境の障害: ${e.node ?? 'チーム全体'}${e.reason ? `（${e.reason}）` : ''}`,
        en: `Range degraded: ${e.node ?? 'whole team'}${e.reason ? ` (${e.reason})` : ''}`,
      };
    case 'range.restored':
      return { ja: `環境が復旧: ${e.node ?? 'チーム全体'}`, en: `Range restored: ${e.node ?? 'whole team'}` };
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
    .filter((e) => !e.type.startsWith('attack.') || SHOWN_ATTACK_CONTROLS.has(e.type))
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
