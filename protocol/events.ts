/**
 * The exercise event log: the single source of truth that scores are folded from.
 * Shared by the attacker (writes attack.* events), the server (team submissions,
 * instructor actions, check results) and the scoring rules (reads everything).
 * Payloads are validated once with these schemas where they enter (API, sockets, store).
 */
import { z } from 'zod';
import {
  INDICATOR_TYPES,
  REPORT_CHANNELS,
  REPORT_KINDS,
  REPORT_RECIPIENTS,
  TEAM_ID_PATTERN,
  type ReportField,
} from './vocabulary.js';
import { ALERT_SEVERITIES, INJECT_KINDS } from './vocabulary.js';

export { INDICATOR_TYPES };
export const TeamIdSchema = z.string().regex(TEAM_ID_PATTERN, 'team ids look like t01');
const iso = z.string().datetime({ offset: true });

export const IndicatorTypeSchema = z.enum(INDICATOR_TYPES);

export const OutcomeSchema = z.enum(['succeeded', 'blocked', 'failed', 'skipped']);

const base = {
  exercise: z.string().min(1),
  /** when it happened in the exercise (wall clock, ISO 8601) */
  at: iso,
};

export const AttackStepEventSchema = z.object({
  ...base,
  type: z.literal('attack.step'),
  team: TeamIdSchema,
  scenario: z.string(),
  step: z.string(),
  technique: z.string(),
  tactic: z.string(),
  startedAt: iso,
  endedAt: iso,
  outcome: OutcomeSchema,
  reason: z.string().optional(),
  /** short digest of what the action did or saw (command output, message id…) */
  evidence: z.string().max(2000).default(''),
  /** the step counts as attacker impact (starts the report clock) */
  impact: z.boolean().default(false),
  /** scenario seconds (the team's attack clock) when the action started and ended */
  startClock: z.number().min(0).optional(),
  endClock: z.number().min(0).optional(),
  /** facts the step read from its output (`capture`), so a resumed attack can use them */
  captured: z.record(z.string()).optional(),
});

export const AttackControlEventSchema = z.object({
  ...base,
  /**
   * `attack.speed`: the speed factor changed; `attack.suspended`: the server shut down with the
   * attack open (a restart resumes it); `attack.restored`: a restarted server resumed it from the log.
   */
  type: z.enum([
    'attack.started',
    'attack.paused',
    'attack.resumed',
    'attack.stopped',
    'attack.finished',
    'attack.speed',
    'attack.suspended',
    'attack.restored',
    // an instructor skipped (`attack.skip`) or replayed (`attack.replay`) a step (detail.step, detail.by)
    'attack.skip',
    'attack.replay',
    // steps that failed only because their node was down run again once it is back (detail.steps, detail.why)
    'attack.reopened',
    // an instructor restarted the team's attack from its beginning (detail.by); an attack.started follows
    'attack.restart',
  ]),
  team: TeamIdSchema,
  scenario: z.string(),
  speed: z.number().positive().optional(),
  /** scenario seconds on the team's attack clock at this moment */
  clock: z.number().min(0).optional(),
  detail: z.record(z.unknown()).optional(),
});

export const FindingEventSchema = z.object({
  ...base,
  type: z.literal('finding.submitted'),
  team: TeamIdSchema,
  id: z.string(),
  by: z.string(),
  indicatorType: IndicatorTypeSchema.optional(),
  value: z.string().max(500).optional(),
  technique: z
    .string()
    .regex(/^T\d{4}(\.\d{3})?$/)
    .optional(),
  text: z.string().max(4000).default(''),
});

export const ResponseActionEventSchema = z.object({
  ...base,
  type: z.literal('action.submitted'),
  team: TeamIdSchema,
  id: z.string(),
  by: z.string(),
  node: z.string().optional(),
  what: z.string().max(4000),
});

export const CheckKindSchema = z.enum(['containment', 'recovery', 'availability']);

/** A check run in the team's range by the checker, recorded when its value changes. */
export const CheckResultEventSchema = z.object({
  ...base,
  type: z.literal('check.result'),
  team: TeamIdSchema,
  check: z.string(),
  kind: CheckKindSchema,
  step: z.string().optional(),
  passed: z.boolean(),
  detail: z.string().max(2000).default(''),
});

/**
 * The checker found a team's FW able to tell its probes from other traffic (server/checker/tamper.ts):
 * while it can, every network check of the team fails. `cleared` when the filters are honest again.
 * For instructors: it names the rule.
 */
export const CheckTamperedEventSchema = z.object({
  ...base,
  type: z.literal('check.tampered'),
  team: TeamIdSchema,
  node: z.string(),
  cleared: z.boolean(),
  detail: z.string().max(2000).default(''),
});

export const ReportFieldsSchema = z.object({
  occurredAt: z.string().max(200),
  affected: z.string().max(4000),
  cause: z.string().max(4000),
  outlook: z.string().max(4000),
  alternatives: z.string().max(4000),
  actions: z.string().max(4000),
});

