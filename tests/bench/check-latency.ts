/**
 * Check reaction benchmark (npm run bench:checks; not a test). A real range of N teams (course A's
 * scenario on a small range with every node its checks look at), a real exercise server, one
 * trainee socket per team. The attack's effects are put in place (implant running, files left,
 * the C2 open at the FW and the proxy, the stolen password valid, the sender accepted), its steps
 * are posted as a drill, and once the checker has seen every check false, the fixes a trainee
 * makes are made one at a time in the range (kill the implant, remove its files and the attachment,
 * an nft rule on the FW for the direct path and one for the proxy's, disable the Samba account,
 * refuse the sender in postfix). For each: the time from the fix's command returning to the team's
 * `score` delta reaching the trainee's socket. Then the CPU the checks cost at rest, for 60 s each:
 * the live checker, no server at all, and the checker in rounds (the way it was).
 *   npm run bench:checks [-- --teams 3 --idle 60 --json --no-docs --topology <file>]
 *   npm run bench:checks -- --from <file.json>   (the table of an earlier --json run, into the docs)
 * --profile adds, per window, the checker's engine calls by kind (count a second) and each probe
 * container's CPU by the node whose namespace it shares; --no-rounds leaves out the no-server and
 * rounds windows (to compare live changes back to back; nothing is written to the docs then).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, planFor } from '../../attacker/index.js';
import { LABEL, teamId } from '../../core/index.js';
import { connectEngine, ensureImages, loadTopology, RangeManager, type Engine } from '../../orchestrator/index.js';
import type { CheckResultEvent, ScoreDelta, StoredEvent } from '../../protocol/index.js';
import { attackPort, scoringPort } from '../../server/index.js';
import { ADMIN, connect, join as joinRoom, startServer, type Client, type Running } from '../server/helpers.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const TEAMS = Number(opt('teams', '3'));
const IDLE_S = Number(opt('idle', '60'));
const JSON_OUT = args.includes('--json');
const TOPOLOGY = opt('topology', 'tests/server/resume-range.yaml');
const EX = opt('exercise', 'bench-checks');
const SCENARIO = 'a-phishing-c2-exfil';
const SEED = 16;
const DOCS = 'docs/performance.md';
const PROFILE = args.includes('--profile');
const NO_ROUNDS = args.includes('--no-rounds');

const say = (s: string) => console.error(`# ${s}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- CPU ----------------------------------------------------------------------------------------
const TICKS = 100; // USER_HZ
/**
 * CPU seconds of the engine's two daemons (dockerd, containerd), with the children they reaped.
 * Shims are left out: they come and go with every container on the engine, the other work's too.
 */
function engineCpu(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== 'dockerd' && comm !== 'containerd') continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
    } catch {
      /* ended */
    }
  }
  return total;
}
/** where the engine keeps a container's cgroup: v1 cpuacct, v2 with cgroupfs, v2 with systemd */
const CGROUPS: [dir: string, id: (name: string) => string | undefined, usage: (dir: string, name: string) => string][] =
  [
    ['/sys/fs/cgroup/cpuacct/docker', (n) => n, (d, n) => `${d}/${n}/cpuacct.usage`],
    ['/sys/fs/cgroup/docker', (n) => n, (d, n) => `${d}/${n}/cpu.stat`],
    [
      '/sys/fs/cgroup/system.slice',
      (n) => /^docker-([0-9a-f]{64})\.scope$/.exec(n)?.[1],
      (d, n) => `${d}/${n}/cpu.stat`,
    ],
  ];
function cgroupUsage(file: string): number | undefined {
  try {
    const t = readFileSync(file, 'utf8');
    return file.endsWith('cpuacct.usage') ? Number(t) / 1e9 : Number(/usage_usec (\d+)/.exec(t)?.[1] ?? 0) / 1e6;
  } catch {
    return undefined;
  }
}
/**
 * CPU seconds of the checker's own containers (watchers, and the rounds' one-shot probes): their
 * cgroups sampled every 250 ms, so a one-shot container is counted up to its last sample.
 */
