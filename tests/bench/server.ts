/**
 * Exercise server benchmark (not a test): `npm run bench:server [-- --json] [-- --no-docs]`.
 *
 * The real server (SQLite store with its sync policy, scoreboard rules, socket.io rooms and the
 * trainee projection) runs in a child process on loopback; this process holds the socket.io
 * clients and submits findings over HTTP as trainees. No ranges: the exercise is moved to
 * `running` in the store directly and the ground truth is built here. Three runs, each on a fresh
 * server:
 *   - throughput: 100 teams, 500 clients (4 trainees in each team room + 100 staff in the
 *     exercise room), findings with 32 requests in flight: events/s sustained;
 *   - latency: the same clients, findings sent at a steady 1,000 a second (open loop): event →
 *     score delta at every client, p50/p95/p99/max;
 *   - hold: 2,000 clients (19 trainees a team + 100 staff) at the same steady rate: connected,
 *     disconnected, deltas, p99.
 * Each reports the server's CPU (cores busy while loaded) and peak memory. Prints a table (or
 * `--json`) and writes it into docs/performance.md, section "Server throughput" (`--no-docs`: not).
 * Knobs: TEAMS, FINDINGS (per team), IN_FLIGHT, RATE (events/s of the steady runs), PER_TEAM and
 * STAFF (clients of the throughput and latency runs), HOLD_PER_TEAM, HOLD_STAFF, RUNS (which of
 * throughput,latency,hold); BENCH_PROF=dir writes the server's CPU profile of each run's loaded
 * window there (`server-<run>.cpuprofile`, for Chrome DevTools or `--cpu-prof` tools). Clients
 * connect with `batch: true`, as the web UI does, over websocket only. They share the cores with
 * the server, so they spend only what the measurement needs: findings over node:http with a
 * keep-alive pool, and of each batch only its score deltas parsed (./lean-socket-parser.ts).
 */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { leanParser, scoreDeltasIn } from './lean-socket-parser.js';

const TEAMS = Number(process.env.TEAMS ?? 100);
const FINDINGS_PER_TEAM = Number(process.env.FINDINGS ?? 30);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 32);
const RATE = Number(process.env.RATE ?? 1000);
const HOLD_PER_TEAM = Number(process.env.HOLD_PER_TEAM ?? 19);
const HOLD_STAFF = Number(process.env.HOLD_STAFF ?? 100);
/** clients of the throughput and latency runs: trainees in each team room, staff in the exercise room */
const PER_TEAM = Number(process.env.PER_TEAM ?? 4);
const STAFF = Number(process.env.STAFF ?? 100);
const EX = 'sv-bench';
const args = process.argv.slice(2);
const DOCS = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

const indicator = (team: number, i: number) => `198.51.${team}.${i + 1}`;

