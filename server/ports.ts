/**
 * What the server needs from the attacker and the scoring rules, as narrow interfaces.
 * `wiring.ts` binds them to attacker/ and scoreboard/; tests and the benchmark use the same wiring.
 */
import type { EventSink, StoredEvent, Phase, ReportDeadlines, RunnerState, TeamScore } from '../protocol/index.js';
import type { GroundTruth } from '../core/index.js';
import type { Engine } from '../orchestrator/index.js';
import type { InjectKind } from '../protocol/index.js';

/** One team's pseudo-attacker (attacker/'s AttackRunner). */
export interface AttackRunnerLike {
  start(): unknown;
  pause(): unknown;
  resume(): unknown;
  stop(): unknown;
  skip(step: string): unknown;
  replay(step: string): unknown;
  setSpeed(x: number): unknown;
  /** what the instructor's timeline shows; REST answers carry it as it is */
  state(): RunnerState;
  on(event: 'state', fn: (s: RunnerState) => void): unknown;
  /** continue an attack a previous server started, from the team's log (`lastSeen`: the log's newest time) */
  restore?(history: readonly StoredEvent[], o: { lastSeen?: string }): unknown;
  /** the server shuts down: stop the clock where it is, to be restored by the next server */
  suspend?(): unknown;
  /** the range is back: steps that failed only because their node was down run again (their ids) */
  reopenNodeFailures?(why: string): string[];
}

/**
 * A scenario's injects and vendor topics for one team (messages rendered with its facts; times in
 * scenario seconds).
 */
export interface ScenarioIncidents {
  injects: {
    id: string;
    when: { at: number } | { after: string[]; delay: number };
    kind: InjectKind;
    from: string;
    message: { ja: string; en: string };
    expect?: { kind: string; recipient?: string | undefined; within: number; points: number } | undefined;
  }[];
  vendor:
    | {
        name: string;
        delay: number;
        topics: {
          id: string;
          title: { ja: string; en: string };
          answer: { ja: string; en: string };
          delay?: number | undefined;
          accurate: boolean;
        }[];
      }
    | undefined;
}

export interface AttackPort {
  listScenarios(): unknown[];
  /** injects and vendor topics of a scenario (issue #17); absent: none */
  incidents?(scenario: string, o: { exercise: string; team: string; seed: number }): ScenarioIncidents;
  /** `ips`: node and node.segment → address in the team's range (indicators that name addresses need them) */
  groundTruth(
    scenario: string,
    o: { exercise: string; team: string; seed: number; ips?: Record<string, string> },
  ): GroundTruth;
  /** absent: exercises run without a pseudo-attacker (instructor-driven drills, injected logs) */
  runner?(o: {
    engine: Engine;
    exercise: string;
    team: string;
    scenario: string;
    seed: number;
    sink: EventSink;
    speed: number;
  }): AttackRunnerLike;
}

export type { Phase, TeamScore };

/** Incremental scoring of one exercise: fold events in as they are appended, read scores at any moment. */
export interface ScoreFolder {
  add(event: StoredEvent): void;
  scores(now: Date): TeamScore[];
  /**
   * `scores` of some teams only (their `rank` is left for the caller to set from every team's
   * total): one event costs its team's scores, not all of them. Absent: the caller uses `scores`.
   */
  scoresOf?(teams: readonly string[], now: Date): TeamScore[];
  /** a team's report deadlines from the events folded so far, equal to `ScoringPort.deadlines` over them */
  deadlines?(team: string, now: Date): ReportDeadlines;
}

export interface ScoringPort {
  /** an incremental folder for an exercise, equal to `compute` over the same events */
  fold(ctx: { exercise: string; course: string; truths: Map<string, GroundTruth> }): ScoreFolder;
  compute(
    events: readonly StoredEvent[],
    ctx: { exercise: string; course: string; truths: Map<string, GroundTruth>; now: Date },
  ): TeamScore[];
  /**
   * the course's visibility rules, and the report deadlines the trainees' report clock counts down to
   * (server/visibility fills in what a port leaves out with the strictest view)
   */
  visibility(course: string): {
    traineesSeeRanking: boolean;
    afterActionForTrainees?: boolean;
    firstDeadlineMinutes?: number;
    updateIntervalMinutes?: number;
  };
  /**
   * when trainees' view of the board freezes (a score.frozen event, or minutes before the scheduled
   * end); the server passes the log's `score.frozen` events only, the freeze depends on no other
   */
  freezeAt(events: readonly StoredEvent[], course: string, endsAt: string | undefined): string | undefined;
  /**
   * a team's report deadlines as the scoring counts them (exercise clock: pauses and attack speed),
   * what the trainee's countdown shows; without it server/visibility counts wall-clock minutes
   */
  deadlines?(
    events: readonly StoredEvent[],
    ctx: { course: string; team: string; truths: Map<string, GroundTruth>; now: Date },
  ): ReportDeadlines;
}