class ProbeCpu {
  private readonly probe = new Map<string, boolean | 'asking'>();
  private readonly base = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private first = true;
  constructor(private readonly engine: Engine) {}
  private sample(): void {
    for (const [dir, idOf, usageOf] of CGROUPS) {
      if (!existsSync(dir)) continue;
      for (const n of readdirSync(dir)) {
        const id = idOf(n);
        if (!id || !/^[0-9a-f]{64}$/.test(id)) continue;
        const known = this.probe.get(id);
        if (known === undefined) {
          this.probe.set(id, 'asking');
          const born = !this.first;
          void this.engine.containers
            .inspect(id)
            .then((c) => {
              const mine = c?.labels[LABEL.kind] === 'check-probe' && c.labels[LABEL.exercise] === EX;
              this.probe.set(id, mine);
              if (mine && !this.base.has(id)) this.base.set(id, born ? 0 : (cgroupUsage(usageOf(dir, n)) ?? 0));
            })
            .catch(() => this.probe.set(id, false));
          continue;
        }
        if (known !== true) continue;
        const u = cgroupUsage(usageOf(dir, n));
        if (u !== undefined) this.last.set(id, u);
      }
    }
    this.first = false;
  }
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 250);
  }
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    let total = 0;
    for (const [id, u] of this.last) total += Math.max(0, u - (this.base.get(id) ?? 0));
    return total;
  }
  /** CPU seconds per node whose network namespace the probe containers share (profile only) */
  byNode(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, u] of this.last) {
      let node = '?';
      try {
        node = execFileSync('docker', ['inspect', '-f', '{{.HostConfig.NetworkMode}}', id], { encoding: 'utf8' })
          .trim()
          .replace(/^container:enshu-.*?-t\d+-/, '');
      } catch {
        /* removed */
      }
      out[node] = (out[node] ?? 0) + Math.max(0, u - (this.base.get(id) ?? 0));
    }
    return out;
  }
}

/** the checker's engine calls by kind (`observe.stat`, `exec.run`…), counted while profiling */
const calls = new Map<string, { n: number; ms: number }>();
function counted(engine: Engine): Engine {
  const wrap = <T extends object>(group: string, o: T): T =>
    new Proxy(o, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv) as unknown;
        if (typeof v !== 'function') return v;
        return (...a: unknown[]) => {
          const key = `${group}.${String(prop)}`;
          const c = calls.get(key) ?? { n: 0, ms: 0 };
          calls.set(key, c);
          c.n++;
          const t = Date.now();
          const r = (v as (...x: unknown[]) => unknown).apply(target, a);
          if (r instanceof Promise) void r.finally(() => (c.ms += Date.now() - t)).catch(() => undefined);
          return r;
        };
      },
    });
  return new Proxy(engine, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv) as unknown;
      if (prop === 'observe' || prop === 'exec' || prop === 'containers') return wrap(prop, v as object);
      return v;
    },
  });
}
/** the whole machine's busy CPU seconds (all cores) */
function machineCpu(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return (f.reduce((a, b) => a + b, 0) - idle) / TICKS;
}

