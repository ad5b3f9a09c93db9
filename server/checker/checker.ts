import {
  type CheckSpec,
  type GroundTruth,
  containerName,
  createLogger,
  describeError,
  mapLimit,
} from '../../core/index.js';
import type { EnshuEvent, EventSink } from '../../protocol/index.js';
import type { Engine } from '../../orchestrator/index.js';

const log = createLogger('server/checker');

export interface CheckerOptions {
  engine: Engine;
  exercise: string;
  /** ground truth per team id */
  truths: Map<string, GroundTruth>;
  sink: EventSink;
  /**
   * pause between rounds (default 10 s): a check's change is recorded within one round, which is
   * fine for scores that move by the minute, and a course's worth of teams stays light on the engine
   */
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

/** A team's checks that run in one node as one user: one exec per group and round. */
interface Group {
  team: string;
  node: string;
  user: string | undefined;
  specs: CheckSpec[];
}

/**
 * Runs the checks given as arguments one after another, each under its own time limit, and prints
 * per check a marker line with its index and exit status, then its output's tail in base64 (so no
 * output can forge a marker).
 */
const BATCH = [
  'limit=$1; shift; i=0',
  'for c in "$@"; do',
  '  out=$(timeout -k 2 "$limit" sh -c "$c" 2>&1 </dev/null); code=$?',
  '  printf \'@@enshu-check %s %s \' "$i" "$code"; printf %s "$out" | tail -c 500 | base64 -w0; echo',
  '  i=$((i + 1))',
  'done',
].join('\n');

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
  private readonly groups: Group[];

  constructor(private readonly o: CheckerOptions) {
    this.last = new Map(o.known ?? []);
    this.checks = [...o.truths.entries()].flatMap(([team, t]) =>
      [...t.steps.flatMap((s) => [...s.containment, ...s.recovery]), ...t.availability].map((spec) => ({ team, spec })),
    );
    const byKey = new Map<string, Group>();
    for (const { team, spec } of this.checks) {
      const key = `${team}\0${spec.node}\0${spec.user ?? ''}`;
      let g = byKey.get(key);
      if (!g) byKey.set(key, (g = { team, node: spec.node, user: spec.user, specs: [] }));
      g.specs.push(spec);
    }
    this.groups = [...byKey.values()];
  }

  get size(): number {
    return this.checks.length;
  }

  start(): void {
    if (this.timer) return;
    const loop = async () => {
      // a failed round (e.g. the store refused its results) is logged; the next round tries again
      await this.tick().catch((err: unknown) =>
        log.warn(
          { err, exercise: this.o.exercise },
          `checks of ${this.o.exercise}: round failed: ${describeError(err)}`,
        ),
      );
      if (this.timer) this.timer = setTimeout(loop, this.o.intervalMs ?? 10_000);
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
    const now = this.o.now ?? (() => new Date());
    const pass = mapLimit(this.groups, this.o.concurrency ?? 8, async (g) => {
      // A result is stamped with the moment the check was issued, not when its answer came back:
      // scoring credits a recovery check only if it passed after its step happened, and a check
      // issued just before the step (file not there yet) but answered after it would otherwise
      // earn recovery points for damage nobody undid.
      const issuedAt = now().toISOString();
      const results = await this.runGroup(g);
      for (const [i, spec] of g.specs.entries()) {
        const { passed, detail } = results[i]!;
        const key = checkKey(g.team, spec.id);
        if (this.last.get(key) === passed) continue;
        this.last.set(key, passed);
        const event: EnshuEvent = {
          type: 'check.result',
          exercise: this.o.exercise,
          team: g.team,
          at: issuedAt,
          check: spec.id,
          kind: spec.kind,
          ...(spec.step ? { step: spec.step } : {}),
          passed,
          detail,
        };
        await this.o.sink.append(event);
        out.push(event);
      }
    }).then(() => undefined);
    this.running = pass;
    try {
      await pass;
    } finally {
      this.running = undefined;
    }
    return out;
  }

  /**
   * All of a group's checks in one exec: on two cores an exec costs far more than the checks
   * themselves, and a course's teams × checks every few seconds would otherwise saturate the engine.
   */
  private async runGroup(g: Group): Promise<{ passed: boolean; detail: string }[]> {
    const container = containerName(this.o.exercise, g.team, g.node);
    const perCheckS = Math.max(1, Math.round((this.o.timeoutMs ?? 15_000) / 1000));
    const failAll = (why: string) => g.specs.map(() => ({ passed: false, detail: why.slice(0, 2000) }));
    try {
      const r = await this.o.engine.exec.run(
        container,
        ['sh', '-c', BATCH, 'enshu-checks', String(perCheckS), ...g.specs.map((s) => s.command)],
        {
          timeoutMs: perCheckS * 1000 * g.specs.length + 10_000,
          ...(g.user ? { user: g.user } : {}),
        },
      );
      const found = new Map<number, { code: number; out: string }>();
      for (const line of r.stdout.split('\n')) {
        const m = /^@@enshu-check (\d+) (\d+) (\S*)$/.exec(line);
        if (m)
          found.set(Number(m[1]), { code: Number(m[2]), out: Buffer.from(m[3]!, 'base64').toString('utf8').trim() });
      }
      return g.specs.map((_, i) => {
        const f = found.get(i);
        if (!f)
          return {
            passed: false,
            detail: `did not run in ${g.node} (exit ${r.exitCode}${r.stderr.trim() ? `: ${r.stderr.trim().slice(-300)}` : ''})`,
          };
        const timedOut = f.code === 124 ? ` (no answer within ${perCheckS}s)` : '';
        return { passed: f.code === 0, detail: `exit ${f.code}${timedOut}${f.out ? `: ${f.out}` : ''}` };
      });
    } catch (err) {
      // an unreachable or stopped node fails its checks: a team that breaks a node loses availability
      return failAll(`could not run in ${g.node}: ${(err as Error).message}`);
    }
  }
}