/** The server's side: a fresh store and exercise, then CPU and memory figures on request. */
async function host(): Promise<void> {
  const { createExerciseServer, bootstrapAdmin, scoringPort } = await import('../../server/index.js');
  const dataDir = process.env.BENCH_DATA!;
  const truth = (team: string) => ({
    scenario: 'bench',
    team,
    availability: [],
    steps: [
      {
        id: 's1',
        title: { ja: 's1', en: 's1' },
        technique: 'T1071',
        tactic: 'command-and-control',
        impact: true,
        hints: [],
        containment: [],
        recovery: [],
        indicators: Array.from({ length: FINDINGS_PER_TEAM }, (_, i) => ({
          type: 'ip' as const,
          value: indicator(Number(team.slice(1)), i),
        })),
      },
    ],
  });
  const server = createExerciseServer({
    dataDir,
    scoring: scoringPort(),
    attack: { listScenarios: () => [{ id: 'bench', courses: ['A'] }], groundTruth: (_s, o) => truth(o.team) },
    limits: { loginPerMinute: 100_000, submissionsPerMinute: 100_000, socketConnectsPerMinute: 100_000 },
  });
  bootstrapAdmin(server.store, { ENSHU_ADMIN_PASSWORD: 'bench-password' });
  server.service.create(
    { id: EX, course: 'A', scenario: 'bench', seed: 1, speed: 1, schedule: {}, teams: TEAMS },
    'bench',
  );
  for (const s of ['provisioning', 'ready', 'running'] as const) server.store.exercises.transition(EX, s);
  server.store.events.append({ type: 'exercise.started', exercise: EX, at: new Date().toISOString() });
  const { url } = await server.listen(0);
  const staff = server.store.auth.issue({ role: 'instructor', subject: 'admin' });
  const teams = server.store.exercises.teams(EX).map((t) => ({ id: t.id, code: t.joinCode }));
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let peakRss = 0;
  const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  process.send!({ url, staff, teams });
  process.on('disconnect', () => process.exit(0)); // the parent died: never linger
  // BENCH_PROF=dir: a CPU profile of the loaded window only (not start-up, not the clients connecting)
  const profiler = process.env.BENCH_PROF ? new Session() : undefined;
  profiler?.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((res, rej) => profiler!.post(method, params, (err, r) => (err ? rej(err) : res(r as T))));
  process.on('message', async (m) => {
    if (m === 'mark') {
      if (profiler) {
        await post('Profiler.enable');
        await post('Profiler.start');
      }
      cpu0 = process.cpuUsage();
      t0 = performance.now();
      peakRss = process.memoryUsage().rss;
      process.send!('marked');
    } else if (m === 'measure') {
      const c = process.cpuUsage(cpu0);
      const seconds = (performance.now() - t0) / 1000;
      if (profiler) {
        const { profile } = await post<{ profile: object }>('Profiler.stop');
        writeFileSync(
          join(process.env.BENCH_PROF!, `server-${process.env.BENCH_RUN}.cpuprofile`),
          JSON.stringify(profile),
        );
      }
      process.send!({
        cores: (c.user + c.system) / 1e6 / seconds,
        peakRssMiB: Math.max(peakRss, process.memoryUsage().rss) / 2 ** 20,
        sockets: server.io.sockets.sockets.size,
      });
    } else if (m === 'stop') {
      clearInterval(sample);
      await server.close();
      process.exit(0);
    }
  });
}

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

type Delta = { team: string; score: { total: number }; causeAppendedAt: number; cause?: string };

interface RunResult {
  run: string;
  teams: number;
  clients: number;
  connected: number;
  disconnects: number;
  events: number;
  /** how the findings were sent: `in flight N` (as fast as answered) or `N/s` (steady) */
  load: string;
  eventsPerSecond: number;
  deltasReceived: number;
  /** clients whose last delta of every team they watch has the server's final total */
  upToDate: number;
  delayMs: { p50: number; p95: number; p99: number; max: number };
  serverCores: number;
  /** this process (the clients and the load) while loaded: near 1, the clients are the limit */
  clientCores: number;
  /** the server's CPU time per event while loaded (all its work: HTTP, store, scoring, fan-out) */
  serverCpuMsPerEvent: number;
  serverPeakRssMiB: number;
  connectSeconds: number;
}