interface Window {
  what: string;
  seconds: number;
  server: number;
  engine: number;
  watchers: number;
  total: number;
  machine: number;
  load: number;
  /** --profile: engine calls a second by kind, probe-container CPU-s a minute by node */
  calls?: Record<string, number>;
  probeByNode?: Record<string, number>;
}
async function window(what: string, engine: Engine, inProcess: boolean): Promise<Window> {
  const probes = new ProbeCpu(engine);
  probes.start();
  const c0 = process.cpuUsage();
  const e0 = engineCpu();
  const m0 = machineCpu();
  const t0 = Date.now();
  calls.clear();
  await sleep(IDLE_S * 1000);
  const seconds = (Date.now() - t0) / 1000;
  const counts = PROFILE
    ? Object.fromEntries([...calls].sort((a, b) => b[1].n - a[1].n).map(([k, v]) => [k, +(v.n / seconds).toFixed(2)]))
    : undefined;
  const c = process.cpuUsage(c0);
  const eng = engineCpu() - e0;
  const m = machineCpu() - m0;
  const watchers = probes.stop();
  const server = inProcess ? (c.user + c.system) / 1e6 : 0;
  const w = {
    what,
    seconds,
    server,
    engine: eng,
    watchers,
    total: server + eng + watchers,
    machine: m,
    load: loadavg()[0]!,
    ...(counts ? { calls: counts } : {}),
    ...(PROFILE
      ? {
          probeByNode: Object.fromEntries(
            Object.entries(probes.byNode()).map(([k, v]) => [k, +((v / seconds) * 60).toFixed(2)]),
          ),
        }
      : {}),
  };
  say(`${what}: ${JSON.stringify(w)}`);
  return w;
}

// ---- the range and the server --------------------------------------------------------------------
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

interface Fix {
  /** the check whose score the fix earns (others may turn with it) */
  check: string;
  node: string;
  /** the trainee's fix: timed from its return */
  script: string;
  /** what the trainee does after it (not timed: the check turns with `script`) */
  after?: string;
}

function fixesFor(f: Record<string, string>, ips: Record<string, string[]>): Fix[] {
  const att = ips.attacker![0]!;
  const set = (xs: string[]) => (xs.length === 1 ? xs[0]! : `{ ${xs.join(', ')} }`);
  return [
    { check: 'implant-killed', node: 'pc1', script: `pkill -f '/tmp/\\.${f.implant_name}/'` },
    {
      check: 'direct-out-blocked',
      node: 'fw',
      script: `nft insert rule inet filter forward ip saddr ${set(ips.pc1!)} ip daddr ${att} tcp dport 443 jump blocked`,
    },
    { check: 'attachment-removed', node: 'pc1', script: `rm -f '/home/${f.victim}/Downloads/${f.attachment}'` },
    { check: 'victim-account-locked', node: 'file', script: `pdbedit -c '[D]' -u '${f.victim}' >/dev/null` },
    {
      check: 'c2-blocked-at-proxy',
      node: 'fw',
      script: `nft insert rule inet filter forward ip saddr ${set(ips.proxy!)} ip daddr ${att} jump blocked`,
    },
    { check: 'implant-removed', node: 'pc1', script: `rm -rf '/tmp/.${f.implant_name}'` },
    {
      check: 'sender-blocked',
      node: 'mail',
      // the check turns once the sender is named in postfix's configuration (main.cf already rejects
      // unknown relays); making postfix use the file follows, untimed
      script: `printf '%s REJECT\\n' '${f.sender}' > /etc/postfix/sender_access`,
      after: `postmap /etc/postfix/sender_access && postconf -e 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access' && (postfix reload >/dev/null 2>&1 || true)`,
    },
  ];
}

