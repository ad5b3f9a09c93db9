/**
 * An exercise's life: created from a course, its team ranges provisioned, started, paused, resumed,
 * ended, archived. The allowed moves are the store's state machine; each move is an event and a
 * state hook. The attack runtime follows the moves (started with the exercise, stopped at its end).
 */
import { createLogger, ConfigError, describeError, repoRoot } from '../../core/index.js';
import { isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import type { ExerciseEvent, RangeProgress } from '../../protocol/index.js';
import {
  ensureImages,
  topologyForCourse,
  loadTopology,
  loadTopologyById,
  type Topology,
} from '../../orchestrator/index.js';
import type { ExerciseRow, ExerciseState } from '../store/index.js';
import type { CreateExerciseBody } from '../schemas.js';
import type { ExerciseContext } from './context.js';
import type { TruthCache } from './truths.js';
import type { AttackRuntime } from './attacks.js';
import { checkScenarioForCourse } from './course-scenarios.js';

const log = createLogger('server/exercises');

export class Lifecycle {
  private readonly provisioning = new Map<string, Promise<void>>();

  constructor(
    private readonly c: ExerciseContext,
    private readonly truths: TruthCache,
    private readonly attacks: AttackRuntime,
  ) {}

  create(body: z.output<typeof CreateExerciseBody>, by: string): ExerciseRow {
    const { attack, store } = this.c;
    if (attack) checkScenarioForCourse(attack.listScenarios(), body.scenario, body.course);
    if (body.topology) this.topologyOf(body.topology);
    const teams =
      typeof body.teams === 'number'
        ? Array.from({ length: body.teams }, (_, i) => ({ name: `Team ${i + 1}`, members: [] as string[] }))
        : body.teams.map((t, i) => ({ name: t.name ?? `Team ${i + 1}`, members: t.members }));
    const x = store.exercises.create(
      {
        id: body.id,
        title: body.title ?? `${body.course} ${body.id}`,
        course: body.course,
        scenario: body.scenario,
        seed: body.seed,
        ...(body.topology ? { topology: body.topology } : {}),
        speed: body.speed,
        schedule: body.schedule,
        teams,
      },
      this.c.now(),
    );
    this.c.append({
      type: 'exercise.created',
      exercise: x.id,
      at: this.c.at(),
      by,
      detail: { course: x.course, scenario: x.scenario, seed: x.seed, teams: teams.length },
    });
    return x;
  }

  /** A topology id, or a YAML file inside the project (tests and course authors). */
  topologyOf(ref: string | null | undefined, course = 'A'): Topology {
    if (!ref) return topologyForCourse(course);
    if (!ref.endsWith('.yaml')) return loadTopologyById(ref);
    const file = resolve(repoRoot, ref);
    const rel = relative(repoRoot, file);
    if (rel.startsWith('..') || isAbsolute(rel))
      throw new ConfigError(`topology file must be inside the project: ${ref}`);
    return loadTopology(file);
  }

  private move(
    id: string,
    to: ExerciseState,
    by: string,
    type?: ExerciseEvent['type'],
    from?: readonly ExerciseState[],
  ): ExerciseRow {
    const x = this.c.store.exercises.transition(id, to, this.c.now(), from);
    if (type) this.c.append({ type, exercise: id, at: this.c.at(), by });
    this.c.hooks.state(x);
    return x;
  }

  /** Starts building the ranges; progress goes to the hooks. Resolves when the build finished. */
  provision(id: string, by: string): { exercise: ExerciseRow; done: Promise<void> } {
    const { store, hooks } = this.c;
    const x0 = store.exercises.get(id);
    const topology = this.topologyOf(x0.topology, x0.course);
    const ranges = this.c.ranges();
    if (x0.state === 'running' || x0.state === 'paused') return this.converge(x0, topology);
    const x = this.move(id, 'provisioning', by);
    const teams = store.exercises.teams(id).length;
    const roles = [...new Set(topology.nodes.map((n) => n.role))];
    const progress = (status: RangeProgress['status'], message: string) =>
      hooks.progress({ exercise: id, step: 'images', status, message, at: this.c.at() });
    progress('start', `images for ${roles.join(', ')}`);
    // images are content-addressed: this is a quick no-op unless a role changed since the last build
    const done = ensureImages(ranges.engine, {
      roles,
      onEvent: (e) => {
        if (!e.line) progress('info', `${e.image} ${e.phase}`);
      },
    })
      .then(() => progress('done', 'images ready'))
      // the range's staff and passwords come from the exercise's seed, like the attack's facts
      .then(() =>
        ranges.up({ exercise: id, topology, teams, seed: String(x0.seed), onProgress: (p) => hooks.progress(p) }),
      )
      .then(async () => {
        await this.truths.refresh(id);
        this.move(id, 'ready', by, 'exercise.provisioned');
      })
      .catch((err: unknown) => {
        hooks.progress({ exercise: id, step: 'ready', status: 'failed', message: describeError(err), at: this.c.at() });
        this.move(id, 'created', by);
      })
      .finally(() => this.provisioning.delete(id));
    this.provisioning.set(id, done);
    return { exercise: x, done };
  }

  /**
   * Provisioning a running (or paused) exercise converges its ranges where it stands: host rules
   * again, nodes that stopped started, missing ones created; the exercise stays in its state.
   */
  private converge(x: ExerciseRow, topology: Topology): { exercise: ExerciseRow; done: Promise<void> } {
    const { store, hooks } = this.c;
    const running = this.provisioning.get(x.id);
    if (running) return { exercise: x, done: running };
    const done = this.c
      .ranges()
      .up({
        exercise: x.id,
        topology,
        teams: store.exercises.teams(x.id).length,
        seed: String(x.seed),
        onProgress: (p) => hooks.progress(p),
      })
      .then(() => undefined)
      .catch((err: unknown) => {
        hooks.progress({
          exercise: x.id,
          step: 'ready',
          status: 'failed',
          message: describeError(err),
          at: this.c.at(),
        });
      })
      .finally(() => this.provisioning.delete(x.id));
    this.provisioning.set(x.id, done);
    return { exercise: x, done };
  }

  async start(id: string, by: string): Promise<ExerciseRow> {
    const x = this.move(id, 'running', by, 'exercise.started', ['ready']);
    await this.truths.refresh(id);
    this.attacks.start(x);
    return x;
  }

  pause(id: string, by: string): ExerciseRow {
    const x = this.move(id, 'paused', by, 'exercise.paused');
    this.attacks.pause(id);
    return x;
  }

  resume(id: string, by: string): ExerciseRow {
    const x = this.move(id, 'running', by, 'exercise.resumed', ['paused']);
    this.attacks.resume(id);
    return x;
  }

  async end(id: string, by: string): Promise<ExerciseRow> {
    const x = this.move(id, 'ended', by, 'exercise.ended');
    await this.attacks.stop(id);
    return x;
  }

  archive(id: string, by: string): ExerciseRow {
    return this.move(id, 'archived', by, 'exercise.archived');
  }

  /** Rebuilds one node of a team's range, or the whole range. */
  async reset(exercise: string, team: string, node?: string, by = 'instructor'): Promise<void> {
    this.c.store.exercises.team(exercise, team);
    const ranges = this.c.ranges();
    // a reset is an event at both ends: checks that turn true meanwhile (or because of it) earn nothing
    const where = { exercise, team, ...(node ? { node } : {}), by };
    this.c.append({ type: 'range.reset', at: this.c.at(), ...where });
    this.c.resetting.add(`${exercise}/${team}`);
    let done = false;
    try {
      await ranges.reset({ exercise, team, ...(node ? { node } : {}), onProgress: (p) => this.c.hooks.progress(p) });
      done = true;
    } finally {
      this.c.resetting.delete(`${exercise}/${team}`);
      this.c.append({ type: 'range.reset.done', at: this.c.at(), ...where });
      this.attacks.rebaseline(exercise, team);
    }
    // the node is back: steps that failed because it was down go on (after the reset is in the log)
    if (done) this.attacks.reopen(exercise, team, `${node ?? team} reset by ${by}`);
  }

  /**
   * After a restart: exercises that were running or paused get their ranges re-adopted by label
   * and their runners and checker restarted from the log; one that was mid-provisioning converges again.
   */
  async recover(): Promise<{ resumed: string[]; reprovisioned: string[] }> {
    const { store, engine } = this.c;
    const resumed: string[] = [];
    const reprovisioned: string[] = [];
    for (const x of store.exercises.list()) {
      if (x.state === 'provisioning' && engine) {
        store.exercises.transition(x.id, 'created', this.c.now());
        this.provision(x.id, 'server-restart');
        reprovisioned.push(x.id);
      }
      if (x.state !== 'running' && x.state !== 'paused') continue;
      if (engine) {
        const [status] = await this.c
          .ranges()
          .status(x.id)
          .catch((err: unknown) => {
            log.warn(
              { err, exercise: x.id },
              `cannot read the ranges of ${x.id} after the restart: its attack is not resumed`,
            );
            return [];
          });
        if (!status) continue; // the range is gone: the instructor decides (end or re-provision)
      }
      await this.truths.refresh(x.id);
      this.attacks.start(x, store.events.list(x.id));
      resumed.push(x.id);
    }
    return { resumed, reprovisioned };
  }

  /**
   * Removes an exercise's ranges (a self-paced seat after finishing or idling), after a build of
   * them under way has finished; the exercise, its log and its scores stay.
   */
  async removeRanges(id: string): Promise<void> {
    await this.provisioning.get(id);
    await this.c.ranges().down({ exercise: id });
  }

  /** Resolves when every range build under way has finished (the server is shutting down). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.provisioning.values()]);
  }
}
