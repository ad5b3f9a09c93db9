/**
 * The scenario file format: metadata, per-team facts, timed steps with ATT&CK ids, actions,
 * branching, cleanup, and the ground truth (indicators, checks, hints) scoring reads.
 */
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../protocol/index.js';
import { INJECT_KINDS } from '../../protocol/index.js';

const ID = /^[a-z][a-z0-9-]{0,47}$/;
const id = z.string().regex(ID, 'must be lower-case letters, digits and "-", starting with a letter');
const text = z.object({ ja: z.string().min(1), en: z.string().min(1) }).strict();

/** "90s", "5m", "1h30m", or a number of seconds. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
export const DurationSchema = z
  .union([
    z.number().min(0),
    z
      .string()
      .regex(DURATION, 'must be a duration like "90s", "5m" or "1h30m"')
      .refine((s) => s.length > 0, 'empty duration'),
  ])
  .transform((v) => (typeof v === 'number' ? v : parseDuration(v)));

export function parseDuration(s: string): number {
  const m = DURATION.exec(s);
  if (!m) return Number.NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

const FactSchema = z.union([
  z.object({ value: z.string() }).strict(),
  /**
   * a staff member of the team's organisation (core's teamFacts): also sets <name>_password, _email,
   * _name, _name_ja, _department
   */
  z
    .object({
      staff: z.object({ department: z.string().optional(), index: z.number().int().min(0).optional() }).strict(),
    })
    .strict(),
  /** a document on the team's file servers: also sets <name>_title, _department */
  z
    .object({
      document: z.object({ department: z.string().optional(), index: z.number().int().min(0).optional() }).strict(),
    })
    .strict(),
  /** a per-team secret of the range, e.g. the PCs' local admin password (`{secret:pc-admin}` in the topology) */
  z.object({ secret: z.string().regex(/^[a-z0-9-]+$/) }).strict(),
  z.object({ pick: z.array(z.string()).min(1) }).strict(),
  z
    .object({
      random: z.enum(['hex', 'alnum', 'digits', 'lower']),
      length: z.number().int().min(1).max(64).default(8),
      prefix: z.string().default(''),
      suffix: z.string().default(''),
    })
    .strict(),
]);

const WhenSchema = z.union([
  z.object({ at: DurationSchema, jitter: DurationSchema.default(0) }).strict(),
  z.object({ after: z.array(id).min(1), delay: DurationSchema.default(0), jitter: DurationSchema.default(0) }).strict(),
]);

export const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;
export const TACTICS = [
  'reconnaissance',
  'resource-development',
  'initial-access',
  'execution',
  'persistence',
  'privilege-escalation',
  'defense-evasion',
  'credential-access',
  'discovery',
  'lateral-movement',
  'collection',
  'command-and-control',
  'exfiltration',
  'impact',
] as const;

const ActionSchema = z
  .object({
    kind: z.string().min(1),
    params: z.record(z.unknown()).default({}),
  })
  .strict();

/** A condition evaluated when the step is due; false → the step is skipped and its `else` runs. */
const ConditionSchema = z.union([
  z.object({ step: id, outcome: z.array(z.enum(['succeeded', 'blocked', 'failed', 'skipped'])).min(1) }).strict(),
  z.object({ node: z.string().min(1), command: z.string().min(1) }).strict(),
]);

/** Typed probes (core's `Probe`): node fields take node names or names from `nodes`; strings are templates. */
const node = z.string().min(1);
const port = z.number().int().min(1).max(65535);
const ProbeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('process-absent'), node, pattern: z.string().min(1) }).strict(),
  z
    .object({ kind: z.literal('file-absent'), node, path: z.string().min(1), name: z.string().min(1).optional() })
    .strict(),
  z.object({ kind: z.literal('file-contains'), node, path: z.string().min(1), pattern: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('file-lacks'), node, path: z.string().min(1), pattern: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('tcp-blocked'), from: node, to: z.string().min(1), port }).strict(),
  z.object({ kind: z.literal('icmp-blocked'), from: node, to: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('proxy-blocked'), node, port: port.default(3128), url: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('tcp-listening'), node, port }).strict(),
  z
    .object({
      kind: z.literal('login-refused'),
      node,
      service: z.enum(['samba', 'orders', 'unix']),
      user: z.string().min(1),
      password: z.string().min(1),
    })
    .strict(),
]);

