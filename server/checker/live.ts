/**
 * The checker's live mode: instead of a round every 10 s whose slowest probe sets its length, every
 * kind of look at a team's range runs on its own, so a trainee's fix reaches the score within about
 * two seconds without costing more than the rounds did:
 * - network probes (FW rules, the proxy, services listening) run in one long-lived watcher
 *   container per node and network namespace (Engine.observe.follow, probes.ts `netWatchScript`):
 *   each probe about once a second, under its own time limit, answers streamed back as lines —
 *   one container per node for the whole exercise instead of one per node and round;
 * - each FW's packet filters are watched the same way (tamper.ts `FILTER_WATCH_SCRIPT`): dumped
 *   as soon as the kernel says they changed, so a probe is never trusted past a known evasion;
 * - process, file and login probes go through the engine's API once a second, each check on its
 *   own with its own time limit (a check still waiting is not started again, and holds up no other);
 * - command checks (an exec in the node) keep the slower interval: each costs an exec.
 * A check's value is recorded as soon as all its probes have answered since it became due; the
 * result only counts once the store took it (a failed append is tried again on the next answer).
 */
import { LABEL, createLogger, describeError, type CheckSpec, type Probe } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import {
  isNetProbe,
  netNode,
  netWatchScript,
  parseWatchLine,
  runLocalProbe,
  WATCH_END_LIFE,
  SAMBA_PASSDB,
  sameProbe,
  type LocalContext,
  type NetProbe,
  type ProbeResult,
} from './probes.js';
import { FILTER_WATCH_SCRIPT, findEvasion } from './tamper.js';
import { ReadCache } from './read-cache.js';

const log = createLogger('server/checker/live');

export interface Planned {
  team: string;
  spec: CheckSpec;
}

/** One answer and when the look that gave it began (a result is stamped with when it was asked). */
interface Answer extends ProbeResult {
  issuedAt: number;
  /** when a watcher's answer reached the server */
  receivedAt?: number;
}

/** What the live mode needs of its Checker. */
export interface LiveHost {
  readonly engine: Engine;
  readonly exercise: string;
  readonly now: () => Date;
  /** the checks due now (availability; a step's checks once the step succeeded) */
  due(): Planned[];
  /** the value last recorded for a check (undefined: none since the start or a reset) */
  recorded(team: string, check: string): boolean | undefined;
  labels(team: string): Record<string, string>;
  container(team: string, node: string): string;
  routersOf(team: string): Promise<{ node: string; container: string }[]>;
  proxyEvasion(container: string, engine: Engine): Promise<{ why?: string; unreadable?: string }>;
  /** command checks of one node and user, in one exec */
  runCommands(team: string, node: string, user: string | undefined, specs: CheckSpec[]): Promise<ProbeResult[]>;
  /** records a check's value if it changed (false when the store did not take it) */
  record(team: string, spec: CheckSpec, r: ProbeResult, at: Date): Promise<boolean>;
  /** records what makes a FW's filters untrustworthy (or that they are honest again) if it changed */
  recordTamper(team: string, node: string, why: string | undefined, at: Date): Promise<void>;
}

export interface LiveOptions {
  /** how often process, file and login probes look (default 1 s) */
  everyMs?: number;
  /**
   * how often command checks run, checks that hold are looked at and the proxy's configuration is
   * read (default 10 s)
   */
  slowMs?: number;
  /**
   * how long a read (a file, the Samba password database) stands while the stats taken before
   * each look say nothing changed (default 60 s): only a time set back by hand hides a change
   */
  refreshMs?: number;
  /** time limit of one API probe (default 5 s) */
  probeTimeoutMs?: number;
}

/** A watcher container and the latest answer of each of its probes. */
interface NetWatch {
  team: string;
  node: string;
  probes: NetProbe[];
  answers: (Answer | undefined)[];
  /** when the previous answer of each probe came (the next one was asked after it; shell watchers) */
  lastLineAt: number[];
  stop?: () => Promise<void>;
  ended: boolean;
  endedAt: number;
  /** it said its time was up: its answers stand until the next watcher's */
  retired?: boolean;
}

