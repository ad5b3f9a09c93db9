/**
 * The reporting phase as the MIC outage-notice guideline (2023) sets it: a first report
 * (第一報) within 30 minutes of the incident to the authority and on the organisation's web
 * site, updates (続報) at least hourly until the final report (最終報), the guideline's fields
 * filled with something that means something, plain words in what the public reads, and the
 * notice really on the web site, kept there until the final report. All times run on the team's
 * exercise clock (pauses and attack speed included), so the deadlines here are the ones the
 * trainee's countdown shows (`reportDeadlines`).
 */
import { addExerciseMinutes, exerciseMinutes, type ExerciseClock, type SpeedChange } from './clock.js';
import { minutesBetween, round2 } from './decay.js';
import {
  type NoticeObservedEvent,
  type Phase,
  type ReportDeadlines,
  type ReportEvent,
  type ReportGradeEvent,
  REPORT_FIELDS,
  type ReportField,
  checkPlainLanguage,
  distinctTerms,
  type Glossary,
} from '../protocol/index.js';
import type { Rules } from './rules/schema.js';

type Seq = { seq: number; at: string };
type Ev<T> = T & { seq: number };

/** What the reporting rules read of a team's fold. */
export interface ReportingTeam {
  impact?: Seq & { step: string };
  /** the first attack step that happened and left something a team could notice */
  effect?: Seq & { step: string };
  firstFinding?: Seq;
  /** log positions of the team's findings that matched the ground truth */
  creditedFindings: Seq[];
  speeds: SpeedChange[];
  reports: Ev<ReportEvent>[];
  reportChecks: Map<string, ReportCheck>;
  grades: Map<string, Ev<ReportGradeEvent>>;
  notices: Ev<NoticeObservedEvent>[];
}

export interface ReportCheck {
  /** fields that do not count: empty, a placeholder, only 「不明」, or content that fails its check */
  missing: ReportField[];
  /** why a written field does not count (field → problem code) */
  problems: Partial<Record<ReportField, string>>;
  /** jargon as "term → plain" (only for reports the public reads) */
  jargon: string[];
}

export interface ReportingContext {
  rules: Rules;
  glossary?: Glossary;
}

/** Makes a score item (score.ts weights it); the rules here only decide the amounts and reasons. */
export type ItemFn<I = unknown> = (
  phase: Phase,
  raw: number,
  code: string,
  params: Record<string, string | number | boolean | string[]>,
  ev: Seq | undefined,
  at: string,
  step?: string,
) => I;

const PLACEHOLDERS = new Set(['-', '--', '—', 'n/a', 'na', 'tbd', 'todo', '?', '...', '…', 'xxx', '未記入', '-なし-']);
/** an answer that says nothing: a report must say what is known, even "under investigation, next update at 11:00" */
const UNKNOWN = new Set([
  '不明',
  '未定',
  '調査中',
  '確認中',
  '現在調査中',
  '現在確認中',
  '不明です',
  '未定です',
  '調査中です',
  '確認中です',
  'なし',
  'unknown',
  'tbd',
  'undecided',
  'investigating',
  'under investigation',
  'none',
]);

function filled(value: string, minChars: number): boolean {
  const v = value.trim();
  if (v.length < minChars || PLACEHOLDERS.has(v.toLowerCase())) return false;
  const bare = v
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s。、．，.,!！?？「」()（）]/g, '');
  return !UNKNOWN.has(bare) && !UNKNOWN.has(v.toLowerCase().replace(/[.!]+$/, ''));
}

const JST_MS = 9 * 3_600_000;

/**
 * The moment an `occurredAt` text names, read as Japan time where it has no offset: ISO 8601,
 * `2026/11/29 10:05`, `11月29日 10時5分`, `10:05`, `10時5分`, `午後2時` (a time without a date is
 * on the report's own day, or the day before when that would be in the future).
 */
