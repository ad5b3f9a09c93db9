import {
  type CheckSpec,
  type GroundTruth,
  LABEL,
  containerName,
  createLogger,
  describeError,
  mapLimit,
} from '../../core/index.js';
import type { EnshuEvent, EventSink } from '../../protocol/index.js';
import type { Engine } from '../../orchestrator/index.js';
import {
  isNetProbe,
  netNode,
  runLocalProbe,
  runNetProbes,
  sameProbe,
  type NetProbe,
  type ProbeResult,
} from './probes.js';
import { FILTER_DUMP_SCRIPT, findEvasion, findProxyEvasion } from './tamper.js';
import { LiveChecks, type LiveHost, type LiveOptions, type Planned } from './live.js';

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
  /**
   * the steps that have happened (`checkKey(team, step)` of every attack.step that succeeded),
   * asked once per round: a step's checks run only once it is in there, and record nothing before.
   * Without it every check runs from the start (an exercise without a pseudo-attacker, whose
   * steps exist only as events an instructor may post, has no attack to wait for).
   */
  stepsDone?: () => ReadonlySet<string>;
  /**
   * How `start()` keeps looking: `live` (the default) watches each team's range continuously and
   * records a fix within about two seconds (live.ts); `rounds` runs `tick()` every `intervalMs`
   * (the way it was, kept to compare in bench:checks). `tick()` is one round either way.
   */
  mode?: 'live' | 'rounds';
  /** the live mode's pace; its slow interval (command checks, the proxy's configuration) is `intervalMs` */
  live?: LiveOptions;
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

