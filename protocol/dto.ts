/**
 * What the server sends: the shapes of REST answers and socket messages, shared with the web UI.
 * Each shape is a zod schema with its type inferred from it, so one definition gives the
 * producers and the web their types and the server its OpenAPI document (the server names and
 * describes them there; this file only uses plain zod, to stay safe in a browser bundle).
 * A change to the wire is a change in one place and the compiler finds every producer and consumer.
 */
import { z } from 'zod';
import {
  AttackControlEventSchema,
  AttackStepEventSchema,
  CheckResultEventSchema,
  CheckTamperedEventSchema,
  EventSchema,
  ExerciseEventSchema,
  RangeEventSchema,
  FindingEventSchema,
  HintEventSchema,
  NoticeObservedEventSchema,
  OutcomeSchema,
  RecoveryDeclaredEventSchema,
  ReportEventSchema,
  ReportGradeEventSchema,
  ResponseActionEventSchema,
  TeamIdSchema,
  type EnshuEvent,
  type StoredEvent,
} from './events.js';
import { InjectEventSchema, SocAlertEventSchema, VendorAnsweredEventSchema, VendorAskedEventSchema } from './events.js';
import { EXERCISE_STATES, PHASES, ROLES, type Phase } from './vocabulary.js';

/** ISO 8601 timestamps: the server writes them with `toISOString()`, events may carry an offset. */
const iso = z.string().datetime({ offset: true });
const bilingual = z.object({ ja: z.string(), en: z.string() });

/** Who a bearer token speaks for. Trainee principals are bound to one exercise and team. */
export const PrincipalSchema = z.object({
  role: z.enum(ROLES),
  subject: z.string(),
  exercise: z.string().optional(),
  team: TeamIdSchema.optional(),
});
export type Principal = z.infer<typeof PrincipalSchema>;

export const ScheduleSchema = z.object({ start: iso.optional(), end: iso.optional() });
export type Schedule = z.infer<typeof ScheduleSchema>;

export const ExerciseRowSchema = z.object({
  id: z.string(),
  title: z.string(),
  course: z.string(),
  scenario: z.string(),
  seed: z.number().int(),
  topology: z.string().nullable(),
  state: z.enum(EXERCISE_STATES),
  speed: z.number(),
  schedule: ScheduleSchema,
  createdAt: iso,
  updatedAt: iso,
});
export type ExerciseRow = z.infer<typeof ExerciseRowSchema>;

/**
 * The exercise as a trainee sees it: an allow-list (no seed, no scenario, no topology). Built field
 * by field by the server's trainee projection (`server/visibility/`), never by removing fields.
 */
export const TraineeExerciseSchema = ExerciseRowSchema.pick({
  id: true,
  title: true,
  course: true,
  state: true,
  speed: true,
  schedule: true,
});
export type TraineeExercise = z.infer<typeof TraineeExerciseSchema>;

/** An exercise as a client receives it: the full row (staff) or the trainee's allow-list. */
export const ExerciseViewSchema = z.union([ExerciseRowSchema, TraineeExerciseSchema]);
export type ExerciseView = z.infer<typeof ExerciseViewSchema>;

export const TeamRowSchema = z.object({
  exercise: z.string(),
  id: TeamIdSchema,
  name: z.string(),
  joinCode: z.string(),
  members: z.array(z.string()),
});
export type TeamRow = z.infer<typeof TeamRowSchema>;

/** A team as a client may see it (join codes only for staff). */
export const TeamViewSchema = TeamRowSchema.omit({ joinCode: true }).extend({ joinCode: z.string().optional() });
export type TeamView = z.infer<typeof TeamViewSchema>;

/** A trainee's own team: name and members (no join code). */
export const TraineeTeamSchema = TeamRowSchema.pick({ exercise: true, id: true, name: true, members: true });
export type TraineeTeam = z.infer<typeof TraineeTeamSchema>;

/**
 * The report deadlines of one team as the server computes them from its log (the first report
 * after the first impact, the next update after the last report), so the trainee's report clock
 * needs no attack event. Absent fields: not started / not due.
 */
