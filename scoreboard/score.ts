/**
 * The four-phase score as a pure fold over the event log. `foldEvent` takes one event into a
 * state (what the server does as events arrive); `finish` turns a state into scores at a time
 * `now` (deadlines and outages depend on it). `computeScores` is both over a whole log, so the
 * batch and incremental forms cannot drift apart. No I/O, no clock: time comes from events and `now`.
 */
import { activeMinutes, addActiveMinutes, type ExerciseClock } from './clock.js';
import { decayFactor, minutesBetween, round2 } from './decay.js';
import {
  type AttackStepEvent,
  type CheckResultEvent,
  type EnshuEvent,
  type FindingEvent,
  type HintEvent,
  type ReportEvent,
  type ReportGradeEvent,
  type StoredEvent,
  checkPlainLanguage,
  distinctTerms,
  type Glossary,
  type IndicatorType,
  PHASES,
  REPORT_FIELDS,
  type Phase,
} from '../protocol/index.js';
import { indicatorMatches, normalizeIndicator } from './normalize.js';
import type { Rules } from './rules/schema.js';
import type { CheckSpec, GroundTruth, StepTruth } from '../core/index.js';
import { injectItems } from './inject-items.js';

export type ReasonParams = Record<string, string | number | boolean | string[]>;

/** One earned or lost amount, with the event that caused it (none for a deadline that passed). */
export interface ScoreItem {
  phase: Phase;
  /** weighted points (what the phase sums) */
  points: number;
  /** points before the phase weight */
  raw: number;
  /** reason code; `describeItem` renders it in ja or en */
  code: string;
  params: ReasonParams;
  /** log position of the event behind the item */
  eventSeq?: number;
  at: string;
  step?: string;
}

export interface TeamResult {
  team: string;
  total: number;
  phases: Record<Phase, number>;
  /** 1 = best; equal totals share a rank */
  rank: number;
  items: ScoreItem[];
}

export interface ScoreContext {
  rules: Rules;
  truth: Record<string, GroundTruth>;
  /** glossary for the plain-language check of reports (no check without it) */
  glossary?: Glossary;
  /** the moment scores are computed for; defaults to the newest event's time */
  now?: string;
  /** score only events up to this time (a frozen board) */
  frozenAt?: string;
}

type Seq = { seq: number; at: string };
type Ev<T extends EnshuEvent = EnshuEvent> = T & { seq: number };

interface CheckState {
  passed?: boolean;
  at?: string;
}

interface Outage {
  from: string;
  fromSeq: number;
  to?: string;
}

interface TeamState {
  team: string;
  /** first time each step happened */
  happened: Map<string, Seq & { outcome: string }>;
  impact?: Seq & { step: string };
  indicatorsCredited: Set<string>;
  techniquesCredited: Set<string>;
  findingIds: Set<string>;
  falsePositives: number;
  checks: Map<string, CheckState>;
  checksCredited: Set<string>;
  outages: Map<string, Outage[]>;
  reports: Ev<ReportEvent>[];
  /** missing guideline fields and jargon ("term → plain") of each report, found when it arrives */
  reportChecks: Map<string, { missing: string[]; jargon: string[] }>;
  grades: Map<string, Ev<ReportGradeEvent>>;
  hints: Set<string>;
  /** items decided as events arrive (detection, checks, hints) */
  items: ScoreItem[];
}

export interface ScoreState {
  teams: Map<string, TeamState>;
  clock: ExerciseClock;
  /** newest event time folded (events arriving older than this force a re-fold) */
  lastAt: string;
  lastSeq: number;
  events: Ev[];
}

const newTeam = (team: string): TeamState => ({
  team,
  happened: new Map(),
  indicatorsCredited: new Set(),
  techniquesCredited: new Set(),
  findingIds: new Set(),
  falsePositives: 0,
  checks: new Map(),
  checksCredited: new Set(),
  outages: new Map(),
  reports: [],
  reportChecks: new Map(),
  grades: new Map(),
  hints: new Set(),
  items: [],
});

