/**
 * The exercise server through real HTTP and real socket.io clients, on a real range of two
 * one-node teams: roles and team scope on every route and room, body validation, the state
 * machine, the checker in the range, the 30-minute report deadline, live score deltas, and a
 * restart that loses no event.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { connectEngine, RangeManager, type Engine } from '../../orchestrator/index.js';
import type { GroundTruth } from '../../core/index.js';
import { reportingPort, scoringPort, type AttackPort } from '../../server/index.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from './helpers.js';

const EX = 'sv-api';
const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-sv-'));
let engine: Engine;
let run: Running;
let admin: string;
let tokenA: string;
let tokenB: string;
const sockets: Client[] = [];
const SCENARIO = 'sv-drill';
const IMPLANT = '/tmp/sv-implant';

/**
 * The scenario's ground truth is built here, not by the attacker: this file tests the server,
 * and drives "attacker" facts through events with explicit timestamps. No pseudo-attacker runs.
 */
function truth(team: string): GroundTruth {
  return {
    scenario: SCENARIO,
    team,
    availability: [],
    steps: [
      {
        id: 'c2',
        title: { ja: 'C2通信', en: 'C2 beacon' },
        technique: 'T1071.001',
        tactic: 'command-and-control',
        impact: true,
        indicators: [{ type: 'ip', value: '203.0.113.66' }],
        hints: [{ id: 'h1', text: { ja: 'FWのログ', en: 'FW log' }, cost: 5 }],
        recovery: [],
        containment: [
          {
            id: 'implant-gone',
            kind: 'containment',
            step: 'c2',
            title: { ja: '', en: 'implant removed' },
            node: 'pc',
            command: `test ! -e ${IMPLANT}`,
          },
        ],
      },
    ],
  };
}
const drill: AttackPort = {
  listScenarios: () => [{ id: SCENARIO, courses: ['A'] }],
  groundTruth: (_s, o) => truth(o.team),
};

async function serverOn() {
  return startServer({
    dataDir,
    engine,
    attack: drill,
    scoring: scoringPort(),
    reporting: reportingPort(),
    checkIntervalMs: 1000,
    limits: { loginPerMinute: 1000, submissionsPerMinute: 1000 },
  });
}