export const ReportDeadlinesSchema = z.object({
  /** the first report is due at this time (set once the attack had its first impact) */
  firstReportDue: iso.optional(),
  /** the team's first report came at this time */
  firstReportAt: iso.optional(),
  /** the next update is due at this time (after the team's last report, until a final one) */
  nextUpdateDue: iso.optional(),
  /**
   * The rest is computed by the scoring itself on the exercise clock (pauses and speed included):
   * the clock is held by a pause (the dues above are then absent; `firstReportLeftS` /
   * `nextUpdateLeftS` say how much exercise time was left when it stopped)
   */
  paused: z.boolean().optional(),
  firstReportLeftS: z.number().optional(),
  nextUpdateLeftS: z.number().optional(),
  /** exercise minutes per wall minute (the attack speed) the dues were computed with */
  speed: z.number().positive().optional(),
  /** the final report (最終報) was sent: no further update is due */
  closed: z.boolean().optional(),
  /** kinds of report the team has sent, in order (the form offers 続報 once a 第一報 went out) */
  sentKinds: z.array(z.enum(['first', 'update', 'final'])).optional(),
});
export type ReportDeadlines = z.infer<typeof ReportDeadlinesSchema>;

/** Points per phase; an object with the four phases rather than a record, so every phase is required. */
export const PhasePointsSchema = z.object({
  detection: z.number(),
  response: z.number(),
  reporting: z.number(),
  recovery: z.number(),
}) satisfies z.ZodType<Record<Phase, number>>;

/** One earned or lost amount of a team's score, with the event behind it (none for a deadline that passed). */
export const ScoreItemSchema = z.object({
  phase: z.enum(PHASES),
  /** weighted points (what the phase sums) */
  points: z.number(),
  /** points before the phase weight */
  raw: z.number(),
  /** reason code; the scoring rules render it in ja or en */
  code: z.string(),
  params: z.record(z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])),
  /** log position of the event behind the item */
  eventSeq: z.number().int().optional(),
  at: iso,
  step: z.string().optional(),
});
export type ScoreItem = z.infer<typeof ScoreItemSchema>;

/** A team's score as the server pushes it: the total, the four phases, and the rules' own breakdown. */
export const TeamScoreSchema = z.object({
  team: z.string(),
  total: z.number(),
  phases: PhasePointsSchema,
  /** rank among the exercise's teams (1 = best) */
  rank: z.number().int().min(1).optional(),
  /**
   * the scoring rules' full breakdown; left out where a trainee sees another team's score.
   * Documented as score items but typed `unknown`: readers narrow it to the fields they use
   * (the web, the tests' casts), and a typed array would reject those narrower views.
   */
  detail: z.array(ScoreItemSchema).optional(),
});
export type TeamScore = z.infer<typeof TeamScoreSchema>;

export const ScoreDeltaSchema = z.object({
  exercise: z.string(),
  team: z.string(),
  score: TeamScoreSchema,
  /** what the team had before, without the breakdown (undefined on its first score) */
  previous: TeamScoreSchema.optional(),
  /** highest log position folded into this score */
  seq: z.number().int(),
  /** when the newest event behind the delta was appended (server clock, ms) */
  causeAppendedAt: z.number(),
  /** what moved the score: a new event, or time alone (a report deadline passed, an outage went on) */
  cause: z.enum(['event', 'time']).optional(),
});
export type ScoreDelta = z.infer<typeof ScoreDeltaSchema>;

export const ExerciseResultSchema = z.object({
  exercise: ExerciseRowSchema,
  teams: z.array(
    z.object({ team: z.string(), name: z.string(), members: z.array(z.string()), score: TeamScoreSchema.nullable() }),
  ),
});
export type ExerciseResult = z.infer<typeof ExerciseResultSchema>;

/** Sessions, teams, participants and average scores of one course in one Japanese fiscal year (April–March). */
export const CourseYearStatsSchema = z.object({
  fiscalYear: z.number().int(),
  course: z.string(),
  sessions: z.number().int(),
  teams: z.number().int(),
  participants: z.number().int(),
  /** mean total of scored teams (null when none was scored) */
  averageScore: z.number().nullable(),
  averagePhases: PhasePointsSchema.nullable(),
});
export type CourseYearStats = z.infer<typeof CourseYearStatsSchema>;

/**
 * One row of the organizers' yearly table (the seed's figures: sessions, participants, venues and
 * period per fiscal year and course). `course` null: the year's published total; null counts: not known.
 */
export const YearlyRowSchema = z.object({
  fiscalYear: z.number().int(),
  course: z.string().nullable(),
  sessions: z.number().int().nullable(),
  participants: z.number().int().nullable(),
  venues: z.string(),
  period: z.string(),
  /** imported from past years' CSV, or counted from the exercises run here */
  source: z.enum(['imported', 'live']),
});
export type YearlyRow = z.infer<typeof YearlyRowSchema>;