export function parseOccurredAt(text: string, reportAt: string): Date | undefined {
  const s = text.normalize('NFKC').trim();
  if (/^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const d = Date.parse(s);
    return Number.isNaN(d) ? undefined : new Date(d);
  }
  const ref = new Date(Date.parse(reportAt) + JST_MS);
  let y = ref.getUTCFullYear();
  let mo = ref.getUTCMonth() + 1;
  let day = ref.getUTCDate();
  let dated = false;
  const ymd = /(\d{4})[/-](\d{1,2})[/-](\d{1,2})/.exec(s) ?? /(\d{4})年(\d{1,2})月(\d{1,2})日/.exec(s);
  const md = ymd ? undefined : (/(\d{1,2})月(\d{1,2})日/.exec(s) ?? /(?:^|\s)(\d{1,2})\/(\d{1,2})(?=\s)/.exec(s));
  if (ymd) [y, mo, day, dated] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3]), true];
  else if (md) [mo, day, dated] = [Number(md[1]), Number(md[2]), true];
  const rest = ymd || md ? s.slice(s.indexOf((ymd ?? md)![0]) + (ymd ?? md)![0].length) : s;
  const hm = /(\d{1,2}):(\d{2})/.exec(rest) ?? /(\d{1,2})時(?:(\d{1,2})分|半)?/.exec(rest);
  if (!hm) return undefined;
  let h = Number(hm[1]);
  const m = hm[2] !== undefined ? Number(hm[2]) : /半/.test(hm[0]) ? 30 : 0;
  if (/午後|pm/i.test(rest) && h < 12) h += 12;
  if (/午前|am/i.test(rest) && h === 12) h = 0;
  if (h > 23 || m > 59 || mo < 1 || mo > 12 || day < 1 || day > 31) return undefined;
  let t = Date.UTC(y, mo - 1, day, h, m) - JST_MS;
  if (!dated && t > Date.parse(reportAt) + 60_000) t -= 86_400_000;
  return new Date(t);
}

/** Checks a report as it arrives: which fields count, and the jargon in what the public reads. */
export function checkReport(ctx: ReportingContext, t: ReportingTeam, e: Ev<ReportEvent>): ReportCheck {
  const r = ctx.rules.reporting;
  const problems: Partial<Record<ReportField, string>> = {};
  const missing: ReportField[] = [];
  for (const f of REPORT_FIELDS) {
    const v = e.fields[f];
    if (!filled(v, r.minFieldChars)) {
      missing.push(f);
      continue;
    }
    if (f === 'occurredAt') {
      const d = parseOccurredAt(v, e.at);
      if (!d) problems[f] = 'time-unreadable';
      else if (d.getTime() > Date.parse(e.at) + 60_000) problems[f] = 'time-in-future';
    }
    // a cause says what the team found: it counts once the team has a finding that matched
    if (f === 'cause' && !t.creditedFindings.some((x) => x.seq < e.seq)) problems[f] = 'no-finding';
    if (problems[f]) missing.push(f);
  }
  // plain words are for the public (guideline ⑥); a report to management or the ministry may use the trade's words
  const forPublic = (e.recipients ?? []).includes('public');
  const hits =
    ctx.glossary && forPublic
      ? REPORT_FIELDS.flatMap((f) => checkPlainLanguage(e.fields[f], e.language, ctx.glossary!))
      : [];
  const jargon = distinctTerms(hits).map((term) => {
    const h = hits.find((x) => x.term === term)!;
    return `${h.found} → ${h.plain}`;
  });
  return { missing, problems, jargon };
}

/** When the report clock started, per the course's `clockStartsAt`. */
export function clockStart(rules: Rules, t: ReportingTeam): (Seq & { step?: string }) | undefined {
  switch (rules.reporting.clockStartsAt) {
    case 'impact':
      return t.impact;
    case 'first-finding':
      return t.firstFinding;
    case 'first-effect': {
      const [a, b] = [t.effect, t.impact];
      if (!a || !b) return a ?? b;
      return a.at <= b.at ? a : b;
    }
  }
}

const isPublicWeb = (e: ReportEvent) => (e.recipients ?? []).includes('public') && (e.channels ?? []).includes('web');

const fold = (s: string) =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u3000]+/g, '');

/** The page shows report `r`: at least two of its filled fields (all, when it has fewer), word for word. */
export function pageShows(text: string, r: ReportEvent): boolean {
  const page = fold(text);
  const parts = REPORT_FIELDS.map((f) => fold(r.fields[f])).filter((v) => v.length >= 2);
  if (!parts.length) return false;
  const shown = parts.filter((p) => page.includes(p)).length;
  return shown >= Math.min(2, parts.length);
}