/**
 * A check: typed `probe` (one, or a list that must all pass) — looked at without a trace in the
 * range — or, for ad-hoc scenarios, a shell `command` run in `node` (visible in its processes).
 */
const CheckSchema = z
  .object({
    id,
    title: text,
    node: z.string().min(1).optional(),
    command: z.string().min(1).optional(),
    user: z.string().optional(),
    probe: z.union([ProbeSchema, z.array(ProbeSchema).min(1)]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!!c.probe === !!c.command)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a check has either `probe` or `command`' });
    if (c.command && !c.node)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a check with a `command` needs its `node`' });
  });

const IndicatorSchema = z
  .object({
    type: z.enum(INDICATOR_TYPES),
    value: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();

const HintSchema = z.object({ id, text, cost: z.number().min(0).default(0) }).strict();

export const StepSchema = z
  .object({
    id,
    title: text,
    technique: z.string().regex(TECHNIQUE, 'must be an ATT&CK technique id like T1566 or T1566.001'),
    tactic: z.enum(TACTICS),
    when: WhenSchema,
    /** node (or a name from `nodes`) the action runs in; the attacker host by default */
    where: z.string().min(1).default('attacker'),
    action: ActionSchema,
    condition: ConditionSchema.optional(),
    /** steps that run instead when the condition is false or the action is blocked/failed */
    else: z.array(id).default([]),
    /** values read from the action's output with a regex group, usable as {{name}} afterwards */
    capture: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.string()).default({}),
    cleanup: z
      .object({ node: z.string().min(1).optional(), command: z.string().min(1) })
      .strict()
      .optional(),
    impact: z.boolean().default(false),
    indicators: z.array(IndicatorSchema).default([]),
    containment: z.array(CheckSchema).default([]),
    recovery: z.array(CheckSchema).default([]),
    hints: z.array(HintSchema).default([]),
  })
  .strict();

/**
 * A message from outside at a time of the scenario (issue #17): a citizen's call, management's
 * request, a ministry notice, the vendor's message. `expect` is the reaction it asks for, scored
 * after the exercise: the team's first `<kind>.submitted` event (to `recipient`, when the form
 * names one) within the time.
 */
const InjectSchema = z
  .object({
    id,
    when: WhenSchema,
    kind: z.enum(INJECT_KINDS),
    from: z.string().min(1).max(200),
    /** templates: the scenario's facts ({{marker}}…) */
    message: text,
    expect: z
      .object({
        kind: z.string().min(1).max(40),
        recipient: z.string().max(100).optional(),
        within: DurationSchema,
        points: z.number().min(0).max(100).default(5),
      })
      .strict()
      .optional(),
  })
  .strict();

/**
 * The vendor (A Solutions, 運用支援) as a partner: what a team may ask it about, and its scripted
 * answer after `delay` (scenario time) — late, or wrong (`accurate: false`), where the story says so.
 */
const VendorTopicSchema = z
  .object({
    id,
    title: text,
    answer: text,
    delay: DurationSchema.optional(),
    accurate: z.boolean().default(true),
  })
  .strict();
const VendorSchema = z
  .object({
    name: z.string().min(1).default('A Solutions'),
    delay: DurationSchema.default(300),
    topics: z.array(VendorTopicSchema).default([]),
  })
  .strict();

export const ScenarioSchema = z
  .object({
    id,
    title: text,
    courses: z.array(z.string().min(1)).min(1),
    expectedDuration: DurationSchema,
    summary: text,
    /** mail domain of the organisation, as the topology's `domain` (staff e-mail addresses) */
    domain: z.string().default('range.example'),
    /** logical names used by steps → node names of the team's range */
    nodes: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.string().min(1)).default({}),
    facts: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'fact names are lower_snake_case'), FactSchema).default({}),
    steps: z.array(StepSchema).min(1, 'a scenario needs at least one step'),
    availability: z.array(CheckSchema).default([]),
    injects: z.array(InjectSchema).default([]),
    vendor: VendorSchema.optional(),
  })
  .strict();

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Scenario = z.output<typeof ScenarioSchema> & { file?: string };
export type Step = z.output<typeof StepSchema>;
export type FactSpec = z.output<typeof FactSchema>;
export type StepCondition = z.output<typeof ConditionSchema>;
export type CheckInput = z.output<typeof CheckSchema>;
export type ProbeInput = z.output<typeof ProbeSchema>;
export type ScenarioInject = z.output<typeof InjectSchema>;
export type ScenarioVendor = z.output<typeof VendorSchema>;
