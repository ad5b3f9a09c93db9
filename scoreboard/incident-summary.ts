/**
 * One line for the after-action timeline for what reached a team from outside (issue #17): a SOC
 * alert, an inject (with how the team reacted, when it asked for a reaction) and the vendor.
 */
import type { EnshuEvent, StoredEvent } from '../protocol/index.js';
import { injectReaction } from './injects.js';

const KIND: Record<string, { ja: string; en: string }> = {
  'citizen-call': { ja: '市民からの電話', en: 'Citizen call' },
  management: { ja: '幹部からの指示', en: 'Management' },
  ministry: { ja: '所管省庁からの通知', en: 'Ministry notice' },
  vendor: { ja: 'ベンダーからの連絡', en: 'Vendor message' },
  soc: { ja: 'SOCからの連絡', en: 'SOC message' },
  press: { ja: '報道機関からの問い合わせ', en: 'Press enquiry' },
  other: { ja: '外部からの連絡', en: 'Message' },
};
const OUTCOME = {
  met: { ja: '期限内に対応', en: 'answered in time' },
  late: { ja: '期限後に対応', en: 'answered late' },
  missed: { ja: '未対応', en: 'not answered' },
  pending: { ja: '対応待ち', en: 'awaiting answer' },
};
const cut = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function incidentSummary(
  e: EnshuEvent,
  events: readonly (EnshuEvent | StoredEvent)[] = [],
): { ja: string; en: string } | undefined {
  switch (e.type) {
    case 'soc.alert':
      return {
        ja: `SOCアラート［${e.severity}］${e.title.ja}（${e.node}、${e.count}件）`,
        en: `SOC alert [${e.severity}] ${e.title.en} (${e.node}, ${e.count})`,
      };
    case 'inject.sent': {
      const k = KIND[e.kind] ?? KIND.other!;
      const last = events.reduce((m, x) => (x.at > m ? x.at : m), e.at);
      const r = injectReaction(e, events, last);
      const o = r && OUTCOME[r.outcome];
      return {
        ja: `${k.ja}：${e.from}「${cut(e.message.ja)}」${o ? ` → ${o.ja}` : ''}`,
        en: `${k.en}: ${e.from} "${cut(e.message.en)}"${o ? ` → ${o.en}` : ''}`,
      };
    }
    case 'vendor.asked':
      return {
        ja: `ベンダーへの問い合わせ（${e.topic}）${e.question ? `：${cut(e.question)}` : ''}`,
        en: `Asked the vendor (${e.topic})${e.question ? `: ${cut(e.question)}` : ''}`,
      };
    case 'vendor.answered':
      return {
        ja: `ベンダー回答（${e.topic}${e.accurate ? '' : '、誤り'}）：${cut(e.answer.ja)}`,
        en: `Vendor answer (${e.topic}${e.accurate ? '' : ', wrong'}): ${cut(e.answer.en)}`,
      };
    default:
      return undefined;
  }
}