/** Every reporting item of a team at `now` (`end`: the exercise's end or now). */
export function reportingItems<I>(
  ctx: ReportingContext,
  t: ReportingTeam,
  clock: ExerciseClock,
  now: string,
  end: string,
  item: ItemFn<I>,
): I[] {
  const r = ctx.rules.reporting;
  const out: I[] = [];
  const xm = (from: string, to: string) => exerciseMinutes(clock, t.speeds, from, to);
  const add = (from: string, m: number) => addExerciseMinutes(clock, t.speeds, from, m);
  const start = clockStart(ctx.rules, t);
  // a deadline held by an open pause has not come yet
  const deadline = start ? add(start.at, r.firstDeadlineMinutes) : undefined;
  const [first, ...rest] = t.reports;
  if (!first) {
    if (deadline && now > deadline)
      out.push(item('reporting', 0, 'reporting.first.overdue', { deadline }, undefined, deadline, start?.step));
  } else if (!start || !deadline || first.at <= deadline) {
    out.push(
      item(
        'reporting',
        r.firstOnTimePoints,
        'reporting.first.on-time',
        { report: first.id, ...(deadline ? { deadline } : {}) },
        first,
        first.at,
      ),
    );
  } else {
    out.push(
      item(
        'reporting',
        r.firstLatePoints,
        'reporting.first.late',
        { report: first.id, deadline, minutesLate: round2(xm(deadline, first.at)) },
        first,
        first.at,
      ),
    );
  }
  if (!first) return out;
  const credited: Ev<ReportEvent>[] = [first];
  let prev = first;
  let lastCredited = first;
  let closed = first.kind === 'final';
  for (const rep of rest) {
    if (closed) break;
    const due = add(prev.at, r.updateIntervalMinutes) ?? rep.at;
    if (rep.at > due) {
      const missed = Math.max(1, Math.ceil(xm(due, rep.at) / r.updateIntervalMinutes));
      out.push(
        item(
          'reporting',
          -r.missedUpdatePenalty * missed,
          'reporting.update.late',
          { report: rep.id, due, missed },
          rep,
          rep.at,
        ),
      );
    }
    const spaced = minutesBetween(lastCredited.at, rep.at) >= r.updateMinGapMinutes;
    if (spaced || rep.kind === 'final') {
      credited.push(rep);
      lastCredited = rep;
      if (rep.at <= due)
        out.push(
          item('reporting', r.updateOnTimePoints, 'reporting.update.on-time', { report: rep.id, due }, rep, rep.at),
        );
    }
    prev = rep;
    closed = rep.kind === 'final';
  }
  if (!closed) {
    const due = add(prev.at, r.updateIntervalMinutes);
    if (due && end > due) {
      const missed = Math.max(1, Math.ceil(xm(due, end) / r.updateIntervalMinutes));
      out.push(
        item('reporting', -r.missedUpdatePenalty * missed, 'reporting.update.overdue', { due, missed }, undefined, due),
      );
    }
  }
  for (const rep of credited) {
    const { missing, problems, jargon } = t.reportChecks.get(rep.id)!;
    const n = REPORT_FIELDS.length - missing.length;
    out.push(
      item(
        'reporting',
        r.fieldPoints * n,
        'reporting.fields',
        {
          report: rep.id,
          filled: n,
          missing,
          ...(Object.keys(problems).length ? { problems: Object.entries(problems).map(([f, p]) => `${f}:${p}`) } : {}),
        },
        rep,
        rep.at,
      ),
    );
    if (jargon.length)
      out.push(
        item(
          'reporting',
          -Math.min(r.jargonMaxPerReport, r.jargonPenalty * jargon.length),
          'reporting.jargon',
          { report: rep.id, terms: jargon },
          rep,
          rep.at,
        ),
      );
  }
  out.push(...recipientItems(ctx, t, deadline, now, item));
  out.push(...noticeItems(ctx, t, end, item));
  for (const rep of t.reports) {
    const g = t.grades.get(rep.id);
    if (g)
      out.push(
        item(
          'reporting',
          r.gradePoints * g.grade,
          'reporting.grade',
          { report: rep.id, grade: g.grade, by: g.by, comment: g.comment },
          g,
          g.at,
        ),
      );
  }
  return out;
}

/** Each recipient the course requires, told by the first-report deadline (guideline ①). */
function recipientItems<I>(
  ctx: ReportingContext,
  t: ReportingTeam,
  deadline: string | undefined,
  now: string,
  item: ItemFn<I>,
): I[] {
  const r = ctx.rules.reporting;
  // reports that name no recipient (older clients) are not scored on recipients
  if (!t.reports.some((x) => x.recipients?.length)) return [];
  const out: I[] = [];
  for (const who of r.requiredRecipients) {
    const rep = t.reports.find((x) => (x.recipients ?? []).includes(who));
    if (rep && (!deadline || rep.at <= deadline))
      out.push(
        item(
          'reporting',
          r.recipientPoints,
          'reporting.recipient.told',
          { recipient: who, report: rep.id },
          rep,
          rep.at,
        ),
      );
    else if (rep)
      out.push(
        item(
          'reporting',
          0,
          'reporting.recipient.late',
          { recipient: who, report: rep.id, deadline: deadline! },
          rep,
          rep.at,
        ),
      );
    else if (deadline && now > deadline)
      out.push(item('reporting', 0, 'reporting.recipient.missing', { recipient: who, deadline }, undefined, deadline));
  }
  return out;
}

