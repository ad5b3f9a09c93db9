/**
 * What a trainee may see, as pure functions: each builds a new object field by field from what the
 * protocol's trainee schemas allow (an allow-list), never "the staff view minus a few fields", so a
 * field added to a staff shape tomorrow does not reach trainees by default.
 *
 * Never in a trainee's view: the seed, the scenario (id, steps, techniques, evidence, planned
 * times), check ids and titles, runner state, the attacker's hosts, other teams' anything.
 */
import { createHash } from 'node:crypto';
import type {
  EnshuEvent,
  ExerciseRow,
  ReportDeadlines,
  ScoreDelta,
  ScoreItem,
  StepHints,
  StoredEvent,
  TeamScore,
  TeamTimeline,
  TimelineEntry,
  TraineeExercise,
  TraineeTeam,
} from '../../protocol/index.js';
import type { GroundTruth } from '../../core/index.js';

/** The course's rules that decide a trainee's view. */
export interface CourseVisibility {
  traineesSeeRanking: boolean;
  /** once the exercise ended, the team's full after-action timeline opens up */
  afterActionForTrainees: boolean;
  /** minutes from the first impact to the first report's deadline */
  firstDeadlineMinutes: number;
  /** minutes from a report to the next update's deadline */
  updateIntervalMinutes: number;
}

export const DEFAULT_COURSE_VISIBILITY: CourseVisibility = {
  traineesSeeRanking: false,
  afterActionForTrainees: true,
  firstDeadlineMinutes: 30,
  updateIntervalMinutes: 60,
};

/** A trainee's own submissions: the only team events whose content a trainee receives. */
export const TRAINEE_SUBMISSION_TYPES = [
  'finding.submitted',
  'action.submitted',
  'report.submitted',
  'report.graded',
  'recovery.declared',
  'hint.released',
  'hint.bought',
] as const satisfies readonly EnshuEvent['type'][];

/** Exercise-wide events a trainee receives (type and time only: their details name the seed). */
export const TRAINEE_EXERCISE_TYPES = [
  'exercise.created',
  'exercise.provisioned',
  'exercise.started',
  'exercise.paused',
  'exercise.resumed',
  'exercise.ended',
  'exercise.archived',
  'score.frozen',
] as const satisfies readonly EnshuEvent['type'][];

/**
 * A team's own range being reset, degraded and whole again (#18): a trainee is told that and when,
 * never which node (the attacker's host is one) nor why; nothing about attack steps, skips or replays.
 */
export const TRAINEE_RANGE_TYPES = [
  'range.reset',
  'range.reset.done',
  'range.degraded',
  'range.restored',
] as const satisfies readonly EnshuEvent['type'][];

const SUBMISSIONS = new Set<string>(TRAINEE_SUBMISSION_TYPES);
const RANGE = new Set<string>(TRAINEE_RANGE_TYPES);

/**
 * What reached the team from outside (issue #17): SOC alerts, injects, its questions to the vendor
 * and the answers — projected by `traineeIncident` (no alert rule, no expected reaction, no word on
 * whether an answer is right).
 */
export const TRAINEE_INCIDENT_TYPES = [
  'soc.alert',
  'inject.sent',
  'vendor.asked',
  'vendor.answered',
] as const satisfies readonly EnshuEvent['type'][];

const INCIDENTS = new Set<string>(TRAINEE_INCIDENT_TYPES);
const EXERCISE_WIDE = new Set<string>(TRAINEE_EXERCISE_TYPES);

/** Whether a trainee of `team` receives `e` at all. */
export function traineeMayReceive(e: StoredEvent, team: string): boolean {
  if ('team' in e) return e.team === team && (SUBMISSIONS.has(e.type) || RANGE.has(e.type) || INCIDENTS.has(e.type));
  return EXERCISE_WIDE.has(e.type);
}

export function traineeExercise(x: ExerciseRow | TraineeExercise): TraineeExercise {
  return {
    id: x.id,
    title: x.title,
    course: x.course,
    state: x.state,
    speed: x.speed,
    schedule: {
      ...(x.schedule.start ? { start: x.schedule.start } : {}),
      ...(x.schedule.end ? { end: x.schedule.end } : {}),
    },
  };
}

export function traineeTeam(t: { exercise: string; id: string; name: string; members: string[] }): TraineeTeam {
  return { exercise: t.exercise, id: t.id, name: t.name, members: [...t.members] };
}