beforeAll(async () => {
  engine = await connectEngine();
  await new RangeManager(engine).down({ exercise: EX });
  run = await serverOn();
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    {
      id: EX,
      course: 'A',
      scenario: SCENARIO,
      seed: 7,
      teams: [
        { name: 'Blue', members: ['alice'] },
        { name: 'Red', members: ['bob'] },
      ],
      topology: 'tests/server/sv-range.yaml',
    },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  const staff = await connect(run.url, admin);
  sockets.push(staff);
  assert.equal((await join(staff, EX)).ok, true);
  const failures: string[] = [];
  staff.on('progress', (p) => p.status === 'failed' && failures.push(`${p.team ?? ''} ${p.node ?? ''} ${p.message}`));
  const ready = waitFor(
    staff,
    'exercise',
    (x) => x.id === EX && (x.state === 'ready' || x.state === 'created'),
    600_000,
  );
  assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
  assert.equal((await ready).state, 'ready', `provisioning failed: ${failures.join('; ')}`);
  assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
  const teams = (
    await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${EX}`, undefined, admin)
  ).body.teams;
  tokenA = (await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[0]!.joinCode, name: 'alice' }))
    .body.token;
  tokenB = (await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[1]!.joinCode, name: 'bob' })).body
    .token;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await run?.server.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
  rmSync(dataDir, { recursive: true, force: true });
});

/** a concrete path for a route: this exercise, team t02, a report id that may not exist */
function pathOf(p: string, team = 't02') {
  return p.replace(':exercise', EX).replace(':team', team).replace(':report', 'r-unknown');
}

describe('exercise server', () => {
  it('serves an OpenAPI document that lists every mounted route', async () => {
    const doc = (await run.api<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/docs')).body;
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const walk = (stack: Layer[]): (readonly [string, string])[] =>
      stack.flatMap((l) =>
        l.route
          ? Object.keys(l.route.methods).map((m) => [m, l.route!.path] as const)
          : l.handle?.stack
            ? walk(l.handle.stack)
            : [],
      );
    const mounted = walk(run.server.app.router.stack as Layer[]);
    assert.ok(mounted.length >= 30, `only ${mounted.length} routes mounted`);
    for (const [method, path] of mounted) {
      const key = path.replace(/:([A-Za-z]+)/g, '{$1}');
      assert.ok(doc.paths[key]?.[method], `${method.toUpperCase()} ${path} missing from /api/docs`);
    }
  });

  it('needs a token everywhere except health, docs, login and join', async () => {
    for (const r of run.server.routes) {
      if (r.roles === 'public') continue;
      const res = await run.api(r.method.toUpperCase(), pathOf(r.path, 't01'), r.body ? {} : undefined);
      assert.equal(res.status, 401, `${r.method} ${r.path}`);
      assert.deepEqual(Object.keys(res.body).sort(), ['detail', 'error']);
    }
    assert.equal((await run.api('GET', '/api/me', undefined, 'forged')).status, 401);
  });

  it('gives a trainee of team A 403 on every team-B resource and every staff route', async () => {
    let checked = 0;
    for (const r of run.server.routes) {
      if (r.roles === 'public') continue;
      const teamRoute = r.path.includes(':team');
      if (!teamRoute && r.roles.includes('trainee')) continue;
      const res = await run.api(r.method.toUpperCase(), pathOf(r.path), r.body ? {} : undefined, tokenA);
      assert.equal(res.status, 403, `${r.method} ${r.path} gave ${res.status}: ${res.text}`);
      assert.ok(res.body.error, 'error body');
      checked++;
    }
    assert.ok(checked >= 20);
    // and on the routes trainees may use, they see only their own team
    const me = await run.api<{ teams: { id: string; joinCode?: string }[] }>(
      'GET',
      `/api/exercises/${EX}`,
      undefined,
      tokenA,
    );
    assert.deepEqual(
      me.body.teams.map((t) => [t.id, t.joinCode]),
      [['t01', undefined]],
    );
    const list = await run.api<{ exercises: { id: string }[] }>('GET', '/api/exercises', undefined, tokenA);
    assert.deepEqual(
      list.body.exercises.map((x) => x.id),
      [EX],
    );
  });

  it('keeps a trainee out of team B’s room and the exercise room, and sends them only their team’s events', async () => {
    const a = await connect(run.url, tokenA);
    sockets.push(a);
    const refusedTeam = await join(a, EX, 't02');
    assert.deepEqual(refusedTeam, { ok: false, status: 403, error: 'you may only join your own team' });
    assert.equal((await join(a, EX)).ok, false);
    const own = await join(a, EX, 't01');
    assert.ok(own.ok && own.snapshot.events.every((e) => !('team' in e) || e.team === 't01'));
    const seen: string[] = [];
    a.on('event', (e) => 'team' in e && seen.push(e.team));
    const bFinding = await run.api('POST', `/api/exercises/${EX}/teams/t02/actions`, { what: 'isolated pc' }, tokenB);
    assert.equal(bFinding.status, 200, bFinding.text);
    const aAction = waitFor(a, 'event', (e) => e.type === 'action.submitted');
    await run.api('POST', `/api/exercises/${EX}/teams/t01/actions`, { what: 'blocked the C2 address' }, tokenA);
    await aAction;
    assert.deepEqual([...new Set(seen)], ['t01']);
    const bad = await connect(run.url, 'no-such-token').then(
      () => 'connected',
      (e: Error) => e.message,
    );
    assert.match(bad, /unauthorized/);
  });

  it('answers invalid bodies with 400 {error, detail}', async () => {
    for (const r of run.server.routes) {
      if (!r.body) continue;
      const res = await run.api(
        r.method.toUpperCase(),
        pathOf(r.path, 't01'),
        { unexpected: true },
        r.roles === 'public' ? undefined : r.roles.includes('instructor') ? admin : tokenA,
      );
      assert.equal(res.status, 400, `${r.method} ${r.path}: ${res.text}`);
      assert.equal(typeof res.body.error, 'string');
      assert.ok(Array.isArray(res.body.detail) && res.body.detail.length > 0, res.text);
    }
    const malformed = await run.api('POST', `/api/exercises/${EX}/teams/t01/findings`, '{"text": ', tokenA);
    assert.equal(malformed.status, 400);
    assert.doesNotMatch(malformed.text, /at .*\.ts|node_modules/);
    const finding = await run.api<{ detail: { message: string }[] }>(
      'POST',
      `/api/exercises/${EX}/teams/t01/findings`,
      { text: 'something is odd' },
      tokenA,
    );
    assert.equal(finding.status, 400);
    assert.match(finding.body.detail[0]!.message, /indicator .* or an ATT&CK technique/);
  });

  it('refuses invalid state transitions with 409 and a clear message', async () => {
    const res = await run.api('POST', `/api/exercises/${EX}/start`, {}, admin);
    assert.equal(res.status, 409);
    assert.match(
      String(res.body.error),
      /is running; it cannot become running \(from running it can become: paused, ended\)/,
    );
    assert.equal((await run.api('POST', `/api/exercises/${EX}/archive`, {}, admin)).status, 409);
  });

  it('limits login attempts', async () => {
    const limited = await startServer({
      dataDir: mkdtempSync(joinPath(tmpdir(), 'enshu-sv-rl-')),
      limits: { loginPerMinute: 3 },
    });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.api('POST', '/api/auth/login', { user: 'admin', password: 'wrong' })).status);
      assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    } finally {
      await limited.server.close();
    }
  });

  it('runs the scenario’s checks in each team’s range and logs a check.result only when the value changes', async () => {
    const staff = sockets[0]!;
    const container = `enshu-${EX}-t01-pc`;
    const results = () =>
      run.server.store.events
        .list(EX)
        .filter((e) => e.type === 'check.result' && e.team === 't01')
        .map((e) => e.type === 'check.result' && e.passed);
    // a step's checks run only once the step happened: nothing is recorded before the drill's c2 step
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(results(), [], 'no check result before its step');
    const now = new Date().toISOString();
    const c2 = { type: 'attack.step', team: 't01', scenario: SCENARIO, step: 'c2', technique: 'T1071.001' };
    const step = { ...c2, tactic: 'command-and-control', at: now, startedAt: now, endedAt: now, outcome: 'succeeded' };
    const injected = await run.api('POST', `/api/exercises/${EX}/events`, { events: [step] }, admin);
    assert.equal(injected.status, 200, injected.text);
    // then the implant is absent, so the check passes
    // (on a loaded machine a first run may time out and count as failed)
    while (!results().includes(true)) await new Promise((r) => setTimeout(r, 200));
    const skip = results().indexOf(true);
    assert.deepEqual(results().slice(skip), [true]);
    const failing = waitFor(staff, 'event', (e) => e.type === 'check.result' && e.team === 't01' && !e.passed, 30_000);
    await engine.exec.run(container, ['sh', '-c', `touch ${IMPLANT}`]);
    await failing;
    const passing = waitFor(staff, 'event', (e) => e.type === 'check.result' && e.team === 't01' && e.passed, 30_000);
    await engine.exec.run(container, ['sh', '-c', `rm ${IMPLANT}`]);
    await passing;
    await new Promise((r) => setTimeout(r, 3000)); // a few more polls: no change, no event
    assert.deepEqual(results().slice(skip), [true, false, true]);
  });

  it('scores the first report against the 30-minute deadline from the first impact', async () => {
    const now = Date.now();
    const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
    const impact = (team: string, minutesAgo: number) => ({
      type: 'attack.step',
      team,
      scenario: SCENARIO,
      step: 'c2',
      technique: 'T1071.001',
      tactic: 'command-and-control',
      at: at(minutesAgo),
      startedAt: at(minutesAgo),
      endedAt: at(minutesAgo),
      outcome: 'succeeded',
      impact: true,
    });
    const injected = await run.api(
      'POST',
      `/api/exercises/${EX}/events`,
      { events: [impact('t01', 40), impact('t02', 10)] },
      admin,
    );
    assert.equal(injected.status, 200, injected.text);
    const codes = async (team: string, token: string) => {
      const s = await run.api<{ score: { detail: { code: string; params: Record<string, unknown> }[] } }>(
        'GET',
        `/api/exercises/${EX}/teams/${team}/score`,
        undefined,
        token,
      );
      return s.body.score.detail.filter((i) => i.code.startsWith('reporting.first'));
    };
    assert.deepEqual(
      (await codes('t01', tokenA)).map((i) => i.code),
      ['reporting.first.overdue'],
    );
    assert.deepEqual(await codes('t02', tokenB), []);
    const report = {
      kind: 'first',
      language: 'ja',
      fields: {
        occurredAt: '本日 9時頃',
        affected: '公開Webサーバ',
        cause: '外部からの不正な通信',
        outlook: '本日中に復旧の見込み',
        alternatives: '電話窓口をご利用ください',
        actions: '通信を遮断しました',
      },
    };
    for (const [team, token] of [
      ['t01', tokenA],
      ['t02', tokenB],
    ] as const) {
      const r = await run.api('POST', `/api/exercises/${EX}/teams/${team}/reports`, report, token);
      assert.equal(r.status, 200, r.text);
    }
    const late = await codes('t01', tokenA);
    assert.equal(late[0]?.code, 'reporting.first.late');
    // the deadline is 30 minutes after the first impact (minutesLate is the scoreboard's: exercise time only)
    assert.equal(late[0]!.params.deadline, at(10));
    assert.deepEqual(
      (await codes('t02', tokenB)).map((i) => i.code),
      ['reporting.first.on-time'],
    );
  });

  it('pushes a score delta to the team’s socket after a correct finding', async () => {
    const a = await connect(run.url, tokenA);
    sockets.push(a);
    const snap = await join(a, EX, 't01');
    assert.ok(snap.ok);
    const before = snap.snapshot.scores.find((s) => s.team === 't01')!;
    const delta = waitFor(a, 'score', (d) => d.team === 't01' && d.score.phases.detection > before.phases.detection);
    const sent = Date.now();
    const r = await run.api(
      'POST',
      `/api/exercises/${EX}/teams/t01/findings`,
      { indicatorType: 'ip', value: '203.0.113.66', text: 'beacon in the FW log' },
      tokenA,
    );
    assert.equal(r.status, 200, r.text);
    const d = await delta;
    assert.ok(d.score.total > before.total);
    assert.ok(Date.now() - sent < 2000);
  });

  it('gives organizers results, statistics and CSV, and a trainee their own timeline', async () => {
    await run.api('POST', '/api/users', { name: 'ito', role: 'organizer', password: 'organizer-pass-1' }, admin);
    const org = (
      await run.api<{ token: string }>('POST', '/api/auth/login', { user: 'ito', password: 'organizer-pass-1' })
    ).body.token;
    const results = await run.api<{ teams: { team: string; score: { total: number } | null }[] }>(
      'GET',
      `/api/exercises/${EX}/results`,
      undefined,
      org,
    );
    assert.equal(results.status, 200, results.text);
    assert.deepEqual(
      results.body.teams.map((t) => t.team),
      ['t01', 't02'],
    );
    assert.ok(results.body.teams[0]!.score!.total > 0);
    const csv = await run.api('GET', `/api/exercises/${EX}/results?format=csv`, undefined, org);
    assert.equal(csv.status, 200);
    assert.match(csv.text, /t01/);
    const stats = await run.api<{ stats: { course: string; sessions: number }[] }>('GET', '/api/stats', undefined, org);
    assert.ok(
      stats.body.stats.some((s) => s.course === 'A' && s.sessions >= 1),
      stats.text,
    );
    assert.equal(
      (await run.api('POST', `/api/exercises/${EX}/pause`, {}, org)).status,
      403,
      'organizers do not control exercises',
    );
    const tl = await run.api<{ entries: unknown[] }>(
      'GET',
      `/api/exercises/${EX}/teams/t01/timeline`,
      undefined,
      tokenA,
    );
    assert.equal(tl.status, 200, tl.text);
    assert.ok(tl.body.entries.length > 3);
  });

  it('restarts with no committed event lost and picks the running exercise up again', async () => {
    // a burst of submissions, some still in flight when the server goes down
    const burst = Array.from({ length: 40 }, (_, i) =>
      run.api('POST', `/api/exercises/${EX}/teams/t01/actions`, { what: `action ${i}` }, tokenA),
    );
    const answered = await Promise.all(burst);
    assert.ok(answered.every((r) => r.status === 200));
    const before = run.server.store.events.list(EX);
    await run.server.close();
    run = await serverOn();
    const afterRestart = run.server.store.events.list(EX);
    // checks still running at shutdown may commit their result while the server closes: nothing is lost, more may come
    assert.deepEqual(afterRestart.slice(0, before.length), before);
    assert.ok(afterRestart.slice(before.length).every((e) => e.type === 'check.result'));
    const x = await run.api<{ exercise: { state: string } }>('GET', `/api/exercises/${EX}`, undefined, admin);
    assert.equal(x.body.exercise.state, 'running');
    assert.deepEqual(run.recovered.resumed, [EX]);
    // the range was re-adopted by its labels (recover() ran in startServer): submissions go on, seq continues
    const next = await run.api<{ event: { seq: number } }>(
      'POST',
      `/api/exercises/${EX}/teams/t01/findings`,
      { indicatorType: 'ip', value: '198.51.100.7' },
      tokenA,
    );
    assert.equal(next.status, 200, 'trainee tokens survive the restart');
    assert.equal(next.body.event.seq, afterRestart.at(-1)!.seq + 1);
    const s = await connect(run.url, tokenA);
    sockets.push(s);
    const snap = await join(s, EX, 't01');
    assert.ok(snap.ok);
    assert.equal(snap.snapshot.events.at(-1)!.seq, next.body.event.seq);
  });
});
