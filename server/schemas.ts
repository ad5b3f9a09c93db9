/**
 * The REST wire as zod schemas: request bodies and queries, validated once at the boundary, and the
 * answers, which type the handlers' results. The OpenAPI document is generated from these.
 */
import { z } from 'zod';
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import {
  CourseYearStatsSchema,
  YearlyTableSchema,
  ExerciseResultSchema,
  GlossarySchema,
  LogLineSchema,
  RangeViewSchema,
  ExerciseRowSchema,
  ExerciseViewSchema,
  INDICATOR_TYPES,
  PrincipalSchema,
  REPORT_CHANNELS,
  REPORT_RECIPIENTS,
  ReportFieldsSchema,
  RunnerStateSchema,
  SnapshotSchema,
  StepHintsSchema,
  StoredEventSchema,
  TeamIdSchema,
  TeamRowSchema,
  TeamScoreSchema,
  TeamTimelineSchema,
  TeamViewSchema,
} from '../protocol/index.js';

// `.openapi('Name')` makes a schema a named component of the document. The protocol's schemas stay
// plain zod (they ship to the browser), so the server names its own copies of them here.
extendZodWithOpenApi(z);

const name = z.string().trim().min(1).max(80);
const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lower-case letters, digits and dashes, at most 31 characters');
const iso = z.string().datetime({ offset: true });
const staffRole = z.enum(['instructor', 'organizer']);

// ---- requests

export const LoginBody = z
  .object({ user: name, password: z.string().min(1).max(200) })
  .strict()
  .openapi('LoginBody');
export const JoinBody = z
  .object({ code: z.string().trim().min(4).max(20), name })
  .strict()
  .openapi('JoinBody');
export const UserBody = z
  .object({ name, role: staffRole, password: z.string().min(10).max(200) })
  .strict()
  .openapi('UserBody');
/** a staff user changes their own password: the current one, then the new one (≥ 10 characters) */
export const PasswordBody = z
  .object({ current: z.string().min(1).max(200), password: z.string().min(10).max(200) })
  .strict()
  .openapi('PasswordBody');

export const CreateExerciseBody = z
  .object({
    id,
    title: z.string().max(200).optional(),
    course: z.enum(['A', 'B-1', 'B-2', 'C', 'online-standard', 'online-intro']),
    scenario: z.string().min(1).max(100),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    topology: z.string().max(200).optional(),
    speed: z.number().positive().max(1000).default(1),
    schedule: z.object({ start: iso.optional(), end: iso.optional() }).strict().default({}),
    /** a number of teams, or the teams with their members */
    teams: z.union([
      z.number().int().min(1).max(200),
      z
        .array(z.object({ name: name.optional(), members: z.array(name).max(8).default([]) }).strict())
        .min(1)
        .max(200),
    ]),
  })
  .strict()
  .openapi('CreateExerciseBody');

export const StepBody = z
  .object({ step: z.string().min(1).max(100) })
  .strict()
  .openapi('StepBody');
export const SpeedBody = z
  .object({ speed: z.number().positive().max(1000) })
  .strict()
  .openapi('SpeedBody');
export const HintBody = z
  .object({ step: z.string().min(1).max(100), hint: z.string().min(1).max(100) })
  .strict()
  .openapi('HintBody');
export const ResetBody = z
  .object({ node: z.string().min(1).max(60).optional() })
  .strict()
  .openapi('ResetBody');
/** events as the log stores them, each validated by the event schema once the exercise is filled in */
export const EventsBody = z
  .object({ events: z.array(z.record(z.unknown())).min(1).max(1000) })
  .strict()
  .openapi('EventsBody');

export const FindingBody = z
  .object({
    indicatorType: z.enum(INDICATOR_TYPES).optional(),
    value: z.string().min(1).max(500).optional(),
    technique: z
      .string()
      .regex(/^T\d{4}(\.\d{3})?$/)
      .optional(),
    text: z.string().max(4000).default(''),
  })
  .strict()
  .refine((f) => (f.indicatorType && f.value) || f.technique, {
    message: 'give an indicator (indicatorType and value) or an ATT&CK technique',
  })
  .openapi('FindingBody');

