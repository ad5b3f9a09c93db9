/**
 * The names every part of enshu shares with the browser, each written once: courses, phases,
 * indicator types, report fields, exercise states, roles and the id patterns. Pure values, no
 * imports, so the web bundle can take them as they are.
 */

/** Course ids; one file each in `topologies/courses/` (a unit test keeps the two in step). */
export const COURSE_IDS = ['A', 'B-1', 'B-2', 'C', 'online-standard', 'online-intro'] as const;
export type CourseId = (typeof COURSE_IDS)[number];

/** The four phases of incident handling a team is scored on, in the order they are shown. */
export const PHASES = ['detection', 'response', 'reporting', 'recovery'] as const;
export type Phase = (typeof PHASES)[number];

/** What a finding may name. */
export const INDICATOR_TYPES = [
  'ip',
  'domain',
  'url',
  'hash',
  'account',
  'file',
  'process',
  'log',
  'email',
  'port',
] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/** The fields of an incident report, in the order the form shows them. */
export const REPORT_FIELDS = ['occurredAt', 'affected', 'cause', 'outlook', 'alternatives', 'actions'] as const;
export type ReportField = (typeof REPORT_FIELDS)[number];

export const EXERCISE_STATES = ['created', 'provisioning', 'ready', 'running', 'paused', 'ended', 'archived'] as const;
export type ExerciseState = (typeof EXERCISE_STATES)[number];

export const ROLES = ['instructor', 'organizer', 'trainee'] as const;
export type Role = (typeof ROLES)[number];
export type StaffRole = Exclude<Role, 'trainee'>;

/** Team ids are `t01`, `t02`, … (`t100` and up for large sessions). */
export const TEAM_ID_PATTERN = /^t\d{2,3}$/;
/** Exercise ids name Docker objects, so they are short and lower-case. */
export const EXERCISE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,19}$/;
/** Node names in a topology. */
export const NODE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,40}$/;

/**
 * Kinds of an incident report as the MIC outage-notice guideline names them: 第一報 (first),
 * 続報 (update, at least hourly), 最終報 (final: recovery and measures; no updates after it).
 */
export const REPORT_KINDS = ['first', 'update', 'final'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/**
 * Who a report is addressed to: the organisation's management / CISO, the supervising authority
 * (総務省・都道府県 or the sector's ministry), the public (the notice on the web site), the
 * emergency-call bodies (told after the public notice) and, where personal data leaked, the
 * Personal Information Protection Commission (個人情報保護委員会).
 */
export const REPORT_RECIPIENTS = ['management', 'authority', 'public', 'emergency', 'ppc'] as const;
export type ReportRecipient = (typeof REPORT_RECIPIENTS)[number];

/** Where a notice to the public is published (guideline ⑤: several media). `web` is checked on the range's web site. */
export const REPORT_CHANNELS = ['web', 'sns', 'signage', 'press'] as const;
export type ReportChannel = (typeof REPORT_CHANNELS)[number];

/**
 * Who an inject comes from (incidents as they really arrive, issue #17): a citizen or customer
 * calling, management asking, a ministry notice, the vendor (A Solutions), the SOC, the press.
 */
export const INJECT_KINDS = ['citizen-call', 'management', 'ministry', 'vendor', 'soc', 'press', 'other'] as const;
export type InjectKind = (typeof INJECT_KINDS)[number];

/** How serious a SOC alert is, as the SOC rates it. */
export const ALERT_SEVERITIES = ['low', 'medium', 'high'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
