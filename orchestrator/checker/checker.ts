import type { CheckSpec, EnshuEvent, EventSink, GroundTruth } from '../../scoreboard/index.js';
import { containerName } from '../topology/plan.js';
import type { Engine } from '../docker/types.js';
import { mapLimit } from '../util/limit.js';

export interface CheckerOptions {
  engine: Engine;
  exercise: string;
  /** ground truth per team id */
  truths: Map<string, GroundTruth>;
  sink: EventSink;
  intervalMs?: number;
  /** per check command */
  timeoutMs?: number;
  /** checks run at once across all teams (the engine's exec API is the bottleneck) */
  concurrency?: number;
  now?: () => Date;
  /** last known value per team/check, e.g. folded from the log after a restart */
  known?: Map<string, boolean>;
}

interface Planned {
  team: string;
  spec: CheckSpec;
}

export function checkKey(team: string, check: string): string {
  return `${team}/${check}`;
}

/** Last value of every check per team, folded from check.result events (so a restart does not re-announce). */
export function knownChecks(events: readonly EnshuEvent[]): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (const e of events) if (e.type === 'check.result') m.set(checkKey(e.team, e.check), e.passed);
  return m;
}

/**
 * Runs every team's containment, recovery and availability checks in its own range and
 * records a check.result only when a check's value changes: the log then says exactly when
 * a team's C2 block took effect or its web server went down, without one event per poll.
 */
export class Checker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly last: Map<string, boolean>;
  private readonly checks: Planned[];

  constructor(private readonly o: CheckerOptions) {
    this.last = new Map(o.known ?? []);
    this.checks = [...o.truths.entries()].flatMap(([team, t]) => [
      ...t.steps.flatMap((s) => [...s.containment, ...s.recovery]),
      ...t.availability,
    ].map((spec) => ({ team, spec })));
  }

  get size(): number {
    return this.checks.length;
  }

  start(): void {
    if (this.timer) return;
    const loop = async () => {
      await this.tick().catch(() => undefined);
      if (this.timer) this.timer = setTimeout(loop, this.o.intervalMs ?? 5000);
    };
    this.timer = setTimeout(loop, 0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass over every check; returns the events it appended. */
  async tick(): Promise<EnshuEvent[]> {
    if (this.running) await this.running;
    const out: EnshuEvent[] = [];
    const pass = mapLimit(this.checks, this.o.concurrency ?? 8, async ({ team, spec }) => {
      const { passed, detail } = await this.run(team, spec);
      const key = checkKey(team, spec.id);
      if (this.last.get(key) === passed) return;
      this.last.set(key, passed);
      const event: EnshuEvent = {
        type: 'check.result', exercise: this.o.exercise, team, at: (this.o.now ?? (() => new Date()))().toISOString(),
        check: spec.id, kind: spec.kind, ...(spec.step ? { step: spec.step } : {}), passed, detail,
      };
      await this.o.sink.append(event);
      out.push(event);
    }).then(() => undefined);
    this.running = pass;
    try {
      await pass;
    } finally {
      this.running = undefined;
    }
    return out;
  }

  private async run(team: string, spec: CheckSpec): Promise<{ passed: boolean; detail: string }> {
    const container = containerName(this.o.exercise, team, spec.node);
    try {
      const r = await this.o.engine.exec.run(container, ['sh', '-c', spec.command], {
        timeoutMs: this.o.timeoutMs ?? 15_000, ...(spec.user ? { user: spec.user } : {}),
      });
      const out = `${r.stdout}${r.stderr}`.trim();
      return { passed: r.exitCode === 0, detail: `exit ${r.exitCode}${out ? `: ${out.slice(-500)}` : ''}` };
    } catch (err) {
      // an unreachable or stopped node fails its check: a team that breaks a node loses availability
      return { passed: false, detail: `could not run in ${spec.node}: ${(err as Error).message}`.slice(0, 2000) };
    }
  }
}
