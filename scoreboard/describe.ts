/** Human text for score items (their reason code and params), in Japanese or English. */
import type { ScoreItem } from './score.js';

type P = ScoreItem['params'];
const s = (p: P, k: string) => {
  const v = p[k];
  return Array.isArray(v) ? v.join(', ') : String(v ?? '');
};
const pct = (p: P) => `${Math.round(Number(p.decay ?? 1) * 100)}%`;

/** report fields and recipients as the guideline names them (docs/terminology.md) */
const FIELD: Record<string, { ja: string; en: string }> = {
  occurredAt: { ja: '発生日時', en: 'when it happened' },
  affected: { ja: '影響を受ける地域・サービス', en: 'areas and services affected' },
  cause: { ja: '原因', en: 'cause' },
  outlook: { ja: '復旧見通し', en: 'recovery outlook' },
  alternatives: { ja: '代替手段とその利用方法', en: 'alternative means and how to use them' },
  actions: { ja: '対応状況', en: 'actions taken' },
};
const RECIPIENT: Record<string, { ja: string; en: string }> = {
  management: { ja: '経営層・CISO', en: 'management / CISO' },
  authority: { ja: '所管省庁・都道府県', en: 'the supervising authority' },
  public: { ja: '利用者・一般（ホームページ等）', en: 'the public (web site etc.)' },
  emergency: { ja: '緊急通報受理機関等', en: 'emergency-call bodies' },
  ppc: { ja: '個人情報保護委員会', en: 'the Personal Information Protection Commission' },
};
const PROBLEM: Record<string, { ja: string; en: string }> = {
  'time-unreadable': { ja: '日時として読めない', en: 'not a readable time' },
  'time-in-future': { ja: '報告時刻より後の日時', en: 'later than the report itself' },
  'no-finding': { ja: '裏付けとなる発見がまだない', en: 'no finding backs it yet' },
};
const names = (p: P, k: string, table: Record<string, { ja: string; en: string }>, lang: 'ja' | 'en') => {
  const v = p[k];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [String(v)];
  return list.map((x) => table[x]?.[lang] ?? x).join(lang === 'ja' ? '、' : ', ');
};
const problems = (p: P, lang: 'ja' | 'en') =>
  (Array.isArray(p.problems) ? p.problems : [])
    .map((x) => {
      const [f = '', why = ''] = x.split(':');
      return `${FIELD[f]?.[lang] ?? f}: ${PROBLEM[why]?.[lang] ?? why}`;
    })
    .join(lang === 'ja' ? '、' : '; ');

