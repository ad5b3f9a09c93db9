/**
 * What every course's end-to-end test asks of its one-team exercise: the log, the attack's steps
 * and a check's results as the server stored them, a scored indicator, a patient wait that tells
 * the attack's story when it times out, and "the next delta in which this phase grew" on the
 * trainee's socket. The tests keep their state in their own variables; `state` reads it each time.
 */
import assert from 'node:assert/strict';
import type { GroundTruth } from '../../core/index.js';
import type { AttackStepEvent, CheckResultEvent, ScoreDelta, StoredEvent } from '../../protocol/index.js';
import { waitFor, type Client, type Running } from '../server/helpers.js';
import { until as waitUntil } from '../helpers/until.js';

export interface CourseState {
  exercise: string;
  team: string;
  run: Running;
  trainee: Client;
  traineeToken: string;
  /** the deltas seen on the trainee's current socket */
  deltas: ScoreDelta[];
  /** the team's phases as the last snapshot showed them (before any delta on the current socket) */
  latest: Record<string, number> | undefined;
  truth: GroundTruth;
}

export type Phase = 'detection' | 'response' | 'reporting' | 'recovery';

export function courseHelpers(state: () => CourseState) {
  const log = (): StoredEvent[] => state().run.server.store.events.list(state().exercise);
  const steps = () =>
    log().filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step' && e.team === state().team);
  const checks = (id: string) =>
    log().filter(
      (e): e is CheckResultEvent & { seq: number } =>
        e.type === 'check.result' && e.team === state().team && e.check === id,
    );
  const indicator = (step: string, type: string) => {
    const v = state()
      .truth.steps.find((s) => s.id === step)
      ?.indicators.find((i) => i.type === type)?.value;
    assert.ok(v, `${step} has a ${type} indicator`);
    return v;
  };

  /** waits as `until` does, and on a timeout tells what the attack did so far */
  const until = <T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms: number) =>
    waitUntil(what, f, ms, () => {
      const story = steps()
        .map((e) => `${e.step}=${e.outcome}${e.reason ? ` (${e.reason})` : ''}`)
        .join('; ');
      return `attack so far: ${story || 'nothing'}`;
    });

  /** The next delta of the team on the trainee's socket in which `phase` grew; on a timeout, what the server scored. */
  function phaseGrows(phase: Phase, ms = 120_000): Promise<ScoreDelta> {
    const s = state();
    const from = s.deltas.filter((d) => d.team === s.team).at(-1)?.score.phases[phase] ?? s.latest?.[phase] ?? 0;
    return (
      waitFor(s.trainee, 'score', (d) => d.team === s.team && d.score.phases[phase] > from, ms) as Promise<ScoreDelta>
    ).catch(async (err: Error) => {
      const now = await s.run.api<{ score: { phases: Record<string, number> } | null }>(
        'GET',
        `/api/exercises/${s.exercise}/teams/${s.team}/score`,
        undefined,
        s.traineeToken,
      );
      throw new Error(
        `${err.message}: no ${phase} delta on the trainee's socket (connected: ${s.trainee.connected}, deltas seen: ${s.deltas.length}); the server's score now: ${JSON.stringify(now.body.score?.phases)}`,
      );
    });
  }

  /**
   * Check `id` recorded true after log position `afterSeq`. The live checker looks at each check on
   * its own, so another check of the same phase may move the score first; a look asked just before
   * a fix may see it, so the proof of order is the log position, not the look's time stamp.
   */
  const turnsTrue = (id: string, afterSeq: number) =>
    until(
      `${id} recorded true`,
      () => {
        const x = checks(id).at(-1);
        return x?.passed && x.seq > afterSeq ? x : undefined;
      },
      120_000,
    );
  return { log, steps, checks, indicator, until, phaseGrows, turnsTrue };
}
