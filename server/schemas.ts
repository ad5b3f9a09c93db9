/** Request bodies, validated once at the boundary. The OpenAPI document is generated from these. */
import { z } from 'zod';
import { INDICATOR_TYPES, ReportFieldsSchema } from '../protocol/index.js';

const name = z.string().trim().min(1).max(80);
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,30}$/, 'lower-case letters, digits and dashes, at most 31 characters');
const iso = z.string().datetime({ offset: true });

export const LoginBody = z.object({ user: name, password: z.string().min(1).max(200) }).strict();
export const JoinBody = z.object({ code: z.string().trim().min(4).max(20), name }).strict();
export const UserBody = z.object({ name, role: z.enum(['instructor', 'organizer']), password: z.string().min(10).max(200) }).strict();

export const CreateExerciseBody = z.object({
  id,
  title: z.string().max(200).optional(),
  course: z.enum(['A', 'B-1', 'B-2', 'C', 'online-standard', 'online-intro']),
  scenario: z.string().min(1).max(100),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
  topology: z.string().max(200).optional(),
  speed: z.number().positive().max(1000).default(1),
  schedule: z.object({ start: iso.optional(), end: iso.optional() }).strict().default({}),
  /** a number of teams, or the teams with their members */
  teams: z.union([
    z.number().int().min(1).max(200),
    z.array(z.object({ name: name.optional(), members: z.array(name).max(8).default([]) }).strict()).min(1).max(200),
  ]),
}).strict();

export const StepBody = z.object({ step: z.string().min(1).max(100) }).strict();
export const SpeedBody = z.object({ speed: z.number().positive().max(1000) }).strict();
export const HintBody = z.object({ step: z.string().min(1).max(100), hint: z.string().min(1).max(100) }).strict();
export const ResetBody = z.object({ node: z.string().min(1).max(60).optional() }).strict();


export const FindingBody = z.object({
  indicatorType: z.enum(INDICATOR_TYPES).optional(),
  value: z.string().min(1).max(500).optional(),
  technique: z.string().regex(/^T\d{4}(\.\d{3})?$/).optional(),
  text: z.string().max(4000).default(''),
}).strict().refine((f) => (f.indicatorType && f.value) || f.technique, { message: 'give an indicator (indicatorType and value) or an ATT&CK technique' });

export const ActionBody = z.object({ node: z.string().max(60).optional(), what: z.string().min(1).max(4000) }).strict();

export const ReportBody = z.object({
  kind: z.enum(['first', 'update', 'final']),
  language: z.enum(['ja', 'en']),
  fields: ReportFieldsSchema.strict(),
}).strict();

export const RecoveryBody = z.object({ what: z.string().min(1).max(4000) }).strict();
export const GradeBody = z.object({ grade: z.number().min(0).max(1), comment: z.string().max(4000).default('') }).strict();
