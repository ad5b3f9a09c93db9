/**
 * The engine watch: the server follows the container engine (its event stream and a health probe)
 * for every running exercise. When a team's nodes stop for reasons not of the exercise (an engine
 * restart, a crash, the OOM killer taking a node's init), the team's range is degraded: that is an
 * event (`range.degraded`, live to instructors), the team's attack and its clock pause, and the server
 * brings the range back by itself — host rules first (`up` re-applies them before anything starts),
 * then the nodes, then it checks the host rules are in place — and records `range.restored`, takes
 * every check value again and resumes the attack. Scoring charges no availability and gives no
 * check credit across the outage (scoreboard/check-credit.ts).
 */
import { createLogger, describeError, LABEL } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import type { ExerciseRow } from '../store/index.js';
import type { ExerciseContext } from './context.js';
import type { AttackRuntime } from './attacks.js';
import type { Lifecycle } from './lifecycle.js';

const log = createLogger('server/engine-watch');

export interface EngineHealth {
  /** `up`: answers; `down`: does not; `none`: the server runs without an engine */
  state: 'up' | 'down' | 'none';
  endpoint: string | null;
  /** since when it is in this state */
  since: string;
  /** the last error while down */
  error?: string;
  /** how many team ranges are degraded now (/api/health answers anyone, so no names) */
  degradedTeams: number;
}

interface Degraded {
  since: string;
  nodes: string[];
  reason: string;
}

/** How often the engine is probed and running ranges compared with what should run. */
const WATCH_INTERVAL_MS =
  Number(process.env.ENSHU_ENGINE_WATCH_MS) > 0 ? Number(process.env.ENSHU_ENGINE_WATCH_MS) : 5000;

/** A ping that takes longer than this counts as an engine that does not answer. */
const PING_TIMEOUT_MS = 5000;
/** How long the server's shutdown waits for a repair round in progress. */
const ROUND_WAIT_ON_STOP_MS = 3000;

export class EngineWatch {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private stream: { close(): void } | undefined;
  private health: Omit<EngineHealth, 'degradedTeams'>;
  /** exercise → team → what is down */
  private readonly degraded = new Map<string, Map<string, Degraded>>();
  /** last reason seen on the event stream per container (oom, exit code) */
  private readonly why = new Map<string, string>();
  private wasDown = false;
  private stopped = false;

  constructor(
    private readonly c: ExerciseContext,
    private readonly lifecycle: Lifecycle,
    private readonly attacks: AttackRuntime,
    private readonly intervalMs = WATCH_INTERVAL_MS,
  ) {
    this.health = {
      state: c.engine ? 'up' : 'none',
      endpoint: c.engine?.endpoint ?? null,
      since: c.at(),
    };
  }

  status(): EngineHealth {
    let degradedTeams = 0;
    for (const teams of this.degraded.values()) degradedTeams += teams.size;
    return { ...this.health, degradedTeams };
  }

  /** whether `team`'s range is degraded now (its attack stays paused) */
  isDegraded(exercise: string, team: string): boolean {
    return this.degraded.get(exercise)?.has(team) ?? false;
  }