/** One run on a fresh server: connect the clients, send the findings, collect the deltas. */
async function run(name: string, perTeam: number, staffClients: number, rate?: number): Promise<RunResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enshu-bench-'));
  const child = fork(fileURLToPath(import.meta.url), ['host'], {
    env: { ...process.env, BENCH_DATA: dataDir, BENCH_RUN: name },
    execArgv: ['--import', 'tsx'],
  });
  const ask = <T>(m: string) =>
    new Promise<T>((res) => {
      child.once('message', res as never);
      child.send(m);
    });
  const setup = await new Promise<{ url: string; staff: string; teams: { id: string; code: string }[] }>((res) =>
    child.once('message', res as never),
  );
  // node:http with a keep-alive pool: `fetch` (WHATWG streams) cost this process 0.7 CPU-ms a request
  // against 0.27, CPU the server then lacked on 2 cores; the server sees the same requests either way
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const post = async (path: string, body: unknown, token?: string, retry = 2): Promise<Record<string, unknown>> => {
    const text = JSON.stringify(body);
    const r = await new Promise<{ status: number; text: string } | null>((res, rej) => {
      const req = request(
        setup.url + path,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (c: Buffer) => chunks.push(c));
          answer.on('end', () => res({ status: answer.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          answer.on('error', rej);
        },
      );
      // a keep-alive connection the server just closed resets; that is the client's pool, not ingestion
      req.on('error', (err) => (retry > 0 ? res(null) : rej(err)));
      req.end(text);
    });
    if (r === null) return post(path, body, token, retry - 1);
    if (r.status < 200 || r.status > 299) throw new Error(`${path}: ${r.status} ${r.text}`);
    return JSON.parse(r.text) as Record<string, unknown>;
  };
  const tokens = new Map<string, string>();
  for (const t of setup.teams)
    tokens.set(t.id, (await post('/api/auth/join', { code: t.code, name: `${t.id}-lead` })).token as string);

  const delays: number[] = [];
  const sockets: Socket[] = [];
  let disconnects = 0;
  let measuring = false;
  /** what each client last heard of each team's total: at the end it must be the server's */
  const heard: Map<string, number>[] = [];
  const onScore = (d: Delta, now: number, seen: Map<string, number>) => {
    seen.set(d.team, d.score.total);
    if (measuring && d.cause !== 'time') delays.push(now - d.causeAppendedAt);
  };
  const connectOne = async (token: string, join?: string) => {
    const s = io(setup.url, {
      auth: { token, batch: true },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      // a batch arrives as its text and only its score deltas are parsed (./lean-socket-parser.ts)
      parser: leanParser,
    });
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    if (join) await new Promise((res) => s.emit('join', { exercise: EX }, res));
    const seen = new Map<string, number>();
    heard.push(seen);
    s.on('batch', (text: string) => {
      const now = Date.now();
      for (const d of scoreDeltasIn<Delta>(text)) onScore(d, now, seen);
    });
    s.on('disconnect', () => disconnects++);
    sockets.push(s);
  };
  const t0 = Date.now();
  // a few at a time: a classroom connecting, not one client after another
  const want = [
    ...setup.teams.flatMap((t) => Array.from({ length: perTeam }, () => [tokens.get(t.id)!] as const)),
    ...Array.from({ length: staffClients }, () => [setup.staff, EX] as const),
  ];
  for (let i = 0; i < want.length; i += 20)
    await Promise.all(want.slice(i, i + 20).map(([token, join]) => connectOne(token, join)));
  const connectSeconds = (Date.now() - t0) / 1000;

  const jobs = setup.teams.flatMap((t) =>
    Array.from({ length: FINDINGS_PER_TEAM }, (_, i) => ({ team: t.id, value: indicator(Number(t.id.slice(1)), i) })),
  );
  // interleave teams so every team is busy throughout
  jobs.sort((a, b) => Number(a.value.split('.').at(-1)) - Number(b.value.split('.').at(-1)));
  const submit = (j: (typeof jobs)[number]) =>
    post(`/api/exercises/${EX}/teams/${j.team}/findings`, { indicatorType: 'ip', value: j.value }, tokens.get(j.team));
  await ask('mark');
  measuring = true;
  const start = Date.now();
  const clientCpu = process.cpuUsage();
  if (rate) {
    // open loop: the n-th finding goes at start + n/rate, whether or not the earlier ones were answered
    // (at most 256 unanswered: past that the server is not keeping up and the run says so in events/s)
    const pending = new Set<Promise<unknown>>();
    for (let n = 0; n < jobs.length; n++) {
      const due = start + (n * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      while (pending.size >= 256) await Promise.race(pending);
      const p: Promise<unknown> = submit(jobs[n]!).finally(() => pending.delete(p));
      pending.add(p);
    }
    await Promise.all(pending);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs.length) await submit(jobs[next++]!);
      }),
    );
  }
  const seconds = (Date.now() - start) / 1000;
  const c = process.cpuUsage(clientCpu);
  const clientCores = (c.user + c.system) / 1e6 / seconds;
  const server = await ask<{ cores: number; peakRssMiB: number; sockets: number }>('measure');
  // the last deltas: until nothing came for a second (every delta is due within a tick)
  for (let last = -1; last !== delays.length;) {
    last = delays.length;
    await new Promise((r) => setTimeout(r, 1000));
  }
  measuring = false;
  const connected = sockets.filter((s) => s.connected).length;
  const lost = disconnects;
  const final = new Map(
    (
      (await (
        await fetch(`${setup.url}/api/exercises/${EX}/scores`, { headers: { authorization: `Bearer ${setup.staff}` } })
      ).json()) as { scores: { team: string; total: number }[] }
    ).scores.map((x) => [x.team, x.total]),
  );
  agent.destroy();
  const upToDate = heard.filter((seen) => [...seen].every(([team, total]) => final.get(team) === total)).length;
  for (const s of sockets) s.close();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
  return {
    run: name,
    teams: TEAMS,
    clients: sockets.length,
    connected: Math.min(connected, server.sockets),
    disconnects: lost,
    events: jobs.length,
    load: rate ? `${rate}/s` : `${IN_FLIGHT} in flight`,
    eventsPerSecond: +(jobs.length / seconds).toFixed(1),
    // a team's findings scored in the same turn make one delta: fewer deltas than findings × clients
    deltasReceived: delays.length,
    upToDate,
    serverCpuMsPerEvent: +((server.cores * seconds * 1000) / jobs.length).toFixed(2),
    delayMs: {
      p50: pct(delays, 50),
      p95: pct(delays, 95),
      p99: pct(delays, 99),
      max: delays.reduce((a, b) => Math.max(a, b), 0),
    },
    serverCores: +server.cores.toFixed(2),
    clientCores: +clientCores.toFixed(2),
    serverPeakRssMiB: Math.round(server.peakRssMiB),
    connectSeconds: +connectSeconds.toFixed(1),
  };
}