export function emptyState(): ScoreState {
  return { teams: new Map(), clock: { pauses: [] }, lastAt: '', lastSeq: 0, events: [] };
}

function item(
  ctx: ScoreContext,
  phase: Phase,
  raw: number,
  code: string,
  params: ReasonParams,
  ev: Seq | undefined,
  at: string,
  step?: string,
): ScoreItem {
  const r = round2(raw);
  return {
    phase,
    points: round2(r * ctx.rules.weights[phase]),
    raw: r,
    code,
    params,
    ...(ev ? { eventSeq: ev.seq } : {}),
    at,
    ...(step ? { step } : {}),
  };
}

function teamOf(state: ScoreState, team: string): TeamState {
  let t = state.teams.get(team);
  if (!t) state.teams.set(team, (t = newTeam(team)));
  return t;
}

const stepsOf = (ctx: ScoreContext, team: string): StepTruth[] => ctx.truth[team]?.steps ?? [];

function checkSpec(ctx: ScoreContext, team: string, id: string): CheckSpec | undefined {
  const g = ctx.truth[team];
  if (!g) return undefined;
  for (const s of g.steps) for (const c of [...s.containment, ...s.recovery]) if (c.id === id) return c;
  return g.availability.find((c) => c.id === id);
}

const parentOf = (technique: string) => technique.split('.')[0]!;

function onAttackStep(ctx: ScoreContext, t: TeamState, e: Ev<AttackStepEvent>): void {
  if (!ctx.rules.happened.includes(e.outcome) || t.happened.has(e.step)) return;
  t.happened.set(e.step, { seq: e.seq, at: e.at, outcome: e.outcome });
  const truthStep = stepsOf(ctx, t.team).find((s) => s.id === e.step);
  if (!t.impact && e.outcome === 'succeeded' && (e.impact || truthStep?.impact))
    t.impact = { seq: e.seq, at: e.at, step: e.step };
  // the team stopped the step before it worked: containment already in place counts in full
  if (e.outcome !== 'blocked' || !truthStep) return;
  for (const c of truthStep.containment) {
    if (t.checks.get(c.id)?.passed && !t.checksCredited.has(c.id)) {
      t.checksCredited.add(c.id);
      const pts = ctx.rules.response.pointsByCheck[c.id] ?? ctx.rules.response.containmentPoints;
      t.items.push(
        item(ctx, 'response', pts, 'response.containment', { check: c.id, decay: 1, proactive: true }, e, e.at, e.step),
      );
    }
  }
}