async function sh(engine: Engine, container: string, script: string) {
  const r = await engine.exec.run(container, ['sh', '-c', script], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`${container}: ${script}: ${r.stdout}${r.stderr}`);
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

let current: Running | undefined;
async function serve(engine: Engine, dataDir: string, checkMode: 'live' | 'rounds'): Promise<Running> {
  // no pseudo-attacker: the attack's effects are made here and its steps posted as a drill
  const { runner: _runner, ...attack } = attackPort();
  current = await startServer({
    dataDir,
    engine: PROFILE ? counted(engine) : engine,
    attack,
    scoring: scoringPort(),
    checkMode,
    rescoreIntervalMs: 0,
  });
  return current;
}

async function main(): Promise<void> {
  if (args.includes('--from')) {
    const md = report(JSON.parse(readFileSync(opt('from', ''), 'utf8')) as Result);
    console.log(md);
    if (!args.includes('--no-docs')) writeDocs(md);
    return;
  }
  const engine = await connectEngine();
  try {
    await measure(engine);
  } finally {
    // the server first: its engine watch would bring the nodes back while they are removed
    await current?.server.close().catch(() => undefined);
    await new RangeManager(engine).down({ exercise: EX });
  }
}

async function measure(engine: Engine): Promise<void> {
  const topology = loadTopology(TOPOLOGY);
  await ensureImages(engine, { roles: [...new Set(topology.nodes.map((n) => n.role))] });
  const ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const dataDir = mkdtempSync(join(tmpdir(), 'enshu-bench-checks-'));
  let run = await serve(engine, dataDir, 'live');
  const admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: EX, course: 'A', scenario: SCENARIO, seed: SEED, teams: TEAMS, speed: 1, topology: TOPOLOGY },
    admin,
  );
  if (created.status !== 201) throw new Error(created.text);
  const t0 = Date.now();
  for (let attempt = 0; ; attempt++) {
    const p = await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin);
    if (p.status !== 202) throw new Error(p.text);
    const state = await until(
      'provisioning',
      async () => {
        const x = await run.api<{ exercise: { state: string } }>('GET', `/api/exercises/${EX}`, undefined, admin);
        return ['ready', 'created'].includes(x.body.exercise.state) ? x.body.exercise.state : undefined;
      },
      900_000,
    );
    if (state === 'ready') break;
    if (attempt === 2) throw new Error('provisioning failed three times');
  }
  say(`${TEAMS} team(s) of ${TOPOLOGY} ready in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  const start = await run.api('POST', `/api/exercises/${EX}/start`, {}, admin);
  if (start.status !== 200) throw new Error(start.text);

  // each team's facts and addresses, its trainee's socket
  const [status] = await ranges.status(EX);
  const scenario = loadScenario(SCENARIO);
  const teams = Array.from({ length: TEAMS }, (_, i) => teamId(i + 1));
  const detail = await run.api<{ teams: { id: string; joinCode: string }[] }>(
    'GET',
    `/api/exercises/${EX}`,
    undefined,
    admin,
  );
  const deltas = new Map<string, { at: number; d: ScoreDelta }[]>();
  const sockets: Client[] = [];
  const plans = new Map<string, { fixes: Fix[]; facts: Record<string, string>; ips: Record<string, string[]> }>();
  for (const team of teams) {
    const nodes = status!.teams.find((t) => t.team === team)!.nodes;
    const ips: Record<string, string[]> = {};
    for (const n of nodes) ips[n.node] = Object.values(n.ips);
    const firstIps = Object.fromEntries(Object.entries(ips).map(([k, v]) => [k, v[0]!]));
    const facts = planFor(scenario, { exercise: EX, team, seed: SEED, ips: firstIps } as never).facts as Record<
      string,
      string
    >;
    plans.set(team, { facts, ips, fixes: fixesFor(facts, ips) });
    const code = detail.body.teams.find((t) => t.id === team)!.joinCode;
    const token = (await run.api<{ token: string }>('POST', '/api/auth/join', { code, name: `bench-${team}` })).body
      .token;
    const s = await connect(run.url, token);
    await joinRoom(s, EX, team);
    const list: { at: number; d: ScoreDelta }[] = [];
    deltas.set(team, list);
    s.on('score', (d) => {
      if (d.team === team) list.push({ at: Date.now(), d });
    });
    sockets.push(s);
  }
  const c = (team: string, node: string) => `enshu-${EX}-${team}-${node}`;

  // the attack's effects, then its steps as a drill
  for (const team of teams) {
    const f = plans.get(team)!.facts;
    const name = f.implant_name!;
    await sh(
      engine,
      c(team, 'pc1'),
      `mkdir -p /tmp/.${name} && printf '#!/bin/sh\\nwhile :; do sleep 2; done\\n' > /tmp/.${name}/${name} && chmod 755 /tmp/.${name}/${name} && chown -R '${f.victim}' /tmp/.${name} && su -s /bin/sh '${f.victim}' -c 'setsid /tmp/.${name}/${name} >/dev/null 2>&1 < /dev/null &'` +
        ` && mkdir -p '/home/${f.victim}/Downloads' && echo x > '/home/${f.victim}/Downloads/${f.attachment}'`,
    );
  }
  // the C2's direct port answers (the scenario's second implant would call it there), and the FW lets
  // the PC reach it (the range blocks it by default; the fix is a block rule put before this one)
  for (const team of teams) {
    await sh(
      engine,
      c(team, 'attacker'),
      `setsid python3 -m http.server 443 --bind 0.0.0.0 >/dev/null 2>&1 < /dev/null &`,
    );
    const pc1 = plans.get(team)!.ips.pc1!;
    await sh(
      engine,
      c(team, 'fw'),
      `nft insert rule inet filter forward ip saddr ${pc1.length === 1 ? pc1[0] : `{ ${pc1.join(', ')} }`} tcp dport 443 accept`,
    );
  }
  const now = new Date().toISOString();
  const steps = teams.flatMap((team) =>
    scenario.steps.map((s) => ({
      type: 'attack.step',
      at: now,
      team,
      scenario: SCENARIO,
      step: s.id,
      technique: s.technique,
      tactic: s.tactic,
      startedAt: now,
      endedAt: now,
      outcome: 'succeeded',
      evidence: 'bench drill',
      impact: !!s.impact,
    })),
  );
  const posted = await run.api('POST', `/api/exercises/${EX}/events`, { events: steps }, admin);
  if (posted.status !== 200 && posted.status !== 201) throw new Error(posted.text);

  const events = () => run.server.store.events.list(EX) as StoredEvent[];
  const lastResult = (team: string, check: string) =>
    events()
      .filter(
        (e): e is CheckResultEvent & { seq: number } =>
          e.type === 'check.result' && e.team === team && e.check === check,
      )
      .at(-1);
  // every check a fix is for, seen false since its step (what makes its fix earn)
  await until(
    'the checker to see every check false',
    () =>
      teams.every((team) => plans.get(team)!.fixes.every((fx) => lastResult(team, fx.check)?.passed === false))
        ? true
        : undefined,
    180_000,
  ).catch((err: Error) => {
    for (const team of teams)
      for (const fx of plans.get(team)!.fixes)
        say(`${team} ${fx.check}: ${JSON.stringify(lastResult(team, fx.check) ?? 'no result')}`);
    throw err;
  });
  say('every check false');
  // the costliest moment at rest: every check false, so every one is looked at each second
  const liveOpen = await window('live, nothing fixed yet', engine, true);
  say('fixing');

  // one fix at a time, at a random moment of the checker's second
  const earned = (d: ScoreDelta['score'] | undefined) => (d ? d.phases.response + d.phases.recovery : 0);
  const samples: { team: string; check: string; ms: number; execMs: number }[] = [];
  const missed: string[] = [];
  for (let i = 0; i < 7; i++)
    for (const team of teams) {
      const fx = plans.get(team)!.fixes[i]!;
      await sleep(Math.random() * 1000);
      const list = deltas.get(team)!;
      const before = earned(list.at(-1)?.d.score);
      const seen = list.length;
      const t0 = Date.now();
      await sh(engine, c(team, fx.node), fx.script);
      const t1 = Date.now();
      const got = await until(
        `${team} ${fx.check}`,
        () => list.slice(seen).find((x) => earned(x.d.score) > before),
        60_000,
      ).catch(() => undefined);
      if (!got) {
        missed.push(`${team}/${fx.check}`);
        say(
          `${team} ${fx.check}: no score delta within 60 s; last result: ${JSON.stringify(lastResult(team, fx.check))}`,
        );
        continue;
      }
      if (fx.after) await sh(engine, c(team, fx.node), fx.after);
      samples.push({ team, check: fx.check, ms: Math.max(0, got.at - t1), execMs: t1 - t0 });
      say(`${team} ${fx.check}: ${got.at - t1} ms after the fix (its command took ${t1 - t0} ms)`);
    }

  // CPU at rest: live checker; no server; the checker in rounds
  await sleep(5000);
  const live = await window('live, all fixed', engine, true);
  for (const s of sockets) s.close();
  await run.server.close();
  const skipped = (what: string): Window => ({
    what,
    seconds: 1,
    server: NaN,
    engine: NaN,
    watchers: NaN,
    total: NaN,
    machine: NaN,
    load: NaN,
  });
  let none = skipped('no server');
  let rounds = skipped('checker in rounds (10 s)');
  if (!NO_ROUNDS) {
    await sleep(5000);
    none = await window('no server', engine, false);
    run = await serve(engine, dataDir, 'rounds');
    await sleep(15_000);
    rounds = await window('checker in rounds (10 s)', engine, true);
    await run.server.close();
  }

  const ms = samples.map((s) => s.ms);
  const result = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '', load: loadavg() },
    date: new Date().toISOString(),
    // what else ran on the engine at the end (other work shares the machine)
    containers: execFileSync('docker', ['ps', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean).length,
    teams: TEAMS,
    topology: TOPOLOGY,
    fixes: samples.length,
    missed,
    latencyMs: { p50: pct(ms, 50), p95: pct(ms, 95), max: Math.max(...ms) },
    byCheck: Object.fromEntries(
      [...new Set(samples.map((s) => s.check))].map((k) => {
        const xs = samples.filter((s) => s.check === k).map((s) => s.ms);
        return [k, { n: xs.length, p50: pct(xs, 50), max: Math.max(...xs) }];
      }),
    ),
    cpu: { liveOpen, live, none, rounds },
    samples,
  };
  if (JSON_OUT) console.log(JSON.stringify(result, null, 2));
  const md = report(result);
  if (!JSON_OUT) console.log(md);
  if (!args.includes('--no-docs') && !NO_ROUNDS) writeDocs(md);
}

type Result = {
  machine: { cores: number; cpu: string; load: number[] };
  date: string;
  containers: number;
  teams: number;
  topology: string;
  fixes: number;
  missed: string[];
  latencyMs: { p50: number; p95: number; max: number };
  byCheck: Record<string, { n: number; p50: number; max: number }>;
  cpu: { liveOpen: Window; live: Window; none: Window; rounds: Window };
};

function report(r: Result): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const perMin = (w: Window, x: number) => ((x / w.seconds) * 60).toFixed(1);
  const cpuRow = (w: Window) =>
    `| ${w.what} | ${perMin(w, w.server)} | ${perMin(w, w.engine)} | ${perMin(w, w.watchers)} | **${perMin(w, w.total)}** | ${perMin(w, w.machine)} | ${w.load.toFixed(1)} |`;
  return [
    `## Check reaction time`,
    ``,
    `\`npm run bench:checks -- --teams ${r.teams}\` (\`tests/bench/check-latency.ts\`), ${r.date.slice(0, 10)}, ${r.machine.cores} cores (${r.machine.cpu}), load average ${r.machine.load.map((x) => x.toFixed(1)).join(' / ')} at the end, ${r.containers} containers on the engine after the run (other work on the machine shares it).`,
    `${r.teams} teams of \`${r.topology}\` with course A's scenario through a real server; the attack's effects made in`,
    `each range and its steps posted as a drill; once every check was seen false, ${r.fixes} fixes made one at a`,
    `time at a random moment (kill the implant, remove its files and the attachment, an nft rule on the FW for the`,
    `direct path and one for the proxy's, disable the Samba account, refuse the sender in postfix). Measured: from`,
    `the fix's command returning to the team's \`score\` delta on the trainee's socket.`,
    ``,
    `| fixes | p50 | p95 | max | missed |`,
    `|---|---|---|---|---|`,
    `| ${r.fixes} | ${s(r.latencyMs.p50)} s | ${s(r.latencyMs.p95)} s | ${s(r.latencyMs.max)} s | ${r.missed.length ? r.missed.join(', ') : 'none'} |`,
    ``,
    `| fix (check) | n | p50 | max |`,
    `|---|---|---|---|`,
    ...Object.entries(r.byCheck).map(([k, v]) => `| ${k} | ${v.n} | ${s(v.p50)} s | ${s(v.max)} s |`),
    ``,
    `CPU at rest, ${r.teams} teams, every check due, ${Math.round(r.cpu.none.seconds)} s each (CPU-seconds a minute).`,
    `server = the server's process; engine = dockerd and containerd with the children they reaped (shared`,
    `with all other work on the engine); probe containers = the checker's containers' cgroups, sampled every`,
    `250 ms (a one-shot probe container of the rounds counts up to its last sample, its shim and runc not`,
    `at all: the rounds' figure is a lower bound); total = the three; machine = every process. The engine's`,
    `daemons serve every other user of the engine too: the no-server row shows what they did meanwhile.`,
    ``,
    `| checker | server | engine | probe containers | total | machine | load |`,
    `|---|---|---|---|---|---|---|`,
    cpuRow(r.cpu.liveOpen),
    cpuRow(r.cpu.live),
    cpuRow(r.cpu.rounds),
    cpuRow(r.cpu.none),
    ``,
    `Where the time goes: a fix to a node's files, processes or accounts is seen by the next look through`,
    `the engine's API (each second while the check is false), then appended and pushed; a FW rule by the`,
    `watcher's next SYN (twice a second), which waits 2 × 0.3 s for the answer that no longer comes, then`,
    `by the FW watcher's next beat (every 0.2 s: no answer is trusted before the filters were looked at`,
    `again). In rounds, a fix waited for the next round (every 10 s) and for the round's slowest probe.`,
    `Where the CPU goes: the rounds started a container per node and round (the engine's create, start,`,
    `wait and remove). The live mode keeps one watcher per node: a python loop (nothing started per probe)`,
    `that sends an answer when it changes and otherwise every 5 s, with how long ago its probe began (the`,
    `answer is stamped with that moment); in the FW's namespace a bash loop that waits on the kernel's`,
    `change notices with a builtin \`read -t\` and starts no process at rest. Its API looks each second while`,
    `a check is false: a stat per path (a folder costs one per entry, course A's sender check 13, shared`,
    `within the second by every probe that asks), a read or pdbedit only when a stat changed (or after`,
    `60 s), the proxy's configuration every 10 s and when an answer waits for it. When the engine runs on`,
    `this host, stats and process lists are read from the node's root folder and cgroup here (the archive`,
    `API's stat costs the server and the engine an HTTP request each, about a millisecond together, and`,
    `the engine's top runs ps over the whole host, about 8 ms of engine a time); elsewhere the engine is`,
    `asked. \`--profile\` adds each window's engine calls a second and each watcher's CPU by node.`,
    `The engine column is shared with whatever else runs on the machine: compare runs on a quiet machine.`,
    `While checks are false the server looks through the API each second (\`live.everyMs\`); once they hold,`,
    `every 10 s as the rounds did. Memory: a python watcher holds about 7 MiB; course A's checks keep one`,
    `in the PC, proxy, mail and file server's namespaces and one (bash) in the FW's, about 30 MiB a team.`,
    ``,
  ].join('\n');
}

function writeDocs(md: string): void {
  const doc = readFileSync(DOCS, 'utf8');
  const start = doc.indexOf('## Check reaction time');
  let out: string;
  if (start < 0) out = `${doc.trimEnd()}\n\n${md}`;
  else {
    const next = doc.indexOf('\n## ', start + 5);
    out = doc.slice(0, start) + md + (next < 0 ? '' : `\n${doc.slice(next + 1)}`);
  }
  writeFileSync(DOCS, out.trimEnd() + '\n');
  say(`written to ${DOCS}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
