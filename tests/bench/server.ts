/**
 * Exercise server benchmark (npm run bench:server): 100 teams, 500 socket.io clients on loopback
 * (4 trainees per team in their team room + 100 staff in the exercise room). Trainees submit
 * findings over HTTP; we measure events ingested per second and the delay from an event's
 * append to its score delta reaching each client. The server runs in a child process so the
 * clients do not share its event loop. No ranges: the exercise is moved to `running` in the
 * store directly, and the ground truth is built here (scoring is the real scoreboard rules).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';

const TEAMS = Number(process.env.TEAMS ?? 100);
const CLIENTS_PER_TEAM = Number(process.env.PER_TEAM ?? 4);
const STAFF = Number(process.env.STAFF ?? 100);
const FINDINGS_PER_TEAM = Number(process.env.FINDINGS ?? 20);
const IN_FLIGHT = Number(process.env.IN_FLIGHT ?? 32);
const EX = 'sv-bench';

const indicator = (team: number, i: number) => `198.51.${team}.${i + 1}`;

async function host(): Promise<void> {
  const { createExerciseServer, bootstrapAdmin } = await import('../../server/index.js');
  const { scoringPort } = await import('../../server/index.js');
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
  process.send!({ url, staff, teams });
  process.on('disconnect', () => process.exit(0)); // the parent died: never linger
  process.on('message', async (m) => {
    if (m === 'stop') {
      await server.close();
      process.exit(0);
    }
  });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'enshu-bench-'));
  const child = fork(fileURLToPath(import.meta.url), ['host'], {
    env: { ...process.env, BENCH_DATA: dataDir },
    execArgv: ['--import', 'tsx'],
  });
  const setup = await new Promise<{ url: string; staff: string; teams: { id: string; code: string }[] }>((res) =>
    child.once('message', res as never),
  );
  const post = async (path: string, body: unknown, token?: string, retry = 2): Promise<Record<string, unknown>> => {
    // a keep-alive connection the server just closed resets; that is the client's pool, not ingestion
    const r = await fetch(setup.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).catch((err: unknown) => (retry > 0 ? null : Promise.reject(err)));
    if (r === null) return post(path, body, token, retry - 1);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<Record<string, unknown>>;
  };
  const tokens = new Map<string, string>();
  for (const t of setup.teams)
    tokens.set(t.id, (await post('/api/auth/join', { code: t.code, name: `${t.id}-lead` })).token as string);

  const delays: number[] = [];
  const sockets: Socket[] = [];
  const connectOne = async (token: string, join?: string) => {
    const s = io(setup.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    if (join) await new Promise((res) => s.emit('join', { exercise: EX }, res));
    s.on('score', (d: { causeAppendedAt: number }) => delays.push(Date.now() - d.causeAppendedAt));
    sockets.push(s);
  };
  const t0 = Date.now();
  for (const t of setup.teams) for (let i = 0; i < CLIENTS_PER_TEAM; i++) await connectOne(tokens.get(t.id)!);
  for (let i = 0; i < STAFF; i++) await connectOne(setup.staff, EX);
  const connectSeconds = (Date.now() - t0) / 1000;

  const jobs = setup.teams.flatMap((t) =>
    Array.from({ length: FINDINGS_PER_TEAM }, (_, i) => ({ team: t.id, value: indicator(Number(t.id.slice(1)), i) })),
  );
  // interleave teams so every team is busy throughout
  jobs.sort((a, b) => Number(a.value.split('.').at(-1)) - Number(b.value.split('.').at(-1)));
  const start = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        await post(
          `/api/exercises/${EX}/teams/${j.team}/findings`,
          { indicatorType: 'ip', value: j.value },
          tokens.get(j.team),
        );
      }
    }),
  );
  const seconds = (Date.now() - start) / 1000;
  await new Promise((r) => setTimeout(r, 2000)); // let the last deltas arrive
  const result = {
    teams: TEAMS,
    clients: sockets.length,
    events: jobs.length,
    inFlight: IN_FLIGHT,
    connectSeconds: +connectSeconds.toFixed(1),
    eventsPerSecond: +(jobs.length / seconds).toFixed(1),
    deltasReceived: delays.length,
    delayMs: { p50: pct(delays, 50), p99: pct(delays, 99), max: delays.reduce((a, b) => Math.max(a, b), 0) },
  };
  console.log(JSON.stringify(result, null, 2));
  for (const s of sockets) s.close();
  child.send('stop');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv[2] === 'host') void host();
else void main();