/**
 * The opaque name a trainee's view uses for a scenario step (hints and hint events): stable for the
 * exercise and team, not derivable without the seed, and no step id, title or technique in it.
 */
export function stepRef(seed: number, exercise: string, team: string, step: string): string {
  return `h-${createHash('sha256').update(`${seed}\n${exercise}\n${team}\n${step}`).digest('hex').slice(0, 12)}`;
}

/** The step a trainee's reference names, among the team's ground truth. */
export function stepOfRef(
  seed: number,
  exercise: string,
  team: string,
  truth: GroundTruth | undefined,
  ref: string,
): string | undefined {
  return truth?.steps.find((s) => stepRef(seed, exercise, team, s.id) === ref)?.id;
}

/** The event as a trainee of `team` receives it, or undefined when they may not receive it. */
export function traineeEvent(e: StoredEvent, team: string, ref: (step: string) => string): StoredEvent | undefined {
  if (!traineeMayReceive(e, team)) return undefined;
  const head = { exercise: e.exercise, at: e.at, seq: e.seq };
  switch (e.type) {
    case 'finding.submitted':
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        by: e.by,
        ...(e.indicatorType ? { indicatorType: e.indicatorType } : {}),
        ...(e.value !== undefined ? { value: e.value } : {}),
        ...(e.technique ? { technique: e.technique } : {}),
        text: e.text,
      };
    case 'action.submitted':
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        by: e.by,
        ...(e.node ? { node: e.node } : {}),
        what: e.what,
      };
    case 'report.submitted':
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        by: e.by,
        kind: e.kind,
        language: e.language,
        // the team's own choice of recipients and channels (#14)
        ...(e.recipients ? { recipients: [...e.recipients] } : {}),
        ...(e.channels ? { channels: [...e.channels] } : {}),
        fields: {
          occurredAt: e.fields.occurredAt,
          affected: e.fields.affected,
          cause: e.fields.cause,
          outlook: e.fields.outlook,
          alternatives: e.fields.alternatives,
          actions: e.fields.actions,
        },
      };
    case 'report.graded':
      return {
        ...head,
        type: e.type,
        team: e.team,
        report: e.report,
        by: e.by,
        grade: e.grade,
        comment: e.comment,
      };
    case 'recovery.declared':
      return { ...head, type: e.type, team: e.team, id: e.id, by: e.by, what: e.what };
    case 'hint.released':
    case 'hint.bought':
      return { ...head, type: e.type, team: e.team, step: ref(e.step), hint: e.hint, cost: e.cost };
    case 'range.reset':
    case 'range.reset.done':
    case 'range.degraded':
    case 'range.restored':
      return { ...head, type: e.type, team: e.team };
    case 'soc.alert':
    case 'inject.sent':
    case 'vendor.asked':
    case 'vendor.answered':
      return traineeIncident(e, head);
    default:
      if ('team' in e) return undefined;
      // exercise-wide: the type and time only (exercise.created's detail names the seed and scenario)
      return { ...head, type: e.type };
  }
}

export function traineeEvents(
  events: readonly StoredEvent[],
  team: string,
  ref: (step: string) => string,
): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (const e of events) {
    const v = traineeEvent(e, team, ref);
    if (v) out.push(v);
  }
  return out;
}

/** Score item parameters a trainee may read (the rest name steps, checks, techniques or facts). */
const ITEM_PARAMS = new Set([
  'finding',
  'type',
  'decay',
  'fraction',
  'technique',
  'capped',
  'hint',
  'cost',
  'report',
  'deadline',
  'minutesLate',
  'due',
  'missed',
  'filled',
  'missing',
  'terms',
  'jargon',
  'grade',
  'by',
  'comment',
  // reporting (#14): which recipient, why a field did not count, the notice's address and status
  'recipient',
  'problems',
  'url',
  'status',
]);

/**
 * The items of a team's own breakdown that a trainee may see: those that come from the team's own
 * submissions (by `eventSeq`) and the time rules of reporting (deadlines), without step or check ids.
 */