/**
 * The notice on the team's own web site (guideline ④: on the top page, kept there, updated):
 * seen with the text of a public report posted on the web, each later public report shown there,
 * and a notice that vanished before the final report costs points each time it went.
 */
function noticeItems<I>(ctx: ReportingContext, t: ReportingTeam, end: string, item: ItemFn<I>): I[] {
  const r = ctx.rules.reporting;
  const web = t.reports.filter(isPublicWeb);
  if (!web.length) return [];
  const out: I[] = [];
  const final = t.reports.find((x) => x.kind === 'final');
  let up = false;
  let posted = false;
  let lastShown: Ev<ReportEvent> = web[0]!;
  const shownReports = new Set<string>();
  for (const o of t.notices) {
    if (o.at > end) break;
    const published = web.filter((x) => x.at <= o.at);
    const shows = o.status === 200 ? published.filter((x) => pageShows(o.text, x)) : [];
    if (shows.length) {
      if (!posted) {
        posted = true;
        // items point at the team's own report (the observation is the checker's, not theirs)
        out.push(
          item(
            'reporting',
            r.noticePostedPoints,
            'reporting.notice.posted',
            { report: shows.at(-1)!.id, url: o.url },
            shows.at(-1)!,
            o.at,
          ),
        );
      }
      for (const x of shows) {
        if (x === web[0] || shownReports.has(x.id)) continue;
        shownReports.add(x.id);
        out.push(
          item('reporting', r.noticeUpdatedPoints, 'reporting.notice.updated', { report: x.id, url: o.url }, x, o.at),
        );
      }
      lastShown = shows.at(-1)!;
      up = true;
    } else if (up) {
      up = false;
      // after the final report the notice may come down
      if (!final || o.at < final.at)
        out.push(
          item(
            'reporting',
            -r.noticeTakenDownPenalty,
            'reporting.notice.taken-down',
            { report: lastShown.id, url: o.url, status: o.status },
            lastShown,
            o.at,
          ),
        );
    }
  }
  return out;
}

/**
 * The team's report deadlines at `now`, as the scoring counts them: what the trainee's
 * countdown shows. While a pause holds the clock the dues are absent and the time left is given.
 */
export function reportDeadlines(
  rules: Rules,
  t: ReportingTeam | undefined,
  clock: ExerciseClock,
  now: string,
): ReportDeadlines {
  if (!t) return {};
  const r = rules.reporting;
  const start = clockStart(rules, t);
  const paused = clock.pauses.some((p) => p.to === undefined);
  const speed = [...t.speeds].filter((s) => s.from <= now).at(-1)?.speed ?? 1;
  const [first] = t.reports;
  const last = t.reports.at(-1);
  const closed = t.reports.some((x) => x.kind === 'final');
  const left = (from: string, minutes: number) =>
    Math.max(0, Math.round((minutes - exerciseMinutes(clock, t.speeds, from, now)) * 60));
  const firstDue = start ? addExerciseMinutes(clock, t.speeds, start.at, r.firstDeadlineMinutes) : undefined;
  const nextDue = last && !closed ? addExerciseMinutes(clock, t.speeds, last.at, r.updateIntervalMinutes) : undefined;
  return {
    ...(firstDue ? { firstReportDue: firstDue } : {}),
    ...(first ? { firstReportAt: new Date(Date.parse(first.at)).toISOString() } : {}),
    ...(nextDue ? { nextUpdateDue: nextDue } : {}),
    ...(paused ? { paused: true } : {}),
    ...(paused && start && !first ? { firstReportLeftS: left(start.at, r.firstDeadlineMinutes) } : {}),
    ...(paused && last && !closed ? { nextUpdateLeftS: left(last.at, r.updateIntervalMinutes) } : {}),
    ...(speed !== 1 ? { speed } : {}),
    ...(closed ? { closed: true } : {}),
    ...(t.reports.length ? { sentKinds: t.reports.map((x) => x.kind) } : {}),
  };
}