/** Steps that succeeded per team (`checkKey(team, step)`), folded from attack.step events. */
export function stepsDone(events: readonly EnshuEvent[], into = new Set<string>()): Set<string> {
  for (const e of events) if (e.type === 'attack.step' && e.outcome === 'succeeded') into.add(checkKey(e.team, e.step));
  return into;
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
  private live: LiveChecks | undefined;
  private running: Promise<void> | undefined;
  private readonly last: Map<string, boolean>;
  private readonly checks: Planned[];
  /** each team's FW containers, found once by label (the nodes a team could make tell probes apart) */
  private readonly routers = new Map<string, Promise<{ node: string; container: string }[]>>();
  /** per `team\0node`: what makes that FW's filters untrustworthy, as last recorded (absent: honest) */
  private readonly tampered = new Map<string, string>();

  constructor(private readonly o: CheckerOptions) {
    this.last = new Map(o.known ?? []);
    this.checks = [...o.truths.entries()].flatMap(([team, t]) =>
      [...t.steps.flatMap((s) => [...s.containment, ...s.recovery]), ...t.availability].map((spec) => ({ team, spec })),
    );
  }

  /** labels of the one-shot probe containers (not a node: ranges and runners do not list them) */
  private labels(team: string): Record<string, string> {
    return { [LABEL.exercise]: this.o.exercise, [LABEL.team]: team, [LABEL.kind]: 'check-probe' };
  }

  /** the checks due this round: availability always, a step's checks once the step has succeeded */
  private due(): Planned[] {
    if (!this.o.stepsDone) return this.checks;
    const done = this.o.stepsDone();
    return this.checks.filter(({ team, spec }) => !spec.step || done.has(checkKey(team, spec.step)));
  }

  /**
   * Forgets what it knew of `team`'s checks, so the next round records every value again: after a
   * reset or an outage, scoring needs to see a check false again before the team's fix can earn
   * (scoreboard/check-credit.ts), and a value that did not change would otherwise not be recorded.
   */
  forget(team: string): void {
    for (const key of [...this.last.keys()]) if (key.startsWith(checkKey(team, ''))) this.last.delete(key);
    this.live?.forget(team);
  }

  get size(): number {
    return this.checks.length;
  }

  start(): void {
    if (this.timer || this.live) return;
    if ((this.o.mode ?? 'live') === 'live') {
      this.live = new LiveChecks(this.liveHost(), {
        ...(this.o.intervalMs ? { slowMs: this.o.intervalMs } : {}),
        ...this.o.live,
      });
      this.live.start();
      return;
    }
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
    const live = this.live;
    this.live = undefined;
    await live?.stop();
    await this.running;
  }

  /** what the live mode uses of this checker: the same due checks, probes and recording as a round */
  private liveHost(): LiveHost {
    const perCheckS = Math.max(1, Math.round((this.o.timeoutMs ?? 15_000) / 1000));
    return {
      engine: this.o.engine,
      exercise: this.o.exercise,
      now: this.o.now ?? (() => new Date()),
      due: () => this.due(),
      recorded: (team, check) => this.last.get(checkKey(team, check)),
      labels: (team) => this.labels(team),
      container: (team, node) => containerName(this.o.exercise, team, node),
      routersOf: (team) => this.routersOf(team),
      proxyEvasion: (container, engine) => this.proxyEvasion(container, engine),
      runCommands: (team, node, user, specs) => this.runGroup({ team, node, user, specs }, Math.min(perCheckS, 5)),
      record: async (team, spec, r, at) => !!(await this.record(team, spec, r, at.toISOString())),
      recordTamper: async (team, node, why, at) => {
        await this.recordTamper(team, node, why, at.toISOString());
      },
    };
  }

  /** a FW's (or proxy's) evasion as it changed: recorded, remembered; undefined when unchanged or not stored */
  private async recordTamper(team: string, node: string, why: string | undefined, at: string) {
    const key = `${team}\0${node}`;
    if (this.tampered.get(key) === why) return undefined;
    const event: EnshuEvent = {
      type: 'check.tampered',
      exercise: this.o.exercise,
      team,
      at,
      node,
      cleared: why === undefined,
      detail: (why ?? '').slice(0, 2000),
    };
    try {
      await this.o.sink.append(event);
    } catch (err) {
      log.error({ err, exercise: this.o.exercise, team }, `probe evasion on ${team}/${node}: not stored, retried`);
      return undefined;
    }
    if (why === undefined) this.tampered.delete(key);
    else {
      this.tampered.set(key, why);
      log.warn({ exercise: this.o.exercise, team, node }, `${team}/${node} singles out the checker's probes: ${why}`);
    }
    return event;
  }

  /**
   * A check's value, recorded when it changed. The value counts as recorded only once the store has
   * it: an append that fails (store not writable, disk full) leaves the old value, so the next look
   * records the change again.
   */
  private async record(team: string, spec: CheckSpec, r: ProbeResult, at: string) {
    const key = checkKey(team, spec.id);
    if (this.last.get(key) === r.passed) return undefined;
    const event: EnshuEvent = {
      type: 'check.result',
      exercise: this.o.exercise,
      team,
      at,
      check: spec.id,
      kind: spec.kind,
      ...(spec.step ? { step: spec.step } : {}),
      passed: r.passed,
      detail: r.detail.slice(0, 2000),
    };
    try {
      await this.o.sink.append(event);
    } catch (err) {
      log.error(
        { err, exercise: this.o.exercise, team, check: spec.id },
        `check ${spec.id} of ${team}: result not stored, retried`,
      );
      return undefined;
    }
    this.last.set(key, r.passed);
    return event;
  }

  /** One pass over every due check; returns the events it appended. */
  async tick(): Promise<EnshuEvent[]> {
    if (this.running) await this.running;
    const out: EnshuEvent[] = [];
    const now = this.o.now ?? (() => new Date());
    const pass = (async () => {
      const due = this.due();
      // A result is stamped with the moment the check was issued, not when its answer came back:
      // scoring credits a recovery check only if it passed after its step happened, and a check
      // issued just before the step (file not there yet) but answered after it would otherwise
      // earn recovery points for damage nobody undid. Issued after the due steps were read, so a
      // step's first result is never stamped before the step.
      const issuedAt = now().toISOString();
      const filters = new Map<string, string | undefined>();
      const results = await this.evaluate(due, filters);
      for (const [key, why] of filters) {
        const [team, node] = key.split('\0') as [string, string];
        const event = await this.recordTamper(team, node, why, issuedAt);
        if (event) out.push(event);
      }
      for (const [i, { team, spec }] of due.entries()) {
        // a failed append leaves the old value; the rest of this round's changes still go in
        const event = await this.record(team, spec, results[i]!, issuedAt);
        if (event) out.push(event);
      }
    })();
    this.running = pass;
    try {
      await pass;
    } finally {
      this.running = undefined;
    }
    return out;
  }

  /**
   * Every due check's result. Command checks run as before (one exec per node and user); typed
   * probes look from outside the nodes (probes.ts): one process list per node, one network
   * probe container per node, file and login probes one by one — all under one concurrency limit.
   */
  private async evaluate(due: Planned[], filters: Map<string, string | undefined>): Promise<ProbeResult[]> {
    const perCheckS = Math.max(1, Math.round((this.o.timeoutMs ?? 15_000) / 1000));
    const limit = this.o.concurrency ?? 8;
    const container = (team: string, node: string) => containerName(this.o.exercise, team, node);
    const results: ProbeResult[] = due.map(() => ({ passed: false, detail: 'not run' }));

    // command checks: grouped per node and user
    const groups = new Map<string, Group & { index: number[] }>();
    // network probes: grouped per node whose namespace they use
    const nets = new Map<string, { team: string; node: string; probes: NetProbe[]; results: ProbeResult[] }>();
    for (const [i, { team, spec }] of due.entries()) {
      if (!spec.probes) {
        const key = `${team}\0${spec.node}\0${spec.user ?? ''}`;
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { team, node: spec.node, user: spec.user, specs: [], index: [] }));
        g.specs.push(spec);
        g.index.push(i);
        continue;
      }
      for (const p of spec.probes.filter(isNetProbe)) {
        const key = `${team}\0${netNode(p)}`;
        let n = nets.get(key);
        if (!n) nets.set(key, (n = { team, node: netNode(p), probes: [], results: [] }));
        // the same probe in several checks (the C2 blocked for the beacon and for the exfiltration) runs once
        if (!n.probes.some((x) => sameProbe(x, p))) n.probes.push(p);
      }
    }
    const tops = new Map<string, Promise<{ command: string }[]>>();
    const top = (team: string, node: string) => {
      const key = `${team}\0${node}`;
      let t = tops.get(key);
      if (!t) tops.set(key, (t = this.o.engine.observe.top(container(team, node))));
      return t;
    };
    const failed = (where: string, err: unknown): ProbeResult => ({
      passed: false,
      detail: `could not look at ${where}: ${(err as Error).message}`,
    });

    // the FWs of every team with network probes this round: their filters are read beside the probes
    const inspect: { team: string; node: string; container: string; proxy?: true }[] = [];
    const unreadable = new Map<string, string>();
    for (const team of new Set([...nets.values()].map((n) => n.team)))
      for (const r of await this.routersOf(team)) inspect.push({ team, ...r });
    // and the proxies asked by proxy-blocked probes: their squid.conf
    for (const n of nets.values())
      if (n.probes.some((p) => p.kind === 'proxy-blocked'))
        inspect.push({ team: n.team, node: n.node, container: container(n.team, n.node), proxy: true });

    // first the batches (command groups, network probes per node, FW filters), then each probe check
    await mapLimit([...groups.values(), ...nets.values(), ...inspect], limit, async (u) => {
      if ('container' in u) {
        const seen = u.proxy ? await this.proxyEvasion(u.container) : await this.evasion(u.team, u.container);
        // a FW that cannot be read (down, being reset) is no tampering, but its probes are not trusted either
        if (seen.unreadable) unreadable.set(u.team, `${u.node}: ${seen.unreadable}`);
        else filters.set(`${u.team}\0${u.node}`, seen.why);
        return;
      }
      if ('specs' in u) {
        const r = await this.runGroup(u);
        u.index.forEach((i, j) => (results[i] = r[j]!));
        return;
      }
      try {
        u.results = await runNetProbes(
          this.o.engine,
          container(u.team, u.node),
          u.probes,
          this.labels(u.team),
          perCheckS,
        );
      } catch (err) {
        u.results = u.probes.map(() => failed(u.node, err));
      }
    });
    // a FW that can tell the probes apart makes every network probe of its team worthless
    const untrusted = new Map<string, string>();
    for (const [key, why] of filters) {
      const [team, node] = key.split('\0') as [string, string];
      if (why && !untrusted.has(team))
        untrusted.set(team, `not trusted: the firewall can tell the checker's packets apart (${node}: ${why})`);
    }
    for (const [team, why] of unreadable)
      if (!untrusted.has(team)) untrusted.set(team, `not trusted: the firewall's filters could not be read (${why})`);
    const netResult = (team: string, p: NetProbe): ProbeResult => {
      const why = untrusted.get(team);
      if (why) return { passed: false, detail: why };
      const n = nets.get(`${team}\0${netNode(p)}`)!;
      return n.results[n.probes.findIndex((x) => sameProbe(x, p))] ?? { passed: false, detail: 'not run' };
    };
    await mapLimit(
      [...due.entries()].filter(([, c]) => c.spec.probes),
      limit,
      async ([i, { team, spec }]) => {
        const parts: ProbeResult[] = [];
        for (const p of spec.probes!) {
          let r: ProbeResult;
          if (isNetProbe(p)) r = netResult(team, p);
          else {
            try {
              r = await runLocalProbe(
                {
                  engine: this.o.engine,
                  container: (node) => container(team, node),
                  top: (node) => top(team, node),
                  perProbeS: perCheckS,
                  labels: this.labels(team),
                },
                p,
              );
            } catch (err) {
              r = failed(p.node, err);
            }
          }
          parts.push(r);
          if (!r.passed) break;
        }
        results[i] = { passed: parts.every((r) => r.passed), detail: parts.map((r) => r.detail).join('; ') };
      },
    );
    return results;
  }

  /** the team's FW nodes (role label `fw`), looked up once; a failed lookup is tried again next round */
  private routersOf(team: string): Promise<{ node: string; container: string }[]> {
    let r = this.routers.get(team);
    if (!r) {
      r = Promise.resolve()
        .then(() =>
          // nodes only: a watcher in a FW's namespace carries the FW image's labels too
          this.o.engine.containers.list({
            [LABEL.exercise]: this.o.exercise,
            [LABEL.team]: team,
            [LABEL.role]: 'fw',
            [LABEL.kind]: 'node',
          }),
        )
        .then((cs) => cs.map((c) => ({ node: c.labels[LABEL.node] ?? c.name, container: c.name })));
      this.routers.set(team, r);
      r.catch(() => this.routers.delete(team));
    }
    return r.catch(() => []);
  }

  /** what in a FW's filters can tell the probes apart (tamper.ts), read from its network namespace */
  private async evasion(team: string, container: string): Promise<{ why?: string; unreadable?: string }> {
    let out: string;
    try {
      const r = await this.o.engine.observe.inNetns(container, FILTER_DUMP_SCRIPT, {
        labels: this.labels(team),
        timeoutMs: 20_000,
        caps: ['NET_ADMIN'],
      });
      out = r.stdout;
    } catch (err) {
      return { unreadable: (err as Error).message };
    }
    if (!out.includes('@@end')) return { unreadable: 'the dump of its filters ended early' };
    const why = findEvasion(out);
    return why ? { why } : {};
  }

  /** what in a proxy's squid.conf (and what it includes) singles out the probe's address (tamper.ts) */
  private async proxyEvasion(
    container: string,
    engine: Engine = this.o.engine,
  ): Promise<{ why?: string; unreadable?: string }> {
    const read = async (path: string) =>
      (await engine.observe.read(container, path, { maxBytes: 1024 * 1024 }))?.flatMap((e) =>
        e.content ? [{ path: e.path, text: e.content.toString('utf8') }] : [],
      ) ?? [];
    try {
      const main = await read('/etc/squid/squid.conf');
      if (!main.length) return { unreadable: 'no /etc/squid/squid.conf' };
      const confs = main.map((m) => m.text);
      const includes = confs
        .join('\n')
        .split('\n')
        .map((l) => /^\s*include\s+(\S+)/.exec(l)?.[1])
        .filter((x): x is string => !!x)
        .slice(0, 20);
      for (const inc of includes) {
        const dir = inc.slice(0, inc.lastIndexOf('/')) || '/';
        const re = new RegExp(
          `^${inc
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '.')}$`,
        );
        for (const f of await read(dir)) if (re.test(f.path)) confs.push(f.text);
      }
      const why = findProxyEvasion(confs);
      return why ? { why } : {};
    } catch (err) {
      return { unreadable: (err as Error).message };
    }
  }

  /**
   * All of a group's checks in one exec: on two cores an exec costs far more than the checks
   * themselves, and a course's teams × checks every few seconds would otherwise saturate the engine.
   */
  private async runGroup(
    g: Group,
    perCheckS = Math.max(1, Math.round((this.o.timeoutMs ?? 15_000) / 1000)),
  ): Promise<{ passed: boolean; detail: string }[]> {
    const container = containerName(this.o.exercise, g.team, g.node);
    const failAll = (why: string) => g.specs.map(() => ({ passed: false, detail: why.slice(0, 2000) }));
    try {
      const r = await this.o.engine.exec.run(
        container,
        ['sh', '-c', BATCH, 'enshu-checks', String(perCheckS), ...g.specs.map((s) => s.command ?? 'exit 2')],
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
