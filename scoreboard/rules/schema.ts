/**
 * Scoring rules of a course, as written in `scoreboard/rules/<course>.yaml`. A course file
 * holds only what differs from `default.yaml`; the merged result must satisfy RulesSchema.
 * Points are raw points; each phase's sum is multiplied by its weight.
 */
import { z } from 'zod';
import { OutcomeSchema, REPORT_RECIPIENTS } from '../../protocol/index.js';

const points = z.number().min(0).max(10_000);
const minutes = z
  .number()
  .min(0)
  .max(24 * 60);

export const DecaySchema = z
  .object({
    /** full points while the team answers within this many minutes of the attacker step */
    graceMinutes: minutes,
    /** after the grace, points halve every this many minutes (0: no decay) */
    halfLifeMinutes: minutes,
    /** a late answer still earns at least this fraction */
    floor: z.number().min(0).max(1),
  })
  .strict();

export const RulesSchema = z
  .object({
    /** id of the course the rules are for ("default" for the shared base) */
    course: z.string().min(1),
    weights: z
      .object({
        detection: z.number().min(0),
        response: z.number().min(0),
        reporting: z.number().min(0),
        recovery: z.number().min(0),
      })
      .strict(),
    decay: DecaySchema,
    /** outcomes of an attack.step that make it "happened" (a defender can see its traces) */
    happened: z.array(OutcomeSchema).min(1),
    detection: z
      .object({
        indicatorPoints: points,
        /** per indicator type, overriding indicatorPoints */
        indicatorPointsByType: z.record(z.string(), points).default({}),
        techniquePoints: points,
        /** a technique finding naming the parent (T1071) of the step's sub-technique (T1071.001) */
        parentTechniqueFraction: z.number().min(0).max(1),
        falsePositivePenalty: points,
        /** false positives beyond this many cost nothing more (0: no cap) */
        falsePositiveMax: z.number().int().min(0),
      })
      .strict(),
    response: z.object({ containmentPoints: points, pointsByCheck: z.record(z.string(), points).default({}) }).strict(),
    recovery: z
      .object({
        recoveryPoints: points,
        pointsByCheck: z.record(z.string(), points).default({}),
        availability: z
          .object({
            penaltyPerMinute: points,
            /** an outage shorter than this costs nothing (a service restart) */
            graceMinutes: minutes,
            /** cap per availability check (0: no cap) */
            maxPenaltyPerCheck: points,
          })
          .strict(),
      })
      .strict(),
    reporting: z
      .object({
        /** the first report is due this long after the clock started (`clockStartsAt`) */
        firstDeadlineMinutes: minutes,
        /** updates are due at least this often after the previous report until a final report */
        updateIntervalMinutes: z
          .number()
          .min(1)
          .max(24 * 60),
        /** an update sooner than this after the previous credited report earns nothing (no spamming) */
        updateMinGapMinutes: minutes,
        firstOnTimePoints: points,
        firstLatePoints: points,
        updateOnTimePoints: points,
        /** per started interval an update was overdue */
        missedUpdatePenalty: points,
        /** per required guideline field filled in a credited report */
        fieldPoints: points,
        /** a field shorter than this (after trimming) counts as empty */
        minFieldChars: z.number().int().min(0).max(200),
        /** per distinct jargon term in a credited report */
        jargonPenalty: points,
        jargonMaxPerReport: points,
        /** the instructor's grade (0..1) times this */
        gradePoints: points,
        /**
         * what starts the report clock (MIC guideline: 30 minutes after the incident occurred):
         * `first-effect` the first attack step that happened with something a team could notice
         * (traces, an alert) — a team that stopped the attack early still had an incident;
         * `impact` the first successful impact step; `first-finding` the team's own first finding
         * (beginners' courses)
         */
        clockStartsAt: z.enum(['first-effect', 'impact', 'first-finding']).default('first-effect'),
        /** who must be told (each earns `recipientPoints` when told by the first-report deadline) */
        requiredRecipients: z.array(z.enum(REPORT_RECIPIENTS)).default(['management', 'authority', 'public']),
        recipientPoints: points.default(3),
        /** the notice to the public is seen on the team's web site (its top page) */
        noticePostedPoints: points.default(10),
        /** each later public report that the web site shows */
        noticeUpdatedPoints: points.default(5),
        /** the notice disappeared from the web site before the final report (per time it went) */
        noticeTakenDownPenalty: points.default(15),
      })
      .strict(),
    hints: z
      .object({
        /** phase the cost of hints is charged to */
        phase: z.enum(['detection', 'response', 'reporting', 'recovery']),
        /** multiplier of a bought hint's cost */
        boughtFactor: z.number().min(0),
        /** multiplier of the cost of a hint the instructor released (0: free) */
        releasedFactor: z.number().min(0),
      })
      .strict(),
    visibility: z
      .object({
        traineesSeeRanking: z.boolean(),
        /** trainees see the board frozen this many minutes before the scheduled end (0: never) */
        freezeMinutesBeforeEnd: minutes,
        /** once the exercise has ended, trainees may read their team's full after-action timeline */
        afterActionForTrainees: z.boolean().default(true),
      })
      .strict(),
  })
  .strict();

export type Rules = z.output<typeof RulesSchema>;
export type RulesInput = z.input<typeof RulesSchema>;

/** What a course file may hold: any subset of the rules (checked field by field where it is written). */
export const RulesOverrideSchema = RulesSchema.deepPartial().strict();
export type RulesOverride = z.output<typeof RulesOverrideSchema>;

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge of plain objects; arrays and scalars of `over` replace those of `base`. */
export function mergeRules(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeRules(base[k], v);
  return out;
}

/** Rules with some fields changed (what-if replays, tests); the result is validated again. */
export function withRules(rules: Rules, change: RulesOverride | Record<string, unknown>): Rules {
  return RulesSchema.parse(mergeRules(rules, change));
}