function onFinding(ctx: ScoreContext, t: TeamState, e: Ev<FindingEvent>, clock: ExerciseClock): void {
  if (t.findingIds.has(e.id)) return;
  t.findingIds.add(e.id);
  const r = ctx.rules.detection;
  const steps = stepsOf(ctx, t.team);
  const happenedAt = (s: StepTruth) => t.happened.get(s.id)?.at;
  let matched = false;
  let future = false;
  if (e.indicatorType && e.value) {
    const found = { type: e.indicatorType, value: e.value };
    const candidates: { key: string; type: IndicatorType; value: string; step: StepTruth; since: string }[] = [];
    for (const s of steps) {
      for (const ind of s.indicators) {
        if (!indicatorMatches(found, ind)) continue;
        const since = happenedAt(s);
        if (since)
          candidates.push({
            key: `${ind.type}|${normalizeIndicator(ind.type, ind.value)}`,
            type: ind.type,
            value: ind.value,
            step: s,
            since,
          });
        else future = true;
      }
    }
    // prefer what is not credited yet, then the indicator of the submitted type, then the earliest step:
    // a URL credits the URL indicator even though its host is also a credited address
    const rank = (c: (typeof candidates)[number]) =>
      [t.indicatorsCredited.has(c.key) ? 1 : 0, c.type === found.type ? 0 : 1] as const;
    const best = candidates.sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return ra[0] - rb[0] || ra[1] - rb[1] || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0);
    })[0];
    if (best) {
      matched = true;
      if (t.indicatorsCredited.has(best.key)) {
        t.items.push(
          item(
            ctx,
            'detection',
            0,
            'detection.duplicate',
            { finding: e.id, type: best.type, value: best.value },
            e,
            e.at,
            best.step.id,
          ),
        );
      } else {
        t.indicatorsCredited.add(best.key);
        // an indicator seen in several steps is timed from its earliest one
        const since = candidates
          .filter((c) => c.key === best.key)
          .map((c) => c.since)
          .sort()[0]!;
        const decay = decayFactor(activeMinutes(clock, since, e.at), ctx.rules.decay);
        const pts = (r.indicatorPointsByType[best.type] ?? r.indicatorPoints) * decay;
        t.items.push(
          item(
            ctx,
            'detection',
            pts,
            'detection.indicator',
            { finding: e.id, type: best.type, value: best.value, decay: round3(decay) },
            e,
            e.at,
            best.step.id,
          ),
        );
      }
    }
  }
  if (e.technique) {
    const exact = steps.filter((s) => s.technique === e.technique);
    // naming the parent technique (T1071 for T1071.001) earns part of the points
    const parent = e.technique.includes('.')
      ? []
      : steps.filter((s) => s.technique !== e.technique && parentOf(s.technique) === e.technique);
    const candidates = [
      ...exact.map((s) => ({ s, fraction: 1 })),
      ...parent.map((s) => ({ s, fraction: r.parentTechniqueFraction })),
    ];
    const happened = candidates.filter((c) => happenedAt(c.s));
    if (candidates.length > happened.length) future = true;
    if (happened.length) {
      matched = true;
      const open = happened.find((c) => !t.techniquesCredited.has(c.s.id));
      if (!open) {
        t.items.push(
          item(
            ctx,
            'detection',
            0,
            'detection.duplicate',
            { finding: e.id, technique: e.technique },
            e,
            e.at,
            happened[0]!.s.id,
          ),
        );
      } else {
        t.techniquesCredited.add(open.s.id);
        const decay = decayFactor(activeMinutes(clock, happenedAt(open.s)!, e.at), ctx.rules.decay);
        t.items.push(
          item(
            ctx,
            'detection',
            r.techniquePoints * open.fraction * decay,
            'detection.technique',
            {
              finding: e.id,
              technique: e.technique,
              stepTechnique: open.s.technique,
              fraction: open.fraction,
              decay: round3(decay),
            },
            e,
            e.at,
            open.s.id,
          ),
        );
      }
    }
  }
  if (matched || (!e.technique && !(e.indicatorType && e.value))) return;
  t.falsePositives += 1;
  const capped = r.falsePositiveMax > 0 && t.falsePositives > r.falsePositiveMax;
  t.items.push(
    item(
      ctx,
      'detection',
      capped ? 0 : -r.falsePositivePenalty,
      'detection.false-positive',
      { finding: e.id, reason: future ? 'not-happened-yet' : 'no-match', capped },
      e,
      e.at,
    ),
  );
}

function onCheck(ctx: ScoreContext, t: TeamState, e: Ev<CheckResultEvent>, clock: ExerciseClock): void {
  if (e.kind === 'availability') {
    const list = t.outages.get(e.check) ?? [];
    t.outages.set(e.check, list);
    const open = list.at(-1);
    const down = open !== undefined && open.to === undefined;
    if (!e.passed && !down) list.push({ from: e.at, fromSeq: e.seq });
    if (e.passed && down) open.to = e.at;
    return;
  }
  const prev = t.checks.get(e.check);
  t.checks.set(e.check, { passed: e.passed, at: e.at });
  if (!e.passed || prev?.passed || t.checksCredited.has(e.check)) return;
  const step = checkSpec(ctx, t.team, e.check)?.step ?? e.step;
  const since = step ? t.happened.get(step) : undefined;
  // a check that passes before its step happened proves nothing yet
  if (!step || !since) return;
  t.checksCredited.add(e.check);
  const decay = decayFactor(activeMinutes(clock, since.at, e.at), ctx.rules.decay);
  if (e.kind === 'containment') {
    const pts = ctx.rules.response.pointsByCheck[e.check] ?? ctx.rules.response.containmentPoints;
    t.items.push(
      item(
        ctx,
        'response',
        pts * decay,
        'response.containment',
        { check: e.check, decay: round3(decay) },
        e,
        e.at,
        step,
      ),
    );
  } else {
    const pts = ctx.rules.recovery.pointsByCheck[e.check] ?? ctx.rules.recovery.recoveryPoints;
    t.items.push(
      item(ctx, 'recovery', pts * decay, 'recovery.check', { check: e.check, decay: round3(decay) }, e, e.at, step),
    );
  }
}