export function traineeItems(items: readonly ScoreItem[], own: ReadonlyMap<number, StoredEvent>): ScoreItem[] {
  const out: ScoreItem[] = [];
  for (const i of items) {
    const source = i.eventSeq === undefined ? undefined : own.get(i.eventSeq);
    const timeRule = i.eventSeq === undefined && i.code.startsWith('reporting.');
    if (!source && !timeRule) continue;
    const params: ScoreItem['params'] = {};
    for (const [k, v] of Object.entries(i.params)) if (ITEM_PARAMS.has(k)) params[k] = v;
    // an indicator finding: the value the team itself submitted, not the answer key's spelling of it
    if ('value' in i.params && source?.type === 'finding.submitted' && source.value !== undefined)
      params.value = source.value;
    // a finding of something that has not happened yet would tell the team what is coming
    if (params.reason === undefined && i.params.reason !== undefined) params.reason = 'no-match';
    out.push({
      phase: i.phase,
      points: i.points,
      raw: i.raw,
      code: i.code,
      params,
      ...(source ? { eventSeq: i.eventSeq! } : {}),
      at: i.at,
    });
  }
  return out;
}

/** The seqs of a team's own submissions in the log, for `traineeItems`. */
export function ownSubmissions(events: readonly StoredEvent[], team: string): Map<number, StoredEvent> {
  return new Map(
    events.filter((e) => 'team' in e && e.team === team && SUBMISSIONS.has(e.type)).map((e) => [e.seq, e]),
  );
}

/**
 * Scores as a trainee of `team` may see them: their own total and phases, their breakdown (own
 * submissions and deadlines only), their rank and the other teams' totals only if the course shows
 * the ranking. Their own team first.
 */
export function traineeScores(
  scores: readonly TeamScore[],
  team: string,
  ranking: boolean,
  own: ReadonlyMap<number, StoredEvent>,
): TeamScore[] {
  const out: TeamScore[] = [];
  for (const s of scores) {
    if (s.team === team) out.unshift(traineeScore(s, true, ranking, own));
    else if (ranking) out.push(traineeScore(s, false, ranking, own));
  }
  return out;
}

export function traineeScore(
  s: TeamScore,
  ownTeam: boolean,
  ranking: boolean,
  own: ReadonlyMap<number, StoredEvent>,
): TeamScore {
  return {
    team: s.team,
    total: s.total,
    phases: {
      detection: s.phases.detection,
      response: s.phases.response,
      reporting: s.phases.reporting,
      recovery: s.phases.recovery,
    },
    ...(ranking && s.rank !== undefined ? { rank: s.rank } : {}),
    ...(ownTeam && Array.isArray(s.detail) ? { detail: traineeItems(s.detail, own) } : {}),
  };
}

/** A score delta of the trainee's own team, as they receive it. */
export function traineeDelta(d: ScoreDelta, ranking: boolean, own: ReadonlyMap<number, StoredEvent>): ScoreDelta {
  return {
    exercise: d.exercise,
    team: d.team,
    score: traineeScore(d.score, true, ranking, own),
    ...(d.previous ? { previous: traineeScore(d.previous, false, ranking, own) } : {}),
    seq: d.seq,
    causeAppendedAt: d.causeAppendedAt,
    ...(d.cause ? { cause: d.cause } : {}),
  };
}

const addMinutes = (iso: string, m: number) => new Date(Date.parse(iso) + m * 60_000).toISOString();

/**
 * The team's report deadlines from its log: the first report is due `firstDeadlineMinutes` after the
 * attack's first successful impact, an update `updateIntervalMinutes` after the last report (until a
 * final one). What the trainee's report clock counts down to, without any attack event.
 */
export function reportDeadlines(
  events: readonly StoredEvent[],
  team: string,
  truth: GroundTruth | undefined,
  c: Pick<CourseVisibility, 'firstDeadlineMinutes' | 'updateIntervalMinutes'>,
): ReportDeadlines {
  const impactSteps = new Set(truth?.steps.filter((s) => s.impact).map((s) => s.id));
  const impact = events.find(
    (e) =>
      e.type === 'attack.step' && e.team === team && e.outcome === 'succeeded' && (e.impact || impactSteps.has(e.step)),
  );
  const reports = events.filter((e) => e.type === 'report.submitted' && e.team === team);
  const last = reports.at(-1);
  const final = reports.some((r) => r.type === 'report.submitted' && r.kind === 'final');
  return {
    ...(impact ? { firstReportDue: addMinutes(impact.at, c.firstDeadlineMinutes) } : {}),
    ...(reports[0] ? { firstReportAt: new Date(Date.parse(reports[0].at)).toISOString() } : {}),
    ...(last && !final ? { nextUpdateDue: addMinutes(last.at, c.updateIntervalMinutes) } : {}),
  };
}