  start(): void {
    if (!this.c.engine || this.timer || this.stopped) return;
    // The probe runs every tick on its own, even while a repair round is still at work: a round can
    // wait minutes on nodes coming up, and an engine that goes away meanwhile must show at once.
    const loop = async () => {
      if (await this.probe()) void this.check();
      if (!this.stopped) this.timer = setTimeout(loop, this.intervalMs);
    };
    this.timer = setTimeout(loop, this.intervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.stream?.close();
    this.stream = undefined;
    // a round stuck on an engine that went away must not hold the server's shutdown
    await Promise.race([this.round, new Promise((r) => setTimeout(r, ROUND_WAIT_ON_STOP_MS).unref())]);
  }

  /** One probe and comparison (rounds never overlap). */
  check(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.round ??= this.once().finally(() => (this.round = undefined));
    return this.round;
  }

  /** Whether the engine answers within PING_TIMEOUT_MS; updates the health the server reports. */
  private async probe(): Promise<boolean> {
    const engine = this.c.engine!;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        engine.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS / 1000} s`)), PING_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.engineDown(describeError(err));
      return false;
    } finally {
      clearTimeout(timer);
    }
    if (this.health.state !== 'up') {
      log.warn({ endpoint: engine.endpoint }, 'the container engine answers again');
      this.health = { state: 'up', endpoint: engine.endpoint, since: this.c.at() };
    }
    return true;
  }

  private live(): ExerciseRow[] {
    return this.c.store.exercises.list().filter((x) => x.state === 'running' || x.state === 'paused');
  }

  private async once(): Promise<void> {
    if (!(await this.probe())) return;
    const engine = this.c.engine!;
    if (!this.stream) await this.follow(engine);
    for (const x of this.live()) {
      if (this.stopped || this.health.state !== 'up') return;
      try {
        await this.compare(x);
      } catch (err) {
        log.warn({ err, exercise: x.id }, `engine watch: cannot bring ${x.id} back yet: ${describeError(err)}`);
      }
    }
    if (this.health.state === 'up') this.wasDown = false;
  }

  /** The event stream: a node that dies or meets the OOM killer starts a round at once. */
  private async follow(engine: Engine): Promise<void> {
    try {
      this.stream = await engine.events(
        { [LABEL.kind]: 'node' },
        (e) => {
          if (e.action === 'oom') {
            this.why.set(e.name, 'oom');
            const exercise = e.labels[LABEL.exercise];
            const team = e.labels[LABEL.team];
            if (exercise && team)
              this.c.hooks.progress({
                exercise,
                team,
                ...(e.labels[LABEL.node] ? { node: e.labels[LABEL.node] } : {}),
                step: 'health',
                status: 'info',
                message: `${team} ${e.labels[LABEL.node] ?? ''}: a process hit the node's memory limit (OOM killer)`,
                at: e.at,
              });
          }
          if (e.action === 'die') {
            if (!this.why.has(e.name) || this.why.get(e.name) !== 'oom')
              this.why.set(e.name, `exited with code ${e.exitCode ?? '?'}`);
            void this.check();
          }
        },
        (err) => {
          this.stream = undefined;
          if (!this.stopped) log.warn({ err }, 'engine event stream ended; probing the engine');
          if (!this.stopped) void this.check();
        },
      );
    } catch (err) {
      this.stream = undefined;
      log.warn({ err }, `cannot follow the engine's events: ${describeError(err)}`);
    }
  }

  private engineDown(error: string): void {
    if (this.health.state !== 'down') {
      log.error({ endpoint: this.c.engine?.endpoint }, `the container engine does not answer: ${error}`);
      this.health = { state: 'down', endpoint: this.c.engine?.endpoint ?? null, since: this.c.at(), error };
    }
    this.wasDown = true;
    this.stream?.close();
    this.stream = undefined;
    for (const x of this.live())
      for (const t of this.c.store.exercises.teams(x.id)) this.markDegraded(x, t.id, [], 'engine unreachable');
  }

  private markDegraded(x: ExerciseRow, team: string, nodes: string[], reason: string): void {
    let teams = this.degraded.get(x.id);
    if (!teams) this.degraded.set(x.id, (teams = new Map()));
    const had = teams.get(team);
    if (had) {
      had.nodes = [...new Set([...had.nodes, ...nodes])].sort();
      return;
    }
    teams.set(team, { since: this.c.at(), nodes, reason });
    this.c.append({
      type: 'range.degraded',
      exercise: x.id,
      team,
      at: this.c.at(),
      by: 'engine-watch',
      reason,
      detail: { nodes },
    });
    this.attacks.pauseTeam(x.id, team);
    log.warn({ exercise: x.id, team, nodes, reason }, `range of ${team} in ${x.id} degraded (${reason})`);
  }

  /** Compares what runs with what should; degraded teams are marked and the range is brought back. */
  private async compare(x: ExerciseRow): Promise<void> {
    const ranges = this.c.ranges();
    const [status] = await ranges.status(x.id);
    if (!status) return;
    const down = new Map<string, string[]>();
    for (const t of status.teams) {
      if (this.c.resetting.has(`${x.id}/${t.team}`)) continue; // an instructor's reset: not an outage
      const stopped = t.nodes.filter((n) => n.state !== 'running').map((n) => n.node);
      if (stopped.length) down.set(t.team, stopped);
    }
    for (const [team, nodes] of down) {
      const reasons = nodes.map((n) => this.why.get(`enshu-${x.id}-${team}-${n}`)).filter(Boolean);
      const reason = this.wasDown
        ? 'engine restarted'
        : reasons.includes('oom')
          ? 'oom'
          : (reasons[0] ?? 'nodes stopped');
      this.markDegraded(x, team, nodes, reason);
    }
    const teams = this.degraded.get(x.id);
    if (!teams?.size) return;
    if (down.size) {
      // host rules first, then every node (up converges: it re-applies the rules, starts what stopped)
      const topology = this.lifecycle.topologyOf(x.topology, x.course);
      await ranges.up({
        exercise: x.id,
        topology,
        teams: this.c.store.exercises.teams(x.id).length,
        seed: String(x.seed),
        onProgress: (p) => this.c.hooks.progress(p),
      });
    }
    // isolation: the exercise's host rules must be in place before the teams go on
    const rules = await ranges.hostRules();
    if (!rules.some((r) => r.includes(`enshu:${x.id}`)))
      throw new Error(`host rules of ${x.id} are missing after the restore; the range stays degraded`);
    const [after] = await ranges.status(x.id);
    for (const [team, d] of [...teams]) {
      const t = after?.teams.find((s) => s.team === team);
      if (!t || !t.ready) continue;
      teams.delete(team);
      this.why.clear();
      this.c.append({
        type: 'range.restored',
        exercise: x.id,
        team,
        at: this.c.at(),
        by: 'engine-watch',
        reason: d.reason,
        detail: { nodes: d.nodes, since: d.since },
      });
      this.attacks.rebaseline(x.id, team);
      if (this.c.store.exercises.get(x.id).state === 'running') this.attacks.resumeTeam(x.id, team);
      this.attacks.reopen(x.id, team, `range restored (${d.reason})`);
      log.warn({ exercise: x.id, team }, `range of ${team} in ${x.id} restored`);
    }
  }
}