/** Soft limit on open files; 2,000 sockets on each side of loopback need more than the usual 1,024. */
function openFilesLimit(): { soft: number; hard: number } {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const [soft, hard] = (line?.match(/(\d+|unlimited)\s+(\d+|unlimited)/)?.slice(1) ?? []).map((x) =>
    x === 'unlimited' ? Infinity : Number(x),
  );
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

function table(results: RunResult[], machine: string): string {
  const rows = results.map(
    (r) =>
      `| ${r.run} | ${r.clients.toLocaleString('en')} | ${r.connected.toLocaleString('en')} / ${r.disconnects} | ${r.load} | ${r.events.toLocaleString('en')} | **${r.eventsPerSecond}** | ${r.delayMs.p50} / ${r.delayMs.p95} / **${r.delayMs.p99}** / ${r.delayMs.max} | ${r.deltasReceived.toLocaleString('en')} | ${r.upToDate.toLocaleString('en')} | ${r.serverCores} / ${r.clientCores} | ${r.serverCpuMsPerEvent} | ${r.serverPeakRssMiB} MiB |`,
  );
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}.`,
    '',
    '| run | clients | connected / disconnects | load | events | events/s | event → delta p50 / p95 / p99 / max (ms) | deltas received | clients up to date | cores: server / clients | server CPU ms / event | server peak RSS |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** Replaces the figures between the section's markers (the prose around them is kept). */
function writeDocs(body: string): void {
  const start = '<!-- bench:server:start -->';
  const end = '<!-- bench:server:end -->';
  const doc = readFileSync(DOCS, 'utf8');
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) {
    console.error(`docs/performance.md has no ${start} … ${end} block in "Server throughput"; figures not written`);
    return;
  }
  writeFileSync(DOCS, `${doc.slice(0, i + start.length)}\n${body}\n${doc.slice(j)}`);
}

async function main(): Promise<void> {
  const holdClients = TEAMS * HOLD_PER_TEAM + HOLD_STAFF;
  const need = 2 * holdClients + 512;
  const { soft, hard } = openFilesLimit();
  if (soft < need && !process.env.BENCH_ULIMIT_TRIED) {
    // node cannot raise its own limit: run again under `ulimit -n` (up to the hard limit, no root needed)
    const to = Math.min(need, hard);
    const r = spawnSync(
      'sh',
      ['-c', `ulimit -n ${to} && exec "$0" "$@"`, process.execPath, ...process.execArgv, ...process.argv.slice(1)],
      { stdio: 'inherit', env: { ...process.env, BENCH_ULIMIT_TRIED: '1' } },
    );
    process.exit(r.status ?? 1);
  }
  const canHold = soft >= need;
  if (!canHold)
    console.error(
      `open files limited to ${soft} (hard ${hard}), ${need} needed: the ${holdClients}-client run is skipped`,
    );
  const machine = `${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB, load average ${loadavg()[0]!.toFixed(1)} at the start`;
  const only = (process.env.RUNS ?? 'throughput,latency,hold').split(',');
  const results: RunResult[] = [];
  if (only.includes('throughput')) results.push(await run('throughput', PER_TEAM, STAFF));
  if (only.includes('latency')) results.push(await run('latency', PER_TEAM, STAFF, RATE));
  if (only.includes('hold') && canHold) results.push(await run('hold', HOLD_PER_TEAM, HOLD_STAFF, RATE));
  const text = table(results, `${machine}, ${loadavg()[0]!.toFixed(1)} at the end`);
  if (args.includes('--json')) console.log(JSON.stringify({ machine, results }, null, 2));
  else console.log(text);
  if (!args.includes('--no-docs')) writeDocs(text);
}

if (process.argv[2] === 'host') void host();
else void main();
