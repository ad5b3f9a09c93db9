/**
 * The four-phase score as a pure fold over the event log. `foldEvent` takes one event into a
 * state (what the server does as events arrive); `finish` turns a state into scores at a time
 * `now` (deadlines and outages depend on it). `computeScores` is both over a whole log, so the
 * batch and incremental forms cannot drift apart. No I/O, no clock: time comes from events and `now`.
 */
import { activeMinutes, withOutages, type ExerciseClock, type SpeedChange } from './clock.js';
import { decayFactor, round2 } from './decay.js';
import {
  type AttackStepEvent,
  type CheckResultEvent,
  type EnshuEvent,
  type FindingEvent,
  type HintEvent,
  type NoticeObservedEvent,
  type ReportEvent,
  type ReportGradeEvent,
  type StoredEvent,
  type Glossary,
  type IndicatorType,
  PHASES,
  type Phase,
  type ReportDeadlines,
} from '../protocol/index.js';
import {
  checkReport,
  reportDeadlines,
  reportingItems as reportingItemsOf,
  type ReportCheck,
  type ItemFn,
} from './reporting.js';
import { indicatorMatches, normalizeIndicator } from './normalize.js';
import type { Rules } from './rules/schema.js';
import type { CheckSpec, GroundTruth, StepTruth } from '../core/index.js';
import {
  heldByTeam,
  newCheckCredit,
  onCheckResult,
  onRangeEvent,
  rangeWhole,
  type CheckCredit,
} from './check-credit.js';
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
  /** which check results may earn (resets and outages in between take the credit away) */
  credit: CheckCredit;
  outages: Map<string, Outage[]>;
  /** the team's range degraded (engine watch): its time decay stands still meanwhile */
  down: { from: string; to?: string }[];
  reports: Ev<ReportEvent>[];
  /** missing guideline fields and jargon ("term → plain") of each report, found when it arrives */
  reportChecks: Map<string, ReportCheck>;
  /** reporting (reporting.ts): what starts the report clock, the team's attack speed, the web notice */
  effect?: Seq & { step: string };
  firstFinding?: Seq;
  creditedFindings: Seq[];
  speeds: SpeedChange[];
  notices: Ev<NoticeObservedEvent>[];
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
  /** teams sent an inject (only they can have inject items: `finish` reads the log for no other) */
  injected: Set<string>;
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
  credit: newCheckCredit(),
  outages: new Map(),
  down: [],
  reports: [],
  reportChecks: new Map(),
  creditedFindings: [],
  speeds: [],
  notices: [],
  grades: new Map(),
  hints: new Set(),
  items: [],
});

