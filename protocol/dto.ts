/**
 * What the server sends: the shapes of REST answers and socket messages, shared with the web UI.
 * Types only. The rooms that produce these values take their types from here, so a change to
 * the wire is a change in one place and the compiler finds every producer and consumer.
 */
import type { EnshuEvent } from './events.js';
import type { ExerciseState, Phase, Role } from './vocabulary.js';

/** Who a bearer token speaks for. Trainee principals are bound to one exercise and team. */
export interface Principal {
  role: Role;
  subject: string;
  exercise?: string;
  team?: string;
}

export interface Schedule {
  start?: string;
  end?: string;
}

export interface ExerciseRow {
  id: string;
  title: string;
  course: string;
  scenario: string;
  seed: number;
  topology: string | null;
  state: ExerciseState;
  speed: number;
  schedule: Schedule;
  createdAt: string;
  updatedAt: string;
}

export interface TeamRow {
  exercise: string;
  id: string;
  name: string;
  joinCode: string;
  members: string[];
}

/** A team as a client may see it (join codes only for staff). */
export type TeamView = Omit<TeamRow, 'joinCode'> & { joinCode?: string };

/** A team's score as the server pushes it: the total, the four phases, and the rules' own breakdown. */
export interface TeamScore {
  team: string;
  total: number;
  phases: Record<Phase, number>;
  /** rank among the exercise's teams (1 = best) */
  rank?: number;
  /** the scoring rules' full breakdown (earned/lost items with the events behind them) */
  detail?: unknown;
}

export interface ScoreDelta {
  exercise: string;
  team: string;
  score: TeamScore;
  /** what the team had before, without the breakdown (undefined on its first score) */
  previous?: TeamScore;
  /** highest log position folded into this score */
  seq: number;
  /** when the newest event behind the delta was appended (server clock, ms) */
  causeAppendedAt: number;
  /** what moved the score: a new event, or time alone (a report deadline passed, an outage went on) */
  cause?: 'event' | 'time';
}

export interface ExerciseResult {
  exercise: ExerciseRow;
  teams: { team: string; name: string; members: string[]; score: TeamScore | null }[];
}

/** Progress of long range operations, for the CLI's bars and the server's sockets. */
export type RangeStep = 'plan' | 'images' | 'network' | 'host-rules' | 'container' | 'health' | 'ready' | 'remove';

export interface RangeProgress {
  exercise: string;
  team?: string;
  node?: string;
  step: RangeStep;
  status: 'start' | 'done' | 'failed' | 'info';
  message: string;
  /** units of work finished / planned for this team (or exercise when no team) */
  done?: number;
  total?: number;
  at: string;
}

/** A team's range as the workspace draws it. */
export interface RangeNodeView {
  node: string;
  role: string;
  title: string;
  state: string;
  health: string;
  /** segment → address */
  ips: Record<string, string>;
  users: string[];
}

export interface RangeView {
  team: string;
  ready: boolean;
  segments: { name: string; purpose: string; subnet: string }[];
  nodes: RangeNodeView[];
}

/** One line of a team's SOC log search. */
export interface LogLine {
  at: string;
  team?: string;
  node: string;
  service: string;
  msg: string;
}

/** How an attack step ended. */
export type Outcome = 'succeeded' | 'blocked' | 'failed' | 'skipped';

/** `suspended`: the server shut down with the attack open; a new runner resumes it from the log (`restore`). */
export type RunnerStatus = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped' | 'finished' | 'suspended';
export type StepStatus = 'pending' | 'waiting' | 'running' | Outcome;

/** One step of a team's pseudo-attacker as the instructor's timeline shows it. */
export interface StepState {
  id: string;
  technique: string;
  tactic: string;
  node: string;
  kind: string;
  status: StepStatus;
  /** what a waiting step waits for, in words */
  waitingFor?: string;
  /** scenario seconds at which it fires, once known */
  dueAt?: number;
  plannedOffset: number;
  startedAt?: string;
  endedAt?: string;
  reason?: string;
  evidence?: string;
  /** its else branch runs */
  branchTaken: boolean;
  /** the instructor skipped it: later steps go on without it */
  skippedByInstructor: boolean;
  runs: number;
  /** scenario clock when it ended */
  endClock?: number;
}

export interface RunnerState {
  exercise: string;
  team: string;
  scenario: string;
  seed: string;
  status: RunnerStatus;
  /** scenario seconds since start */
  clock: number;
  speed: number;
  steps: StepState[];
  cleanups: number;
}

export type TimelineLane = 'attack' | 'detection' | 'response' | 'reporting' | 'check' | 'recovery' | 'hint' | 'exercise';

/** One entry of a team's after-action timeline. */
export interface TimelineEntry {
  at: string;
  seq: number;
  lane: TimelineLane;
  type: EnshuEvent['type'];
  /** one line in the exercise's words (step title, finding value, check id…) */
  summary: { ja: string; en: string };
  step?: string;
  technique?: string;
  /** attack outcome, or whether a check passed */
  outcome?: string;
  /** points the event earned or cost (sum of its score items) */
  points?: number;
}