export const ActionBody = z
  .object({ node: z.string().max(60).optional(), what: z.string().min(1).max(4000) })
  .strict()
  .openapi('ActionBody');

export const ReportBody = z
  .object({
    kind: z.enum(['first', 'update', 'final']),
    language: z.enum(['ja', 'en']),
    fields: ReportFieldsSchema.strict(),
    recipients: z.array(z.enum(REPORT_RECIPIENTS)).max(REPORT_RECIPIENTS.length).optional(),
    channels: z.array(z.enum(REPORT_CHANNELS)).max(REPORT_CHANNELS.length).optional(),
  })
  .strict()
  .openapi('ReportBody');

export const RecoveryBody = z
  .object({ what: z.string().min(1).max(4000) })
  .strict()
  .openapi('RecoveryBody');
export const GradeBody = z
  .object({ grade: z.number().min(0).max(1), comment: z.string().max(4000).default('') })
  .strict()
  .openapi('GradeBody');

// query values arrive as text; digits become a number, anything else fails the number check (400).
// Not z.coerce: it would also accept null and '' and so document the parameter as nullable.
const wholeNumber = z.preprocess(
  (v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v),
  z.number().int().min(0),
);
export const EventsQuery = z.object({
  after: wholeNumber.optional().describe('only events after this log position (seq); default 0'),
});
export const YearlyQuery = z.object({
  format: z.enum(['json', 'csv']).default('json').describe('csv: a spreadsheet (UTF-8 with BOM) instead of JSON'),
  lang: z.enum(['ja', 'en']).default('ja').describe("the CSV's headers"),
});
export const YearlyImportBody = z
  .object({
    csv: z
      .string()
      .min(1)
      .max(1_000_000)
      .describe(
        'the CSV text (fiscal_year, course, sessions, participants, venues, period; or 年度, コース, 開催回数, 受講者数, 開催地, 実施時期)',
      ),
  })
  .strict()
  .openapi('YearlyImportBody');

export const FormatQuery = z.object({
  format: z.enum(['json', 'csv']).default('json').describe('csv: a spreadsheet (UTF-8 with BOM) instead of JSON'),
});

// ---- answers: the protocol's shapes, named

const Principal = PrincipalSchema.openapi('Principal');
const ExerciseRow = ExerciseRowSchema.openapi('ExerciseRow');
/** the full row for staff, the trainee's allow-list for trainees */
const ExerciseView = ExerciseViewSchema.openapi('ExerciseView');
const TeamRow = TeamRowSchema.openapi('TeamRow');
const TeamView = TeamViewSchema.openapi('TeamView');
const TeamScore = TeamScoreSchema.openapi('TeamScore');
const StoredEvent = StoredEventSchema.openapi('StoredEvent');
const RunnerState = RunnerStateSchema.openapi('RunnerState');
const RangeView = RangeViewSchema.openapi('RangeView');