export const YearlyTableSchema = z.object({
  years: z.array(
    z.object({
      fiscalYear: z.number().int(),
      /** the course rows (a published total without courses is not among them) */
      rows: z.array(YearlyRowSchema),
      sessions: z.number().int().nullable(),
      participants: z.number().int().nullable(),
    }),
  ),
  sessions: z.number().int().nullable(),
  participants: z.number().int().nullable(),
});
export type YearlyTable = z.infer<typeof YearlyTableSchema>;

/** Progress of long range operations, for the CLI's bars and the server's sockets. */
export const RangeStepSchema = z.enum([
  'plan',
  'images',
  'network',
  'host-rules',
  'container',
  'health',
  'ready',
  'remove',
]);
export type RangeStep = z.infer<typeof RangeStepSchema>;

export const RangeProgressSchema = z.object({
  exercise: z.string(),
  team: z.string().optional(),
  node: z.string().optional(),
  step: RangeStepSchema,
  status: z.enum(['start', 'done', 'failed', 'info']),
  message: z.string(),
  /** units of work finished / planned for this team (or exercise when no team) */
  done: z.number().optional(),
  total: z.number().optional(),
  at: iso,
});
export type RangeProgress = z.infer<typeof RangeProgressSchema>;

/** A team's range as the workspace draws it. */
export const RangeNodeViewSchema = z.object({
  node: z.string(),
  role: z.string(),
  title: z.string(),
  state: z.string(),
  health: z.string(),
  /** segment → address */
  ips: z.record(z.string()),
  users: z.array(z.string()),
});
export type RangeNodeView = z.infer<typeof RangeNodeViewSchema>;

export const RangeViewSchema = z.object({
  team: z.string(),
  ready: z.boolean(),
  segments: z.array(z.object({ name: z.string(), purpose: z.string(), subnet: z.string() })),
  nodes: z.array(RangeNodeViewSchema),
});
export type RangeView = z.infer<typeof RangeViewSchema>;

/** One line of a team's SOC log search. */
export const LogLineSchema = z.object({
  at: z.string(),
  team: z.string().optional(),
  node: z.string(),
  service: z.string(),
  msg: z.string(),
});
export type LogLine = z.infer<typeof LogLineSchema>;

/** How an attack step ended (`OutcomeSchema` is the events' own). */
export type Outcome = z.infer<typeof OutcomeSchema>;

/** `suspended`: the server shut down with the attack open; a new runner resumes it from the log (`restore`). */
export const RunnerStatusSchema = z.enum(['idle', 'running', 'paused', 'stopping', 'stopped', 'finished', 'suspended']);
export type RunnerStatus = z.infer<typeof RunnerStatusSchema>;
export const StepStatusSchema = z.enum(['pending', 'waiting', 'running', ...OutcomeSchema.options]);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** One step of a team's pseudo-attacker as the instructor's timeline shows it. */
export const StepStateSchema = z.object({
  id: z.string(),
  technique: z.string(),
  tactic: z.string(),
  node: z.string(),
  kind: z.string(),
  status: StepStatusSchema,
  /** what a waiting step waits for, in words */
  waitingFor: z.string().optional(),
  /** scenario seconds at which it fires, once known */
  dueAt: z.number().optional(),
  plannedOffset: z.number(),
  startedAt: iso.optional(),
  endedAt: iso.optional(),
  reason: z.string().optional(),
  evidence: z.string().optional(),
  /** its else branch runs */
  branchTaken: z.boolean(),
  /** the instructor skipped it: later steps go on without it */
  skippedByInstructor: z.boolean(),
  runs: z.number().int(),
  /** scenario clock when it ended */
  endClock: z.number().optional(),
});
export type StepState = z.infer<typeof StepStateSchema>;

export const RunnerStateSchema = z.object({
  exercise: z.string(),
  team: z.string(),
  scenario: z.string(),
  seed: z.string(),
  status: RunnerStatusSchema,
  /** scenario seconds since start */
  clock: z.number(),
  speed: z.number(),
  steps: z.array(StepStateSchema),
  cleanups: z.number().int(),
});
export type RunnerState = z.infer<typeof RunnerStateSchema>;

/** A team's attack could not start or an instructor's command to it failed: the runner's state is unchanged. */
export const RunnerFailureSchema = z.object({ status: z.literal('failed').optional(), error: z.string() });
export type RunnerFailure = z.infer<typeof RunnerFailureSchema>;
/** What the `runner` socket message carries: the runner's new state, or a failure to show. */
export type RunnerUpdate = RunnerState | RunnerFailure;