// The report form and the scoring rules list the fields through REPORT_FIELDS; this schema must name the same ones.
type SameKeys<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _reportFieldsMatch: SameKeys<keyof z.infer<typeof ReportFieldsSchema>, ReportField> = true;
void _reportFieldsMatch;

export const ReportEventSchema = z.object({
  ...base,
  type: z.literal('report.submitted'),
  team: TeamIdSchema,
  id: z.string(),
  by: z.string(),
  kind: z.enum(REPORT_KINDS),
  language: z.enum(['ja', 'en']),
  fields: ReportFieldsSchema,
  /** who the report is addressed to (none given: an internal report, as before recipients existed) */
  recipients: z.array(z.enum(REPORT_RECIPIENTS)).optional(),
  /** where a report to the public is published */
  channels: z.array(z.enum(REPORT_CHANNELS)).optional(),
});

export const ReportGradeEventSchema = z.object({
  ...base,
  type: z.literal('report.graded'),
  team: TeamIdSchema,
  report: z.string(),
  by: z.string(),
  /** 0..1 of the report points the instructor awards on top of the automatic checks */
  grade: z.number().min(0).max(1),
  comment: z.string().max(4000).default(''),
});

export const HintEventSchema = z.object({
  ...base,
  type: z.enum(['hint.released', 'hint.bought']),
  team: TeamIdSchema,
  step: z.string(),
  hint: z.string(),
  cost: z.number().min(0),
});

export const RecoveryDeclaredEventSchema = z.object({
  ...base,
  type: z.literal('recovery.declared'),
  team: TeamIdSchema,
  id: z.string(),
  by: z.string(),
  what: z.string().max(4000),
});

export const ExerciseEventSchema = z.object({
  ...base,
  type: z.enum([
    'exercise.created',
    'exercise.provisioned',
    'exercise.started',
    'exercise.paused',
    'exercise.resumed',
    'exercise.ended',
    'exercise.archived',
    'score.frozen',
  ]),
  by: z.string().optional(),
  detail: z.record(z.unknown()).optional(),
});

/**
 * What the checker saw on the team's public web site (its top page, fetched through the range),
 * recorded when it changes: the scoring compares it with the team's reports to the public.
 */
export const NoticeObservedEventSchema = z.object({
  ...base,
  type: z.literal('notice.observed'),
  team: TeamIdSchema,
  url: z.string().max(500),
  /** HTTP status (0: no answer) */
  status: z.number().int().min(0),
  /** the page's text, tags removed, whitespace folded */
  text: z.string().max(20_000).default(''),
});

/**
 * The range itself changed under the team, not by the team: an instructor's reset of a node or the
 * whole team (`range.reset` when it starts, `range.reset.done` when it is back), or an outage of the
 * infrastructure (`range.degraded`: nodes stopped for reasons not of the exercise, such as an engine
 * restart or the OOM killer; `range.restored`: the range is whole again). Scoring gives no credit for
 * checks that turn true across these (scoreboard/check-credit.ts) and judges no availability meanwhile.
 */
export const RangeEventSchema = z.object({
  ...base,
  type: z.enum(['range.reset', 'range.reset.done', 'range.degraded', 'range.restored']),
  team: TeamIdSchema,
  /** the node concerned; absent: the whole team's range */
  node: z.string().optional(),
  by: z.string().optional(),
  /** why, in a few words (e.g. "engine restarted", "oom", "instructor reset") */
  reason: z.string().max(500).optional(),
  detail: z.record(z.unknown()).optional(),
});

const words = z.object({ ja: z.string().max(4000), en: z.string().max(4000) });

/** An alert the team's SOC raised from its rules over the logs it collects (what a real SOC sends). */
export const SocAlertEventSchema = z.object({
  ...base,
  type: z.literal('soc.alert'),
  team: TeamIdSchema,
  /** the SOC's own alert number, per team (`soc-<n>`) */
  id: z.string(),
  /** the rule that fired (staff only: the rule set is the instructor's to tune) */
  rule: z.string(),
  title: words,
  severity: z.enum(ALERT_SEVERITIES),
  /** the monitored node the evidence comes from */
  node: z.string(),
  /** matching log lines that made it fire */
  count: z.number().int().min(1),
  /** the lines themselves (staff only: they name what a team must find in the log itself) */
  evidence: z.array(z.string().max(500)).max(5).default([]),
  /** when the first matching line was logged: where the team's own search starts */
  since: iso.optional(),
});

/**
 * The reaction an inject expects, scored and shown after the exercise: the team's first event of
 * type `<kind>.submitted` after the inject (e.g. `report`), to `recipient` when given (matched
 * against the event's `recipient` field, if the report form has one), within the time.
 */