export const Answer = {
  Health: z
    .object({
      ok: z.literal(true),
      schema: z.number().int().describe('the store’s schema version'),
      engine: z.string().nullable().describe('the container engine’s endpoint; null: the server runs without ranges'),
      engineStatus: z
        .object({
          state: z.enum(['up', 'down', 'none']),
          endpoint: z.string().nullable(),
          since: iso,
          error: z.string().optional(),
          degradedTeams: z
            .number()
            .int()
            .describe('how many team ranges are degraded now (which ones: range.degraded events, staff only)'),
        })
        .describe('the engine as the engine watch sees it'),
      startedAt: iso,
    })
    .openapi('Health'),
  /** the OpenAPI document itself, described only as far as a client needs to recognise it (the rest is open) */
  Docs: z
    .object({
      openapi: z.string(),
      info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
      paths: z.record(z.unknown()).optional(),
    })
    .catchall(z.unknown())
    .openapi('OpenApiDocument'),
  Login: z.object({ token: z.string(), role: staffRole }).openapi('LoginAnswer'),
  Join: z
    .object({
      token: z.string(),
      role: z.literal('trainee'),
      exercise: z.string(),
      team: TeamIdSchema,
      teamName: z.string(),
    })
    .openapi('JoinAnswer'),
  Principal,
  User: z.object({ user: z.string(), role: staffRole }).openapi('UserAnswer'),
  UserDeleted: z.object({ user: z.string(), deleted: z.literal(true) }).openapi('UserDeletedAnswer'),
  LoggedOut: z.object({ ok: z.literal(true) }).openapi('LogoutAnswer'),
  /** the caller's other tokens are revoked; this new one replaces the one used for the call */
  PasswordChanged: z.object({ token: z.string(), role: staffRole }).openapi('PasswordChangedAnswer'),
  Users: z.object({ users: z.array(z.object({ name: z.string(), role: staffRole })) }).openapi('UsersAnswer'),
  Exercises: z.object({ exercises: z.array(ExerciseView) }).openapi('ExercisesAnswer'),
  Created: z.object({ exercise: ExerciseRow, teams: z.array(TeamRow) }).openapi('CreatedAnswer'),
  ExerciseDetail: z
    .object({ exercise: ExerciseView, teams: z.array(TeamView), runners: z.record(RunnerState).optional() })
    .openapi('ExerciseDetailAnswer'),
  Exercise: z.object({ exercise: ExerciseRow }).openapi('ExerciseAnswer'),
  Speed: z.object({ speed: z.number() }).openapi('SpeedAnswer'),
  Events: z.object({ events: z.array(StoredEvent) }).openapi('EventsAnswer'),
  Event: z.object({ event: StoredEvent }).openapi('EventAnswer'),
  Scores: z.object({ scores: z.array(TeamScore), frozenAt: iso.optional() }).openapi('ScoresAnswer'),
  TeamScore: z.object({ score: TeamScore.nullable(), frozenAt: iso.optional() }).openapi('TeamScoreAnswer'),
  Snapshot: SnapshotSchema.openapi('Snapshot'),
  RunnerState: z.object({ state: RunnerState }).openapi('RunnerStateAnswer'),
  Reset: z
    .object({ reset: z.object({ exercise: z.string(), team: z.string(), node: z.string().nullable() }) })
    .openapi('ResetAnswer'),
  Timeline: TeamTimelineSchema.openapi('TeamTimeline'),
  Results: ExerciseResultSchema.openapi('ExerciseResult'),
  Stats: z.object({ stats: z.array(CourseYearStatsSchema.openapi('CourseYearStats')) }).openapi('StatsAnswer'),
  Yearly: z.object({ table: YearlyTableSchema.openapi('YearlyTable') }).openapi('YearlyAnswer'),
  YearlyImport: z.object({ imported: z.number().int(), table: YearlyTableSchema }).openapi('YearlyImportAnswer'),
  Hints: z.object({ steps: z.array(StepHintsSchema.openapi('StepHints')) }).openapi('HintsAnswer'),
  Glossary: GlossarySchema.openapi('Glossary'),
  Ranges: z.object({ teams: z.array(RangeView) }).openapi('RangesAnswer'),
  Range: RangeView,
  Logs: z
    .object({
      lines: z.array(LogLineSchema.openapi('LogLine')),
      /** false: the topology has no SOC node to search */
      available: z.boolean(),
      nodes: z.array(z.string()).optional(),
      services: z.array(z.string()).optional(),
      /** older matching lines exist before these (ask again with ?skip= the lines already held) */
      more: z.boolean().optional(),
    })
    .openapi('LogsAnswer'),
};