function onHint(ctx: ScoreContext, t: TeamState, e: Ev<HintEvent>): void {
  const key = `${e.step}|${e.hint}`;
  if (t.hints.has(key)) return;
  t.hints.add(key);
  const factor = e.type === 'hint.bought' ? ctx.rules.hints.boughtFactor : ctx.rules.hints.releasedFactor;
  const cost = e.cost * factor;
  if (cost > 0) t.items.push(item(ctx, ctx.rules.hints.phase, -cost, e.type, { hint: e.hint, cost }, e, e.at, e.step));
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Folds one event into the state (mutates and returns it). */
export function foldEvent(state: ScoreState, event: EnshuEvent | StoredEvent, ctx: ScoreContext): ScoreState {
  const e = {
    ...event,
    at: isoZ(event.at),
    seq: 'seq' in event && typeof event.seq === 'number' ? event.seq : state.lastSeq + 1,
  } as Ev;
  if (ctx.frozenAt && e.at > isoZ(ctx.frozenAt)) return state;
  const late = state.lastAt !== '' && e.at < state.lastAt;
  state.events.push(e);
  state.lastSeq = Math.max(state.lastSeq, e.seq);
  if (!late) {
    state.lastAt = e.at;
    applyEvent(state, e, ctx);
  } else if ('team' in e && typeof e.team === 'string') {
    // an event older than what was folded (a late append): teams score apart, so only its team
    // is folded again, in time order
    state.teams.set(e.team, newTeam(e.team));
    for (const x of sortEvents(state.events.filter((y) => 'team' in y && y.team === e.team))) applyEvent(state, x, ctx);
  } else {
    const fresh = emptyState();
    for (const x of sortEvents(state.events)) foldEvent(fresh, x, ctx);
    Object.assign(state, fresh);
  }
  return state;
}

/** The clock as it stood at `at` (a team folded again must see the pauses it saw the first time). */
function clockAt(clock: ExerciseClock, at: string): ExerciseClock {
  return {
    ...(clock.started && clock.started <= at ? { started: clock.started } : {}),
    pauses: clock.pauses
      .filter((p) => p.from <= at)
      .map((p) => (p.to !== undefined && p.to <= at ? p : { from: p.from })),
  };
}

function applyEvent(state: ScoreState, e: Ev, ctx: ScoreContext): void {
  switch (e.type) {
    case 'exercise.started':
      state.clock.started ??= e.at;
      break;
    case 'exercise.paused':
      if (!state.clock.pauses.some((p) => p.to === undefined)) state.clock.pauses.push({ from: e.at });
      break;
    case 'exercise.resumed': {
      const open = state.clock.pauses.find((p) => p.to === undefined);
      if (open) open.to = e.at;
      break;
    }
    case 'exercise.ended':
      state.clock.ended ??= e.at;
      break;
    case 'attack.step':
      onAttackStep(ctx, teamOf(state, e.team), e as Ev<AttackStepEvent>);
      break;
    case 'finding.submitted':
      onFinding(ctx, teamOf(state, e.team), e as Ev<FindingEvent>, clockAt(state.clock, e.at));
      break;
    case 'check.result':
      onCheck(ctx, teamOf(state, e.team), e as Ev<CheckResultEvent>, clockAt(state.clock, e.at));
      break;
    case 'report.submitted':
      onReport(ctx, teamOf(state, e.team), e as Ev<ReportEvent>);
      break;
    case 'report.graded':
      teamOf(state, e.team).grades.set((e as Ev<ReportGradeEvent>).report, e as Ev<ReportGradeEvent>);
      break;
    case 'hint.bought':
    case 'hint.released':
      onHint(ctx, teamOf(state, e.team), e as Ev<HintEvent>);
      break;
    default:
      // response actions and recovery declarations earn nothing on their own (they stay in the timeline)
      if ('team' in e && typeof e.team === 'string') teamOf(state, e.team);
  }
}

/** Events in the order the fold reads them: by time, then by log position. */
export function sortEvents<T extends EnshuEvent | StoredEvent>(events: readonly T[]): Ev[] {
  const withSeq = events.map(
    (e, i) => ({ ...e, at: isoZ(e.at), seq: 'seq' in e && typeof e.seq === 'number' ? e.seq : i + 1 }) as Ev,
  );
  return withSeq.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
}

const PLACEHOLDERS = new Set(['-', '--', '—', 'n/a', 'na', 'tbd', 'todo', '?', '...', '…', 'xxx', '未記入', '-なし-']);

function filled(value: string, minChars: number): boolean {
  const v = value.trim();
  return v.length >= minChars && !PLACEHOLDERS.has(v.toLowerCase());
}

function onReport(ctx: ScoreContext, t: TeamState, e: Ev<ReportEvent>): void {
  // a report id submitted again is the same report
  if (t.reportChecks.has(e.id)) return;
  t.reports.push(e);
  const missing = REPORT_FIELDS.filter((f) => !filled(e.fields[f], ctx.rules.reporting.minFieldChars));
  const hits = ctx.glossary
    ? REPORT_FIELDS.flatMap((f) => checkPlainLanguage(e.fields[f], e.language, ctx.glossary!))
    : [];
  const jargon = distinctTerms(hits).map((term) => {
    const h = hits.find((x) => x.term === term)!;
    return `${h.found} → ${h.plain}`;
  });
  t.reportChecks.set(e.id, { missing, jargon });
}

function reportingItems(ctx: ScoreContext, t: TeamState, clock: ExerciseClock, now: string, end: string): ScoreItem[] {
  const r = ctx.rules.reporting;
  const out: ScoreItem[] = [];
  // a deadline held by an open pause has not come yet
  const deadline = t.impact ? addActiveMinutes(clock, t.impact.at, r.firstDeadlineMinutes) : undefined;
  const [first, ...rest] = t.reports;
  if (!first) {
    if (deadline && now > deadline)
      out.push(item(ctx, 'reporting', 0, 'reporting.first.overdue', { deadline }, undefined, deadline, t.impact?.step));
  } else if (!t.impact || !deadline || first.at <= deadline) {
    out.push(
      item(
        ctx,
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
        ctx,
        'reporting',
        r.firstLatePoints,
        'reporting.first.late',
        { report: first.id, deadline, minutesLate: round2(activeMinutes(clock, deadline, first.at)) },
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
    const due = addActiveMinutes(clock, prev.at, r.updateIntervalMinutes) ?? rep.at;
    if (rep.at > due) {
      const missed = Math.max(1, Math.ceil(activeMinutes(clock, due, rep.at) / r.updateIntervalMinutes));
      out.push(
        item(
          ctx,
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
          item(
            ctx,
            'reporting',
            r.updateOnTimePoints,
            'reporting.update.on-time',
            { report: rep.id, due },
            rep,
            rep.at,
          ),
        );
    }
    prev = rep;
    closed = rep.kind === 'final';
  }
  if (!closed) {
    const due = addActiveMinutes(clock, prev.at, r.updateIntervalMinutes);
    if (due && end > due) {
      const missed = Math.max(1, Math.ceil(activeMinutes(clock, due, end) / r.updateIntervalMinutes));
      out.push(
        item(
          ctx,
          'reporting',
          -r.missedUpdatePenalty * missed,
          'reporting.update.overdue',
          { due, missed },
          undefined,
          due,
        ),
      );
    }
  }
  for (const rep of credited) {
    const { missing, jargon } = t.reportChecks.get(rep.id)!;
    const n = REPORT_FIELDS.length - missing.length;
    out.push(
      item(
        ctx,
        'reporting',
        r.fieldPoints * n,
        'reporting.fields',
        { report: rep.id, filled: n, missing },
        rep,
        rep.at,
      ),
    );
    if (jargon.length)
      out.push(
        item(
          ctx,
          'reporting',
          -Math.min(r.jargonMaxPerReport, r.jargonPenalty * jargon.length),
          'reporting.jargon',
          { report: rep.id, terms: jargon },
          rep,
          rep.at,
        ),
      );
  }
  for (const rep of t.reports) {
    const g = t.grades.get(rep.id);
    if (g)
      out.push(
        item(
          ctx,
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

function availabilityItems(ctx: ScoreContext, t: TeamState, clock: ExerciseClock, end: string): ScoreItem[] {
  const a = ctx.rules.recovery.availability;
  const out: ScoreItem[] = [];
  for (const [check, outages] of [...t.outages.entries()].sort(([x], [y]) => x.localeCompare(y))) {
    let charged = 0;
    for (const o of outages) {
      if (o.from >= end) continue;
      const to = o.to && o.to < end ? o.to : end;
      const minutes = activeMinutes(clock, o.from, to);
      let cost = Math.max(0, minutes - a.graceMinutes) * a.penaltyPerMinute;
      if (a.maxPenaltyPerCheck > 0) cost = Math.min(cost, a.maxPenaltyPerCheck - charged);
      if (cost <= 0) continue;
      charged += cost;
      out.push(
        item(
          ctx,
          'recovery',
          -cost,
          'recovery.availability',
          { check, from: o.from, to: o.to && o.to < end ? o.to : 'ongoing', minutes: round2(minutes) },
          { seq: o.fromSeq, at: o.from },
          o.from,
        ),
      );
    }
  }
  return out;
}

/** Times compare as strings only in one form: UTC with milliseconds. */
export const isoZ = (s: string): string => new Date(Date.parse(s)).toISOString();

/** The scores of every team known to the ground truth or seen in the log, at `now`. */
export function finish(state: ScoreState, ctx: ScoreContext): TeamResult[] {
  let now = isoZ(ctx.now ?? (state.lastAt || new Date(0).toISOString()));
  if (ctx.frozenAt && now > isoZ(ctx.frozenAt)) now = isoZ(ctx.frozenAt);
  const end = state.clock.ended && state.clock.ended < now ? state.clock.ended : now;
  const teams = new Set([...Object.keys(ctx.truth), ...state.teams.keys()]);
  const results = [...teams].sort().map((team): Omit<TeamResult, 'rank'> => {
    const t = state.teams.get(team) ?? newTeam(team);
    const items = [
      ...t.items,
      ...reportingItems(ctx, t, state.clock, now, end),
      ...availabilityItems(ctx, t, state.clock, end),
      ...injectItems(ctx.rules.weights.reporting, state.events, team, end),
    ];
    const phases = { detection: 0, response: 0, reporting: 0, recovery: 0 };
    for (const i of items) phases[i.phase] += i.points;
    for (const p of PHASES) phases[p] = round2(phases[p]);
    return { team, total: round2(PHASES.reduce((s, p) => s + phases[p], 0)), phases, items };
  });
  return results.map((r) => ({ ...r, rank: 1 + results.filter((o) => o.total > r.total).length }));
}

/** Incremental form: keep a state, fold events in as they come, `finish` when scores are wanted. */
export class ScoreFold {
  readonly state = emptyState();
  constructor(private readonly ctx: ScoreContext) {}
  add(event: EnshuEvent | StoredEvent): this {
    foldEvent(this.state, event, this.ctx);
    return this;
  }
  scores(now?: string): TeamResult[] {
    return finish(this.state, { ...this.ctx, ...(now ? { now } : {}) });
  }
}

/** Batch form: the scores of a whole log. */
export function computeScores(events: readonly (EnshuEvent | StoredEvent)[], ctx: ScoreContext): TeamResult[] {
  const state = emptyState();
  for (const e of sortEvents(events)) foldEvent(state, e, ctx);
  return finish(state, ctx);
}