/**
 * The scenario's hints as a trainee of `team` may see them: only steps the team's attack has reached
 * (or that they hold a hint for), named by an opaque reference and their title, without the
 * technique; a hint's text only once they hold it.
 */
export function traineeHints(
  truth: GroundTruth | undefined,
  events: readonly StoredEvent[],
  team: string,
  ref: (step: string) => string,
): StepHints[] {
  const got = heldHints(events, team);
  const reached = reachedSteps(events, team);
  return (truth?.steps ?? [])
    .filter((s) => reached.has(s.id) || s.hints.some((h) => got.has(`${s.id}\n${h.id}`)))
    .map((s) => ({
      step: ref(s.id),
      title: { ja: s.title.ja, en: s.title.en },
      hints: s.hints.map((h) => {
        const g = got.get(`${s.id}\n${h.id}`);
        return {
          id: h.id,
          cost: h.cost,
          ...(g ? { got: g, text: { ja: h.text.ja, en: h.text.en } } : {}),
        };
      }),
    }));
}

/** Steps of the team's attack that have run (whatever their outcome). */
export function reachedSteps(events: readonly StoredEvent[], team: string): Set<string> {
  return new Set(
    events.filter((e) => e.type === 'attack.step' && e.team === team).map((e) => (e as { step: string }).step),
  );
}

export function heldHints(events: readonly StoredEvent[], team: string): Map<string, 'released' | 'bought'> {
  const got = new Map<string, 'released' | 'bought'>();
  for (const e of events)
    if ((e.type === 'hint.released' || e.type === 'hint.bought') && e.team === team)
      got.set(`${e.step}\n${e.hint}`, e.type === 'hint.bought' ? 'bought' : 'released');
  return got;
}

/**
 * A trainee's timeline while the after-action view is closed: their own lanes only (what they
 * found, did, reported, recovered, the hints they hold) and the exercise's state changes, without
 * steps or techniques.
 */
export function traineeTimeline(t: TeamTimeline, events: readonly StoredEvent[], team: string): TeamTimeline {
  const bySeq = new Map(events.map((e) => [e.seq, e]));
  const entries: TimelineEntry[] = [];
  for (const x of t.entries) {
    const e = bySeq.get(x.seq);
    if (!e || !traineeMayReceive(e, team)) continue;
    const summary =
      e.type === 'hint.released' || e.type === 'hint.bought'
        ? { ja: e.hint, en: e.hint }
        : RANGE.has(e.type) // the staff summary names the node
          ? { ja: e.type, en: e.type }
          : 'team' in e
            ? { ja: x.summary.ja, en: x.summary.en }
            : { ja: e.type, en: e.type };
    entries.push({
      at: x.at,
      seq: x.seq,
      lane: x.lane,
      type: x.type,
      summary,
      ...(x.points !== undefined ? { points: x.points } : {}),
    });
  }
  return { team, entries };
}

/**
 * An incident event as a trainee receives it. The alert's rule id and matched lines stay with staff
 * (the rule "" here: the schema wants one; the lines left out), as do an inject's expected reaction
 * (the due time is in the REST panel) and whether a vendor answer is right (always `true` here: the
 * team must judge it itself).
 */
function traineeIncident(
  e: Extract<StoredEvent, { type: (typeof TRAINEE_INCIDENT_TYPES)[number] }>,
  head: { exercise: string; at: string; seq: number },
): StoredEvent {
  switch (e.type) {
    case 'soc.alert':
      // no `evidence`: the matched lines name what the team is scored for finding (it reads them in
      // its own log search from `node` and `since`); the key is left out, not emptied
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        rule: '',
        title: { ja: e.title.ja, en: e.title.en },
        severity: e.severity,
        node: e.node,
        count: e.count,
        ...(e.since ? { since: e.since } : {}),
      } as StoredEvent;
    case 'inject.sent':
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        kind: e.kind,
        from: e.from,
        message: { ja: e.message.ja, en: e.message.en },
        source: e.source,
      };
    case 'vendor.asked':
      return { ...head, type: e.type, team: e.team, id: e.id, by: e.by, topic: e.topic, question: e.question };
    case 'vendor.answered':
      return {
        ...head,
        type: e.type,
        team: e.team,
        id: e.id,
        topic: e.topic,
        answer: { ja: e.answer.ja, en: e.answer.en },
        accurate: true,
      };
  }
}