const TEXT: Record<string, { ja: (p: P) => string; en: (p: P) => string }> = {
  'detection.indicator': {
    ja: (p) => `痕跡を発見: ${s(p, 'type')} ${s(p, 'value')}（得点率 ${pct(p)}）`,
    en: (p) => `Found indicator ${s(p, 'type')} ${s(p, 'value')} (${pct(p)} of the points)`,
  },
  'detection.technique': {
    ja: (p) =>
      `攻撃手法を特定: ${s(p, 'technique')}${p.fraction !== 1 ? `（${s(p, 'stepTechnique')} の上位テクニックのため一部の得点）` : ''}（得点率 ${pct(p)}）`,
    en: (p) =>
      `Identified technique ${s(p, 'technique')}${p.fraction !== 1 ? ` (parent of ${s(p, 'stepTechnique')}, part of the points)` : ''} (${pct(p)} of the points)`,
  },
  'detection.duplicate': {
    ja: (p) => `既に得点済みの発見（${s(p, 'finding')}）`,
    en: (p) => `Already credited (${s(p, 'finding')})`,
  },
  'detection.false-positive': {
    ja: (p) =>
      `誤検知: ${p.reason === 'not-happened-yet' ? 'まだ起きていない攻撃' : '該当する攻撃なし'}（${s(p, 'finding')}）`,
    en: (p) =>
      `False positive: ${p.reason === 'not-happened-yet' ? 'that attack has not happened yet' : 'matches no attack'} (${s(p, 'finding')})`,
  },
  'response.containment': {
    ja: (p) => `封じ込めを確認: ${s(p, 'check')}${p.proactive ? '（攻撃前に対策済み）' : `（得点率 ${pct(p)}）`}`,
    en: (p) =>
      `Containment verified: ${s(p, 'check')}${p.proactive ? ' (in place before the attack)' : ` (${pct(p)} of the points)`}`,
  },
  'recovery.check': {
    ja: (p) => `復旧を確認: ${s(p, 'check')}（得点率 ${pct(p)}）`,
    en: (p) => `Recovery verified: ${s(p, 'check')} (${pct(p)} of the points)`,
  },
  'recovery.availability': {
    ja: (p) => `業務サービス停止: ${s(p, 'check')} ${s(p, 'minutes')}分`,
    en: (p) => `Business service down: ${s(p, 'check')} for ${s(p, 'minutes')} min`,
  },
  'reporting.first.on-time': { ja: () => '第一報を期限内に提出', en: () => 'First report on time' },
  'reporting.first.late': {
    ja: (p) => `第一報が期限に ${s(p, 'minutesLate')}分遅れ`,
    en: (p) => `First report ${s(p, 'minutesLate')} min late`,
  },
  'reporting.first.overdue': {
    ja: (p) => `第一報の期限（${s(p, 'deadline')}）を過ぎています`,
    en: (p) => `First report overdue (due ${s(p, 'deadline')})`,
  },
  'reporting.update.on-time': { ja: () => '続報を期限内に提出', en: () => 'Update on time' },
  'reporting.update.late': {
    ja: (p) => `続報の遅れ（${s(p, 'missed')}回分）`,
    en: (p) => `Update late (${s(p, 'missed')} interval(s) missed)`,
  },
  'reporting.update.overdue': {
    ja: (p) => `続報が未提出（${s(p, 'missed')}回分）`,
    en: (p) => `Update overdue (${s(p, 'missed')} interval(s) missed)`,
  },
  'reporting.fields': {
    ja: (p) =>
      `記載項目 ${s(p, 'filled')}/6${(p.missing as string[]).length ? `（不足: ${names(p, 'missing', FIELD, 'ja')}）` : ''}${p.problems ? `（${problems(p, 'ja')}）` : ''}`,
    en: (p) =>
      `Guideline fields ${s(p, 'filled')}/6${(p.missing as string[]).length ? ` (missing: ${names(p, 'missing', FIELD, 'en')})` : ''}${p.problems ? ` (${problems(p, 'en')})` : ''}`,
  },
  'reporting.recipient.told': {
    ja: (p) => `期限内に報告: ${names(p, 'recipient', RECIPIENT, 'ja')}`,
    en: (p) => `Told in time: ${names(p, 'recipient', RECIPIENT, 'en')}`,
  },
  'reporting.recipient.late': {
    ja: (p) => `報告が期限後: ${names(p, 'recipient', RECIPIENT, 'ja')}`,
    en: (p) => `Told after the deadline: ${names(p, 'recipient', RECIPIENT, 'en')}`,
  },
  'reporting.recipient.missing': {
    ja: (p) => `未報告の報告先: ${names(p, 'recipient', RECIPIENT, 'ja')}`,
    en: (p) => `Not told yet: ${names(p, 'recipient', RECIPIENT, 'en')}`,
  },
  'reporting.notice.posted': {
    ja: () => 'ホームページに障害情報（お知らせ）の掲載を確認',
    en: () => 'Notice seen on the web site',
  },
  'reporting.notice.updated': {
    ja: () => 'ホームページの障害情報の更新を確認',
    en: () => 'Web site notice updated',
  },
  'reporting.notice.taken-down': {
    ja: () => '最終報の前にホームページから障害情報が消えました',
    en: () => 'The notice left the web site before the final report',
  },
  'reporting.jargon': {
    ja: (p) => `専門用語を平易な言葉に: ${s(p, 'terms')}`,
    en: (p) => `Use plain words: ${s(p, 'terms')}`,
  },
  'reporting.grade': {
    ja: (p) => `講師評価 ${Math.round(Number(p.grade) * 100)}%`,
    en: (p) => `Instructor's grade ${Math.round(Number(p.grade) * 100)}%`,
  },
  'reporting.inject': {
    ja: (p) =>
      p.missed
        ? '求められた対応が期限までになし'
        : p.minutesLate
          ? `求められた対応（${s(p, 'minutesLate')}分遅れ）`
          : '求められた対応を期限内に実施',
    en: (p) =>
      p.missed
        ? 'The reaction a message asked for never came'
        : p.minutesLate
          ? `The reaction a message asked for (${s(p, 'minutesLate')} min late)`
          : 'The reaction a message asked for, in time',
  },
  'hint.bought': { ja: (p) => `ヒント購入: ${s(p, 'hint')}`, en: (p) => `Hint bought: ${s(p, 'hint')}` },
  'hint.released': { ja: (p) => `ヒント公開: ${s(p, 'hint')}`, en: (p) => `Hint released: ${s(p, 'hint')}` },
};

export function describeItem(item: Pick<ScoreItem, 'code' | 'params'>, lang: 'ja' | 'en'): string {
  const t = TEXT[item.code];
  return t ? t[lang](item.params) : item.code;
}

export const REASON_CODES = Object.keys(TEXT);