/** Every event type of the log, as one enum (taken from the event schemas, so it cannot drift from them). */
export const EventTypeSchema = z.enum([
  AttackStepEventSchema.shape.type.value,
  ...AttackControlEventSchema.shape.type.options,
  FindingEventSchema.shape.type.value,
  ResponseActionEventSchema.shape.type.value,
  CheckResultEventSchema.shape.type.value,
  CheckTamperedEventSchema.shape.type.value,
  ReportEventSchema.shape.type.value,
  ReportGradeEventSchema.shape.type.value,
  ...HintEventSchema.shape.type.options,
  RecoveryDeclaredEventSchema.shape.type.value,
  ...ExerciseEventSchema.shape.type.options,
  NoticeObservedEventSchema.shape.type.value,
  ...RangeEventSchema.shape.type.options,
  SocAlertEventSchema.shape.type.value,
  InjectEventSchema.shape.type.value,
  VendorAskedEventSchema.shape.type.value,
  VendorAnsweredEventSchema.shape.type.value,
]) satisfies z.ZodType<EnshuEvent['type']>;

/**
 * An event as stored: with its position in the log. `EventSchema`'s options are widened where it is
 * built (events.ts), so its inferred type is loose; the type here is the exact one from events.ts.
 */
export const StoredEventSchema = EventSchema.and(
  z.object({ seq: z.number().int().min(1) }),
) as unknown as z.ZodType<StoredEvent>;

export const TimelineLaneSchema = z.enum([
  'attack',
  'detection',
  'response',
  'reporting',
  'check',
  'recovery',
  'hint',
  'exercise',
  // resets, replays, skips and outages of the range: things that happened to the team, not by it
  'range',
  'incident',
]);
export type TimelineLane = z.infer<typeof TimelineLaneSchema>;

/** One entry of a team's after-action timeline. */
export const TimelineEntrySchema = z.object({
  at: iso,
  seq: z.number().int(),
  lane: TimelineLaneSchema,
  type: EventTypeSchema,
  /** one line in the exercise's words (step title, finding value, check id…) */
  summary: bilingual,
  step: z.string().optional(),
  technique: z.string().optional(),
  /** attack outcome, or whether a check passed */
  outcome: z.string().optional(),
  /** points the event earned or cost (sum of its score items) */
  points: z.number().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

/** A team's after-action timeline. */
export const TeamTimelineSchema = z.object({ team: z.string(), entries: z.array(TimelineEntrySchema) });
export type TeamTimeline = z.infer<typeof TeamTimelineSchema>;

/** One hint of a scenario step as a role may see it (the text only for staff and for hints the team holds). */
export const HintViewSchema = z.object({
  id: z.string(),
  cost: z.number(),
  /** how the team holds it */
  got: z.enum(['released', 'bought']).optional(),
  text: bilingual.optional(),
});
export type HintView = z.infer<typeof HintViewSchema>;

/**
 * A step's hints. Staff get the step id and technique; trainees get an opaque reference in `step`
 * (to buy with) and no technique, and only steps their team's attack has reached.
 */
export const StepHintsSchema = z.object({
  step: z.string(),
  title: bilingual,
  technique: z.string().optional(),
  hints: z.array(HintViewSchema),
});
export type StepHints = z.infer<typeof StepHintsSchema>;

/**
 * What joining a room answers with (socket ack) and what a team's REST snapshot returns.
 */
export const SnapshotSchema = z.object({
  exercise: ExerciseViewSchema,
  /** the room's scope: one team, or the whole exercise (staff) */
  team: z.string().nullable(),
  teams: z.array(TeamViewSchema),
  events: z.array(StoredEventSchema),
  scores: z.array(TeamScoreSchema),
  /** the teams' attack state (staff only) */
  runners: z.record(RunnerStateSchema).optional(),
  /** the team's report deadlines (trainees) */
  deadlines: ReportDeadlinesSchema.optional(),
  /** scores shown are frozen at this time (trainees near the end of an exercise) */
  frozenAt: iso.optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/** The snapshot a trainee receives: an allow-list of fields, each built by the trainee projection. */
export const TraineeSnapshotSchema = z.object({
  exercise: TraineeExerciseSchema,
  team: z.string(),
  teams: z.array(TraineeTeamSchema),
  events: z.array(StoredEventSchema),
  scores: z.array(TeamScoreSchema),
  deadlines: ReportDeadlinesSchema,
  frozenAt: iso.optional(),
});
export type TraineeSnapshot = z.infer<typeof TraineeSnapshotSchema>;

/** What the `deadlines` socket message carries to a team's trainees. */
export const DeadlinesUpdateSchema = z.object({
  exercise: z.string(),
  team: z.string(),
  deadlines: ReportDeadlinesSchema,
});
export type DeadlinesUpdate = z.infer<typeof DeadlinesUpdateSchema>;
