/**
 * Incidents as they arrive from outside the attack (issue #17): SOC alerts, injects (calls,
 * requests, notices) and the vendor (A Solutions) as a partner. The request bodies the server
 * validates, and the views each role gets: trainees see the alert as a SOC would send it and the
 * message as it reached them — never the rule behind an alert, the reaction an inject expects, or
 * whether a vendor answer is right.
 */
import { z } from 'zod';
import { InjectExpectSchema } from './events.js';
import { ALERT_SEVERITIES, INJECT_KINDS, TEAM_ID_PATTERN } from './vocabulary.js';

const words = z.object({ ja: z.string().max(4000), en: z.string().max(4000) });
const iso = z.string().datetime({ offset: true });

/** An instructor's inject: to one team, several, or every team of the exercise. */
export const InjectRequestSchema = z
  .object({
    teams: z.union([z.literal('all'), z.array(z.string().regex(TEAM_ID_PATTERN)).min(1).max(200)]),
    kind: z.enum(INJECT_KINDS),
    from: z.string().min(1).max(200),
    /** one language is enough: it is shown for both when the other is missing */
    message: z.object({ ja: z.string().max(4000).optional(), en: z.string().max(4000).optional() }).strict(),
    expect: InjectExpectSchema.optional(),
  })
  .strict()
  .refine((r) => !!(r.message.ja?.trim() || r.message.en?.trim()), { message: 'the message is empty' });
export type InjectRequest = z.input<typeof InjectRequestSchema>;

export const InjectSentSchema = z.object({ sent: z.array(z.object({ team: z.string(), id: z.string() })) });

/** A team's question to the vendor. */
export const VendorQuestionSchema = z
  .object({ topic: z.string().min(1).max(60), question: z.string().max(2000).default('') })
  .strict();
export type VendorQuestion = z.input<typeof VendorQuestionSchema>;

/** What a team may ask the vendor about (the scenario's topics; no answers). */
export const VendorTopicSchema = z.object({ id: z.string(), title: words });
export type VendorTopic = z.infer<typeof VendorTopicSchema>;

/** One item of a team's incident panel. */
export const IncidentItemSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('soc.alert'),
    seq: z.number().int(),
    at: iso,
    id: z.string(),
    title: words,
    severity: z.enum(ALERT_SEVERITIES),
    node: z.string(),
    count: z.number().int(),
    /** staff only (trainees search the log from `node` and `since` themselves) */
    evidence: z.array(z.string()).optional(),
    since: iso.optional(),
    /** staff only */
    rule: z.string().optional(),
  }),
  z.object({
    type: z.literal('inject.sent'),
    seq: z.number().int(),
    at: iso,
    id: z.string(),
    kind: z.enum(INJECT_KINDS),
    from: z.string(),
    message: words,
    /** when the message asks for an answer by a time: that time (the expected reaction itself is staff only) */
    dueAt: iso.optional(),
    expect: InjectExpectSchema.optional(),
  }),
  z.object({
    type: z.literal('vendor.asked'),
    seq: z.number().int(),
    at: iso,
    id: z.string(),
    by: z.string(),
    topic: z.string(),
    question: z.string(),
  }),
  z.object({
    type: z.literal('vendor.answered'),
    seq: z.number().int(),
    at: iso,
    id: z.string(),
    topic: z.string(),
    answer: words,
    /** staff only */
    accurate: z.boolean().optional(),
  }),
]);
export type IncidentItem = z.infer<typeof IncidentItemSchema>;

export const IncidentsSchema = z.object({ items: z.array(IncidentItemSchema), topics: z.array(VendorTopicSchema) });
export type Incidents = z.infer<typeof IncidentsSchema>;
