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
 * Who an inject comes from (incidents as they really arrive, issue #17): a citizen or customer
 * calling, management asking, a ministry notice, the vendor (A Solutions), the SOC, the press.
 */
export const INJECT_KINDS = ['citizen-call', 'management', 'ministry', 'vendor', 'soc', 'press', 'other'] as const;
export type InjectKind = (typeof INJECT_KINDS)[number];

/** How serious a SOC alert is, as the SOC rates it. */
export const ALERT_SEVERITIES = ['low', 'medium', 'high'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