export const InjectExpectSchema = z.object({
  kind: z.string().min(1).max(40),
  recipient: z.string().max(100).optional(),
  withinMinutes: z
    .number()
    .positive()
    .max(24 * 60),
  points: z.number().min(0).max(100).default(5),
});

/** A message from outside reaching a team: from the scenario at its time, or sent by an instructor. */
export const InjectEventSchema = z.object({
  ...base,
  type: z.literal('inject.sent'),
  team: TeamIdSchema,
  id: z.string(),
  kind: z.enum(INJECT_KINDS),
  /** who is calling or writing, as the team sees it */
  from: z.string().max(200),
  message: words,
  source: z.enum(['scenario', 'instructor']),
  by: z.string().optional(),
  expect: InjectExpectSchema.optional(),
});

/** A team asks the vendor (A Solutions, 運用支援) about something in its scope. */
export const VendorAskedEventSchema = z.object({
  ...base,
  type: z.literal('vendor.asked'),
  team: TeamIdSchema,
  id: z.string(),
  by: z.string(),
  /** one of the scenario's vendor topics */
  topic: z.string().max(60),
  question: z.string().max(2000).default(''),
});

/** The vendor's answer, as the scenario scripts it (it may be late, or wrong). */
export const VendorAnsweredEventSchema = z.object({
  ...base,
  type: z.literal('vendor.answered'),
  team: TeamIdSchema,
  /** the question it answers */
  id: z.string(),
  topic: z.string().max(60),
  answer: words,
  /** whether the answer is right (the scenario's word, staff only) */
  accurate: z.boolean().default(true),
});

export const EventSchema = z.discriminatedUnion('type', [
  AttackStepEventSchema,
  FindingEventSchema,
  ResponseActionEventSchema,
  CheckResultEventSchema,
  CheckTamperedEventSchema,
  ReportEventSchema,
  ReportGradeEventSchema,
  RecoveryDeclaredEventSchema,
  NoticeObservedEventSchema,
  SocAlertEventSchema,
  InjectEventSchema,
  VendorAskedEventSchema,
  VendorAnsweredEventSchema,
  // enums of types are split so discriminatedUnion sees literal discriminators
  ...AttackControlEventSchema.shape.type.options.map((t) => AttackControlEventSchema.extend({ type: z.literal(t) })),
  ...HintEventSchema.shape.type.options.map((t) => HintEventSchema.extend({ type: z.literal(t) })),
  ...ExerciseEventSchema.shape.type.options.map((t) => ExerciseEventSchema.extend({ type: z.literal(t) })),
  ...RangeEventSchema.shape.type.options.map((t) => RangeEventSchema.extend({ type: z.literal(t) })),
] as unknown as [z.ZodDiscriminatedUnionOption<'type'>, ...z.ZodDiscriminatedUnionOption<'type'>[]]);

export type AttackStepEvent = z.output<typeof AttackStepEventSchema>;
export type AttackControlEvent = z.output<typeof AttackControlEventSchema>;
export type FindingEvent = z.output<typeof FindingEventSchema>;
export type ResponseActionEvent = z.output<typeof ResponseActionEventSchema>;
export type CheckResultEvent = z.output<typeof CheckResultEventSchema>;
export type CheckTamperedEvent = z.output<typeof CheckTamperedEventSchema>;
export type ReportEvent = z.output<typeof ReportEventSchema>;
export type ReportGradeEvent = z.output<typeof ReportGradeEventSchema>;
export type HintEvent = z.output<typeof HintEventSchema>;
export type RecoveryDeclaredEvent = z.output<typeof RecoveryDeclaredEventSchema>;
export type ExerciseEvent = z.output<typeof ExerciseEventSchema>;
export type NoticeObservedEvent = z.output<typeof NoticeObservedEventSchema>;
export type RangeEvent = z.output<typeof RangeEventSchema>;
export type SocAlertEvent = z.output<typeof SocAlertEventSchema>;
export type InjectEvent = z.output<typeof InjectEventSchema>;
export type InjectExpect = z.output<typeof InjectExpectSchema>;
export type VendorAskedEvent = z.output<typeof VendorAskedEventSchema>;
export type VendorAnsweredEvent = z.output<typeof VendorAnsweredEventSchema>;

export type EnshuEvent =
  | AttackStepEvent
  | AttackControlEvent
  | FindingEvent
  | ResponseActionEvent
  | CheckResultEvent
  | CheckTamperedEvent
  | ReportEvent
  | ReportGradeEvent
  | HintEvent
  | RecoveryDeclaredEvent
  | ExerciseEvent
  | NoticeObservedEvent
  | RangeEvent
  | SocAlertEvent
  | InjectEvent
  | VendorAskedEvent
  | VendorAnsweredEvent;

/** An event as stored: with its position in the log. */
export type StoredEvent = EnshuEvent & { seq: number };

/** Anything events can be appended to (the SQLite store, an in-memory log in tests). */
export interface EventSink {
  append(event: EnshuEvent): StoredEvent | Promise<StoredEvent>;
}