export function emptyState(): ScoreState {
  return { teams: new Map(), clock: { pauses: [] }, lastAt: '', lastSeq: 0, events: [], injected: new Set() };
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
  // the incident occurred once the team could notice something, even if the step was stopped
  if (!t.effect && (e.impact || truthStep?.impact || (truthStep?.indicators.length ?? 0) > 0))
    t.effect = { seq: e.seq, at: e.at, step: e.step };
  // the team stopped the step before it worked: containment already in place counts in full
  if (e.outcome !== 'blocked' || !truthStep) return;
  for (const c of truthStep.containment) {
    if (t.checks.get(c.id)?.passed && heldByTeam(t.credit, c.id) && !t.checksCredited.has(c.id)) {
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
    // while the range is being reset or the infrastructure is down, the team is not charged
    if (!e.passed && !down && rangeWhole(t.credit)) list.push({ from: e.at, fromSeq: e.seq });
    if (e.passed && down) open.to = e.at;
    return;
  }
  t.checks.set(e.check, { passed: e.passed, at: e.at });
  const step = checkSpec(ctx, t.team, e.check)?.step ?? e.step;
  const since = step ? t.happened.get(step) : undefined;
  // only a turn to true the team made earns: seen false since the step, no reset or outage between
  const earned = onCheckResult(t.credit, e.check, e.passed, !!since);
  if (!earned || t.checksCredited.has(e.check) || !step || !since) return;
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

/** A reset or outage: credit stops (check-credit.ts) and services down meanwhile are not charged. */
function onRangeChange(t: TeamState, e: Ev): void {
  onRangeEvent(t.credit, e);
  if (rangeWhole(t.credit)) return;
  for (const list of t.outages.values()) {
    const open = list.at(-1);
    if (open && open.to === undefined) open.to = e.at;
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
  if (e.type === 'inject.sent') state.injected.add(e.team);
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

/** A team's clock at `at`: the exercise's pauses and the team's own outages until then. */
function teamClockAt(state: ScoreState, team: string, at: string): ExerciseClock {
  return clockAt(withOutages(state.clock, teamOf(state, team).down), at);
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
    case 'finding.submitted': {
      const t = teamOf(state, e.team);
      const n = t.items.length;
      t.firstFinding ??= { seq: e.seq, at: e.at };
      onFinding(ctx, t, e as Ev<FindingEvent>, teamClockAt(state, e.team, e.at));
      if (t.items.slice(n).some((i) => i.code !== 'detection.false-positive'))
        t.creditedFindings.push({ seq: e.seq, at: e.at });
      break;
    }
    case 'notice.observed':
      teamOf(state, e.team).notices.push(e as Ev<NoticeObservedEvent>);
      break;
    case 'check.result':
      onCheck(ctx, teamOf(state, e.team), e as Ev<CheckResultEvent>, teamClockAt(state, e.team, e.at));
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
    case 'attack.restart':
    case 'attack.started':
    case 'attack.speed':
    case 'attack.resumed':
    case 'attack.restored':
    case 'attack.finished':
    case 'attack.stopped': {
      // the team's exercise clock runs at its attack's speed (report deadlines follow it); once the
      // scripted attack is over nothing is left to compress: what remains is the team's own work
      const t = teamOf(state, e.team);
      const over = e.type === 'attack.finished' || e.type === 'attack.stopped';
      const speed = over ? 1 : 'speed' in e ? e.speed : undefined;
      if (speed !== undefined && speed !== (t.speeds.at(-1)?.speed ?? 1)) t.speeds.push({ from: e.at, speed });
      // an instructor's restart undoes the attack's traces: like a reset, that earns nothing
      if (e.type === 'attack.restart' || e.type === 'attack.started') onRangeChange(t, e);
      break;
    }
    case 'range.degraded':
    case 'range.restored': {
      const t = teamOf(state, e.team);
      const open = t.down.at(-1)?.to === undefined ? t.down.at(-1) : undefined;
      if (e.type === 'range.degraded' && !open) t.down.push({ from: e.at });
      if (e.type === 'range.restored' && open) open.to = e.at;
      onRangeChange(t, e);
      break;
    }
    case 'range.reset':
    case 'range.reset.done':
      onRangeChange(teamOf(state, e.team), e);
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

function onReport(ctx: ScoreContext, t: TeamState, e: Ev<ReportEvent>): void {
  // a report id submitted again is the same report
  if (t.reportChecks.has(e.id)) return;
  t.reports.push(e);
  t.reportChecks.set(e.id, checkReport(ctx, t, e));
}

function reportingItems(ctx: ScoreContext, t: TeamState, clock: ExerciseClock, now: string, end: string): ScoreItem[] {
  const fn: ItemFn<ScoreItem> = (phase, raw, code, params, ev, at, step) =>
    item(ctx, phase, raw, code, params, ev, at, step);
  return reportingItemsOf(ctx, t, clock, now, end, fn);
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
  const results = finishTeams(state, ctx, [...new Set([...Object.keys(ctx.truth), ...state.teams.keys()])].sort());
  return results.map((r) => ({ ...r, rank: 1 + results.filter((o) => o.total > r.total).length }));
}

/** The scores of `teams` at `now`, without ranks (a rank needs every team's total). */
export function finishTeams(
  state: ScoreState,
  ctx: ScoreContext,
  teams: readonly string[],
): Omit<TeamResult, 'rank'>[] {
  let now = isoZ(ctx.now ?? (state.lastAt || new Date(0).toISOString()));
  if (ctx.frozenAt && now > isoZ(ctx.frozenAt)) now = isoZ(ctx.frozenAt);
  const end = state.clock.ended && state.clock.ended < now ? state.clock.ended : now;
  return teams.map((team): Omit<TeamResult, 'rank'> => {
    const t = state.teams.get(team) ?? newTeam(team);
    const items = [
      ...t.items,
      ...reportingItems(ctx, t, state.clock, now, end),
      ...availabilityItems(ctx, t, state.clock, end),
      ...(state.injected.has(team) ? injectItems(ctx.rules.weights.reporting, state.events, team, end) : []),
    ];
    const phases = { detection: 0, response: 0, reporting: 0, recovery: 0 };
    for (const i of items) phases[i.phase] += i.points;
    for (const p of PHASES) phases[p] = round2(phases[p]);
    return { team, total: round2(PHASES.reduce((s, p) => s + phases[p], 0)), phases, items };
  });
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
  /** every team `scores` would list (the ground truth's and those seen in the log), sorted */
  teams(): string[] {
    return [...new Set([...Object.keys(this.ctx.truth), ...this.state.teams.keys()])].sort();
  }
  /** `scores` of some teams only, without ranks: what one event changed costs its team, not all */
  scoresOf(teams: readonly string[], now?: string): Omit<TeamResult, 'rank'>[] {
    return finishTeams(this.state, { ...this.ctx, ...(now ? { now } : {}) }, teams);
  }
  /** a team's report deadlines at `now`, equal to `computeDeadlines` over the events folded so far */
  deadlines(team: string, now: string): ReportDeadlines {
    return reportDeadlines(this.ctx.rules, this.state.teams.get(team), this.state.clock, isoZ(now));
  }
}

/** Batch form: the scores of a whole log. */
export function computeScores(events: readonly (EnshuEvent | StoredEvent)[], ctx: ScoreContext): TeamResult[] {
  const state = emptyState();
  for (const e of sortEvents(events)) foldEvent(state, e, ctx);
  return finish(state, ctx);
}

/**
 * A team's report deadlines from a whole log at `now`, computed by the same rules as its score
 * (the trainee's countdown shows exactly these).
 */
export function computeDeadlines(
  events: readonly (EnshuEvent | StoredEvent)[],
  team: string,
  ctx: ScoreContext,
  now: string,
): ReportDeadlines {
  const state = emptyState();
  for (const e of sortEvents(events)) foldEvent(state, e, ctx);
  return reportDeadlines(ctx.rules, state.teams.get(team), state.clock, isoZ(now));
}