interface FilterWatch {
  team: string;
  node: string;
  /** undefined: honest; a string: why the filters cannot be trusted */
  why?: string;
  /** no dump read yet, or the watcher ended: the filters are not known */
  unreadable?: string;
  known: boolean;
  /** when the watcher last said it had looked (every dump it owed is read by then) */
  beatAt: number;
  /**
   * when its filters were last found honest after they were not (or first read): an answer asked
   * before then may have been shaped by a filter that is gone now, and is not trusted
   */
  trustedSince: number;
  lines: string[] | undefined;
  stop?: () => Promise<void>;
  ended: boolean;
  endedAt: number;
  retired?: boolean;
}

/**
 * How long after a watcher ended before another is started for the same node: 2 s, doubled for
 * each watcher in a row that ended within a minute of its start (a node that is down, a script
 * that cannot run), up to a minute — so a broken watcher does not become a container a second.
 */
const restartAfterMs = (quickEnds: number) => Math.min(60_000, 2000 * 2 ** quickEnds);

export class LiveChecks {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly nets = new Map<string, NetWatch>();
  private readonly filters = new Map<string, FilterWatch>();
  /** per check (`team\0id`): when it first became due (an answer asked before then does not count for it) */
  private readonly dueSince = new Map<string, number>();
  /** per check: its latest API answer */
  private readonly local = new Map<string, Answer>();
  private readonly inFlight = new Set<string>();
  /**
   * per `team\0proxy node`: what its squid.conf says, when that read began, and since when it has
   * been found honest (an answer asked before then may have been shaped by a rule gone now)
   */
  private readonly proxyConf = new Map<
    string,
    { why?: string; unreadable?: string; startedAt: number; trustedSince: number }
  >();
  /** an evaluation left a network answer waiting for a FW's beat */
  private awaitingBeat = false;
  private lastSlow = 0;
  private evaluating: Promise<void> = Promise.resolve();
  private evaluateQueued = false;
  private due: Planned[] = [];
  /** per watcher key: how many in a row ended within a minute of their start */
  private readonly quickEnds = new Map<string, number>();
  /** reads again only what a stat says may have changed */
  private readonly reads: ReadCache;
  /** the engine as the API looks use it: reads through the cache, stats shared within a turn */
  private readonly engine: Engine;
  /** the same without the turn's shared stats (for reads that begin between turns) */
  private readonly engineNow: Engine;
  /** per Samba login probe: the password database's stat when it was last asked, and the answer */
  private readonly passdb = new Map<string, { sig: string; at: number; result: ProbeResult }>();
  /** every async look still running, so stop() can wait for them */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly h: LiveHost,
    private readonly o: LiveOptions = {},
  ) {
    this.reads = new ReadCache(h.engine, o.refreshMs ?? 60_000);
    this.engine = this.reads.engineView(true);
    this.engineNow = this.reads.engineView(false);
  }

  private get slowMs() {
    return this.o.slowMs ?? 10_000;
  }

  private get refreshMs() {
    return this.o.refreshMs ?? 60_000;
  }

  private get everyMs() {
    return this.o.everyMs ?? 1000;
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      try {
        this.turn();
      } catch (err) {
        log.warn({ err, exercise: this.h.exercise }, `live checks of ${this.h.exercise}: ${describeError(err)}`);
      }
      this.timer = setTimeout(loop, this.everyMs);
    };
    // the first watchers start once an earlier server's are gone (a list taken after they start would remove them)
    void this.track(this.removeLeftovers()).then(() => {
      if (!this.stopped) this.timer = setTimeout(loop, 0);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const stops = [...this.nets.values(), ...this.filters.values()].map((w) => {
      w.ended = true;
      return w.stop?.();
    });
    this.nets.clear();
    this.filters.clear();
    await Promise.allSettled([...stops, ...this.pending]);
    await this.evaluating;
  }

  /**
   * The team's range changed under it (reset, outage): answers asked before now say nothing of it,
   * so every check of the team waits for looks asked from now on.
   */
  forget(team: string): void {
    const now = Date.now();
    for (const key of this.dueSince.keys()) if (key.startsWith(`${team}\0`)) this.dueSince.set(key, now);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p)).catch(() => undefined);
    return p;
  }

  /** watchers of an earlier server on this exercise (stopped without cleaning up) */
  private async removeLeftovers(): Promise<void> {
    try {
      const old = await this.h.engine.containers.list({
        [LABEL.exercise]: this.h.exercise,
        [LABEL.kind]: 'check-probe',
      });
      for (const c of old) await this.h.engine.containers.remove(c.id).catch(() => undefined);
    } catch {
      /* the watchers end by themselves within 10 min */
    }
  }

  /** one turn: converge the watchers to what is due, start the API looks, evaluate */
  private turn(): void {
    const now = Date.now();
    this.due = this.h.due();
    for (const { team, spec } of this.due) {
      const key = `${team}\0${spec.id}`;
      if (!this.dueSince.has(key)) this.dueSince.set(key, now);
    }
    this.convergeNets(now);
    this.convergeFilters(now);
    const slow = now - this.lastSlow >= this.slowMs;
    if (slow) this.lastSlow = now;
    this.startLocal(slow);
    if (slow) this.readProxies();
    this.evaluateSoon();
  }

  private convergeNets(now: number): void {
    const want = new Map<string, { team: string; node: string; probes: NetProbe[] }>();
    for (const { team, spec } of this.due)
      for (const p of spec.probes?.filter(isNetProbe) ?? []) {
        const key = `${team}\0${netNode(p)}`;
        let w = want.get(key);
        if (!w) want.set(key, (w = { team, node: netNode(p), probes: [] }));
        if (!w.probes.some((x) => sameProbe(x, p))) w.probes.push(p);
      }
    for (const [key, w] of this.nets) {
      const next = want.get(key);
      const same =
        next &&
        next.probes.length === w.probes.length &&
        next.probes.every((p) => w.probes.some((x) => sameProbe(x, p)));
      // a watcher whose probes changed is replaced; one that ended (node reset, stopped) is started again
      if (same && !(w.ended && now - w.endedAt >= restartAfterMs(this.quickEnds.get(key) ?? 0))) continue;
      this.nets.delete(key);
      w.ended = true;
      void w.stop?.();
    }
    for (const [key, w] of want) if (!this.nets.has(key)) this.startNet(key, w.team, w.node, w.probes, now);
  }

  private startNet(key: string, team: string, node: string, probes: NetProbe[], now: number): void {
    const w: NetWatch = {
      team,
      node,
      probes,
      answers: probes.map(() => undefined),
      lastLineAt: probes.map(() => now),
      ended: false,
      endedAt: 0,
    };
    this.nets.set(key, w);
    const failAll = (why: string) => {
      const at = Date.now();
      w.ended = true;
      w.endedAt = at;
      this.quickEnds.set(key, at - now < 60_000 ? (this.quickEnds.get(key) ?? 0) + 1 : 0);
      w.answers = probes.map(() => ({ passed: false, detail: `could not look at ${node}: ${why}`, issuedAt: at }));
      this.evaluateSoon();
    };
    this.track(
      this.h.engine.observe
        .follow(
          this.h.container(team, node),
          netWatchScript(probes),
          { labels: this.h.labels(team) },
          (line) => {
            if (line === WATCH_END_LIFE) w.retired = true;
            const a = parseWatchLine(probes, line);
            if (!a || w.ended) return;
            const at = Date.now();
            // the python watcher says when its probe began; a shell loop's probe began after its previous answer
            const issuedAt = a.ageMs === undefined ? w.lastLineAt[a.index]! : at - a.ageMs;
            w.answers[a.index] = { ...a.result, issuedAt, receivedAt: at };
            w.lastLineAt[a.index] = at;
            this.evaluateSoon();
          },
          (err) => {
            if (w.ended) return;
            if (w.retired && !err) {
              // replaced on the next turn; what it answered holds until the new one answers
              w.ended = true;
              w.endedAt = 0;
              this.quickEnds.set(key, 0);
              return;
            }
            // the node stopped or was reset: what it answered before says nothing of it now
            failAll(err ? describeError(err) : 'its probe watcher ended');
          },
        )
        .then((handle) => {
          if (w.ended || this.stopped) void handle.stop();
          else w.stop = () => handle.stop();
        })
        .catch((err: unknown) => {
          failAll(describeError(err));
        }),
    );
  }

  private convergeFilters(now: number): void {
    const teams = new Set<string>();
    for (const { team, spec } of this.due) if (spec.probes?.some(isNetProbe)) teams.add(team);
    for (const [key, f] of this.filters)
      if (
        !teams.has(f.team) ||
        (f.ended && now - f.endedAt >= restartAfterMs(this.quickEnds.get(`filters\0${key}`) ?? 0))
      ) {
        this.filters.delete(key);
        f.ended = true;
        void f.stop?.();
      }
    for (const team of teams)
      this.track(
        this.h.routersOf(team).then((routers) => {
          for (const r of routers) {
            const key = `${team}\0${r.node}`;
            if (this.stopped || this.filters.has(key) || !teams.has(team)) continue;
            this.startFilters(key, team, r.node, r.container, now);
          }
        }),
      );
  }

  private startFilters(key: string, team: string, node: string, container: string, now: number): void {
    const f: FilterWatch = {
      team,
      node,
      known: false,
      beatAt: 0,
      trustedSince: 0,
      unreadable: 'not read yet',
      lines: undefined,
      ended: false,
      endedAt: 0,
    };
    this.filters.set(key, f);
    const unreadable = (why: string) => {
      f.ended = true;
      f.endedAt = Date.now();
      const k = `filters\0${key}`;
      this.quickEnds.set(k, f.endedAt - now < 60_000 ? (this.quickEnds.get(k) ?? 0) + 1 : 0);
      f.known = true;
      f.unreadable = why;
      this.evaluateSoon();
    };
    this.track(
      this.h.engine.observe
        .follow(
          container,
          FILTER_WATCH_SCRIPT,
          { labels: this.h.labels(team), caps: ['NET_ADMIN'] },
          (line) => {
            if (f.ended) return;
            if (line === WATCH_END_LIFE) f.retired = true;
            if (line === '@@beat' && !f.lines) {
              f.beatAt = Date.now();
              // five beats a second: only an answer waiting for one needs an evaluation
              if (this.awaitingBeat) this.evaluateSoon();
              return;
            }
            if (line === '@@nft') f.lines = [];
            if (!f.lines) return;
            f.lines.push(line);
            if (line !== '@@end') return;
            const why = findEvasion(f.lines.join('\n'));
            f.lines = undefined;
            if (!why && (!f.known || f.why || f.unreadable)) f.trustedSince = Date.now();
            f.known = true;
            delete f.unreadable;
            f.why = why;
            // recorded only when it changed (the Checker remembers what it recorded)
            void this.h.recordTamper(team, node, why, this.h.now());
            this.evaluateSoon();
          },
          (err) => {
            if (f.ended) return;
            if (f.retired && !err) {
              f.ended = true;
              f.endedAt = 0;
              this.quickEnds.set(`filters\0${key}`, 0);
              return;
            }
            unreadable(err ? describeError(err) : 'its filter watcher ended');
          },
        )
        .then((handle) => {
          if (f.ended || this.stopped) void handle.stop();
          else f.stop = () => handle.stop();
        })
        .catch((err: unknown) => {
          unreadable(describeError(err));
        }),
    );
  }

  /**
   * The proxies asked by proxy-blocked probes: their squid.conf (and what it includes), read through
   * the archive API on each slow turn (a rule that singles out the probe is found within one) and at
   * once when an answer that would change a check waits for it (`only`): a proxy-blocked answer
   * counts only once a read begun after the probe was asked found no rule that singles out the probe.
   */
  private readProxies(only?: Set<string>): void {
    const seen = new Set<string>();
    for (const { team, spec } of this.due)
      for (const p of spec.probes ?? []) {
        if (p.kind !== 'proxy-blocked') continue;
        const key = `${team}\0${p.node}`;
        if (seen.has(key) || (only && !only.has(key)) || this.inFlight.has(`proxy\0${key}`)) continue;
        seen.add(key);
        this.inFlight.add(`proxy\0${key}`);
        const startedAt = Date.now();
        this.track(
          this.h
            .proxyEvasion(this.h.container(team, p.node), this.engineNow)
            .then((r) => {
              const prev = this.proxyConf.get(key);
              const honest = !r.why && !r.unreadable;
              const wasHonest = prev && !prev.why && !prev.unreadable;
              this.proxyConf.set(key, {
                ...r,
                startedAt,
                trustedSince: honest && wasHonest ? prev.trustedSince : startedAt,
              });
              this.evaluateSoon();
              if (!r.unreadable) void this.h.recordTamper(team, p.node, r.why, this.h.now());
            })
            .finally(() => this.inFlight.delete(`proxy\0${key}`)),
        );
      }
  }

  /**
   * A process, file or login probe. Reads go through the read cache; a Samba login probe (an exec
   * of pdbedit, the costliest look) runs again only when the password database's stat changed, or
   * after `refreshMs`.
   */
  private async localProbe(team: string, ctx: LocalContext, p: Exclude<Probe, NetProbe>): Promise<ProbeResult> {
    if (p.kind !== 'login-refused' || p.service !== 'samba') return runLocalProbe(ctx, p);
    const key = `${team}\0${JSON.stringify(p)}`;
    // taken before the look: a change during it shows in the next stat
    const st = await ctx.engine.observe.stat(ctx.container(p.node), SAMBA_PASSDB);
    const sig = st ? `${st.mtime}/${st.size}` : '-';
    const memo = this.passdb.get(key);
    if (st && memo && memo.sig === sig && Date.now() - memo.at < this.refreshMs) return memo.result;
    const at = Date.now();
    const result = await runLocalProbe(ctx, p);
    if (st) this.passdb.set(key, { sig, at, result });
    else this.passdb.delete(key);
    return result;
  }

  /** with a time limit that answers for the look, not for the engine call behind it */
  private limited<T>(p: Promise<T>, what: string): Promise<T> {
    const ms = this.o.probeTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000}s`)), ms);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** API probes of every due check with such probes, each on its own; command checks on `slow` turns */
  private startLocal(slow: boolean): void {
    const tops = new Map<string, Promise<{ command: string }[]>>();
    // one moment for the turn's looks, before any of them: a stat shared within the turn began after it
    this.reads.beginTurn();
    const issuedAt = Date.now();
    const commands = new Map<string, { team: string; node: string; user?: string; specs: CheckSpec[] }>();
    for (const { team, spec } of this.due) {
      const key = `${team}\0${spec.id}`;
      if (!spec.probes) {
        if (!slow) continue;
        const g = `${team}\0${spec.node}\0${spec.user ?? ''}`;
        let c = commands.get(g);
        if (!c) commands.set(g, (c = { team, node: spec.node, ...(spec.user ? { user: spec.user } : {}), specs: [] }));
        c.specs.push(spec);
        continue;
      }
      const locals = spec.probes.filter((p) => !isNetProbe(p));
      if (!locals.length || this.inFlight.has(key)) continue;
      // a check that holds is looked at on the slow interval: what a trainee fixes is what is false
      if (!slow && this.h.recorded(team, spec.id) === true) continue;
      this.inFlight.add(key);
      const run = (async () => {
        const parts: ProbeResult[] = [];
        for (const p of locals) {
          let r: ProbeResult;
          try {
            r = await this.limited(
              this.localProbe(
                team,
                {
                  engine: this.engine,
                  container: (node) => this.h.container(team, node),
                  top: (node) => {
                    const k = `${team}\0${node}`;
                    let t = tops.get(k);
                    if (!t) tops.set(k, (t = this.h.engine.observe.top(this.h.container(team, node))));
                    return t;
                  },
                  perProbeS: Math.ceil((this.o.probeTimeoutMs ?? 5000) / 1000),
                  labels: this.h.labels(team),
                },
                p as Exclude<typeof p, NetProbe>,
              ),
              `${p.kind} on ${p.node}`,
            );
          } catch (err) {
            r = { passed: false, detail: `could not look at ${p.node}: ${(err as Error).message}` };
          }
          parts.push(r);
          if (!r.passed) break;
        }
        this.local.set(key, {
          passed: parts.every((r) => r.passed),
          detail: parts.map((r) => r.detail).join('; '),
          issuedAt,
        });
        this.evaluateSoon();
      })();
      // the slot frees only when the engine call really ends: a hung call is not piled on
      this.track(run.finally(() => this.inFlight.delete(key)));
    }
    for (const [g, c] of commands) {
      if (this.inFlight.has(g)) continue;
      this.inFlight.add(g);
      this.track(
        this.h
          .runCommands(c.team, c.node, c.user, c.specs)
          .then((rs) => {
            rs.forEach((r, i) => this.local.set(`${c.team}\0${c.specs[i]!.id}`, { ...r, issuedAt }));
            this.evaluateSoon();
          })
          .finally(() => this.inFlight.delete(g)),
      );
    }
  }

  /** evaluates once the current evaluation is done; answers that arrive meanwhile join the next one */
  private evaluateSoon(): void {
    if (this.evaluateQueued || this.stopped) return;
    this.evaluateQueued = true;
    this.evaluating = this.evaluating.then(async () => {
      this.evaluateQueued = false;
      try {
        await this.evaluate();
      } catch (err) {
        log.warn({ err, exercise: this.h.exercise }, `live checks of ${this.h.exercise}: ${describeError(err)}`);
      }
    });
  }

  /**
   * Whether a team's network answer can be trusted: undefined if so, else why not; 'wait' while not
   * known. Only once every FW's watcher has looked again after the answer came: a filter that
   * singles out the probes, put in just before the probe, is then in a dump already read; and only
   * an answer asked since the filters were last found honest ('stale' otherwise).
   */
  private distrust(team: string, receivedAt: number, issuedAt: number): string | undefined | 'wait' | 'stale' {
    const fws = [...this.filters.values()].filter((f) => f.team === team);
    if (!fws.length) return 'wait';
    for (const f of fws)
      if (f.known && f.why)
        return `not trusted: the firewall can tell the checker's packets apart (${f.node}: ${f.why})`;
    for (const [key, conf] of this.proxyConf)
      if (key.startsWith(`${team}\0`) && conf.why)
        return `not trusted: the proxy can tell the checker's requests apart (${key.slice(team.length + 1)}: ${conf.why})`;
    for (const f of fws) {
      if (!f.known || (!f.unreadable && f.beatAt <= receivedAt)) return 'wait';
      if (f.unreadable) return `not trusted: the firewall's filters could not be read (${f.node}: ${f.unreadable})`;
      // asked before the filters were last found honest: the watcher's next answer is needed
      if (issuedAt < f.trustedSince) return 'stale';
    }
    return undefined;
  }

  private async evaluate(): Promise<void> {
    let awaitingBeat = false;
    const wantProxy = new Set<string>();
    try {
      await this.evaluateAll(
        (key) => wantProxy.add(key),
        () => (awaitingBeat = true),
      );
    } finally {
      this.awaitingBeat = awaitingBeat;
      if (wantProxy.size && !this.stopped) this.readProxies(wantProxy);
    }
  }

  private async evaluateAll(wantProxy: (key: string) => void, awaitBeat: () => void): Promise<void> {
    for (const { team, spec } of this.due) {
      if (this.stopped) return;
      const key = `${team}\0${spec.id}`;
      const since = this.dueSince.get(key) ?? Date.now();
      let r: Answer | undefined;
      if (!spec.probes) r = this.local.get(key);
      else {
        const parts: Answer[] = [];
        let pending = false;
        const local = this.local.get(key);
        for (const p of spec.probes) {
          let a: Answer | undefined;
          if (isNetProbe(p)) {
            const w = this.nets.get(`${team}\0${netNode(p)}`);
            a = w?.answers[w.probes.findIndex((x) => sameProbe(x, p))];
            if (a && !a.detail.startsWith('could not look')) {
              const why = this.distrust(team, a.receivedAt ?? 0, a.issuedAt);
              const proxy = p.kind === 'proxy-blocked' ? p.node : undefined;
              const conf = proxy ? this.proxyConf.get(`${team}\0${proxy}`) : undefined;
              if (why === 'wait') {
                awaitBeat();
                a = undefined;
              } else if (why === 'stale') a = undefined;
              else if (why) a = { passed: false, detail: why, issuedAt: a.issuedAt };
              else if (proxy && (!conf || conf.startedAt < a.issuedAt)) {
                // read now only if this answer would change what is recorded
                if (a.passed !== this.h.recorded(team, spec.id)) wantProxy(`${team}\0${proxy}`);
                a = undefined;
              } else if (conf && a.issuedAt < conf.trustedSince) a = undefined;
              else if (conf?.unreadable)
                a = {
                  passed: false,
                  detail: `not trusted: the proxy's configuration could not be read (${proxy}: ${conf.unreadable})`,
                  issuedAt: a.issuedAt,
                };
            }
          } else a = local;
          if (!a || a.issuedAt < since) {
            pending = true;
            break;
          }
          parts.push(a);
          if (!a.passed) break;
        }
        if (pending) continue;
        r = {
          passed: parts.every((x) => x.passed),
          // the API probes answered together: their detail once
          detail: [...new Set(parts.map((x) => x.detail))].join('; '),
          issuedAt: Math.min(...parts.map((x) => x.issuedAt)),
        };
      }
      if (!r || r.issuedAt < since) continue;
      // stamped on the Checker's clock, at the moment the look was asked
      await this.h.record(team, spec, r, new Date(this.h.now().getTime() - (Date.now() - r.issuedAt)));
    }
  }
}
