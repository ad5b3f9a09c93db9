/**
 * Self-paced mode through the real server on the real engine: an instructor opens a window for
 * online-intro; trainees register with the window's code; with room for one range on the host,
 * the first trainee's online-small range is built on demand and the second waits in the queue;
 * the first starts, pauses and resumes their own clock, then finishes — their range is torn down
 * and the queued trainee's range is built; that one is torn down after the idle limit. A window
 * code grants no more than a join code: a seat sees only its own exercise.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RangeManager, topologyForCourse, type Engine } from '../../orchestrator/index.js';
import type { SelfPacedSeat, SelfPacedWindow } from '../../protocol/index.js';
import { attackPort, scoringPort } from '../../server/index.js';
import { engineWithImages } from '../helpers/range.js';
import { ADMIN, startServer, type Running } from './helpers.js';

const WIN = 'o13sp';
const BUILD_MS = 8 * 60_000;
const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-selfpaced-'));
let engine: Engine;
let run: Running;
let admin = '';
/** the server's clock runs this far ahead of the wall clock (to pass an idle limit without waiting) */
let ahead = 0;
let code = '';
const trainees: { token: string; exercise: string; joinCode: string }[] = [];
const timings: Record<string, number> = {};

const seat = async (token: string) => {
  const r = await run.api<{ seat: SelfPacedSeat }>('GET', '/api/selfpaced/me', undefined, token);
  assert.equal(r.status, 200, r.text);
  return r.body.seat;
};
async function seatBecomes(token: string, status: SelfPacedSeat['status'], ms: number): Promise<SelfPacedSeat> {
  const end = Date.now() + ms;
  for (;;) {
    const s = await seat(token);
    if (s.status === status) return s;
    if (Date.now() > end) throw new Error(`seat ${s.exercise} is ${s.status}, not ${status}, after ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}
const containers = async (exercise: string) =>
  (await new RangeManager(engine).status(exercise)).flatMap((x) => x.teams.flatMap((t) => t.nodes)).length;

const server = () =>
  startServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    now: () => new Date(Date.now() + ahead),
    // one range at a time on this host; the sweep runs when the test asks
    selfPaced: { maxRanges: 1, sweepMs: 0 },
  });

beforeAll(async () => {
  const topology = topologyForCourse('online-intro');
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  for (const n of [1, 2, 3]) await new RangeManager(engine).down({ exercise: `sp-${WIN}-00${n}` });
  run = await server();
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
});

afterAll(async () => {
  await run?.server.close();
  if (engine) for (const n of [1, 2, 3]) await new RangeManager(engine).down({ exercise: `sp-${WIN}-00${n}` });
  rmSync(dataDir, { recursive: true, force: true });
  console.error(`# self-paced timings (s): ${JSON.stringify(timings)}`);
});

describe('self-paced windows: registration, ranges on demand, own clock, teardown, queue', () => {
  it('an instructor opens a window for an online course; group courses and bad dates are refused', async () => {
    const now = Date.now();
    const body = {
      id: WIN,
      course: 'online-intro',
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3 * 3600_000).toISOString(),
      capacity: 2,
      idleMinutes: 10,
      speed: 60,
    };
    const group = await run.api('POST', '/api/selfpaced/windows', { ...body, course: 'A' }, admin);
    assert.equal(group.status, 400, group.text);
    assert.match(group.text, /group course/);
    const backwards = await run.api(
      'POST',
      '/api/selfpaced/windows',
      { ...body, closesAt: new Date(now - 120_000).toISOString() },
      admin,
    );
    assert.equal(backwards.status, 400);
    const opened = await run.api<{ window: SelfPacedWindow }>('POST', '/api/selfpaced/windows', body, admin);
    assert.equal(opened.status, 201, opened.text);
    assert.equal(opened.body.window.scenario, 'online-intro-phishing', 'the course file’s scenario by default');
    assert.ok(opened.body.window.open);
    code = opened.body.window.code;
    assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    // a trainee cannot open windows
    assert.equal((await run.api('POST', '/api/selfpaced/register', { code: 'NOPE-NOPE', name: 'x' })).status, 401);
  });

  it(
    'the first trainee gets a range built on demand; the second waits in the queue (host full)',
    { timeout: BUILD_MS + 60_000 },
    async () => {
      const t0 = Date.now();
      for (const name of ['kato', 'mori']) {
        const r = await run.api<{ token: string; exercise: string; joinCode: string; seat: SelfPacedSeat }>(
          'POST',
          '/api/selfpaced/register',
          { code: code.toLowerCase(), name },
        );
        assert.equal(r.status, 201, r.text);
        assert.equal(r.body.seat.course, 'online-intro');
        trainees.push({ token: r.body.token, exercise: r.body.exercise, joinCode: r.body.joinCode });
      }
      const [a, b] = trainees;
      assert.equal(a!.exercise, `sp-${WIN}-001`);
      const queued = await seat(b!.token);
      assert.equal(queued.status, 'queued');
      assert.equal(queued.queuePosition, 1);
      // a queued trainee cannot start yet, and says why
      const early = await run.api('POST', '/api/selfpaced/me/start', {}, b!.token);
      assert.equal(early.status, 409);
      assert.match(early.text, /queued \(position 1\)/);

      await seatBecomes(a!.token, 'ready', BUILD_MS);
      timings.build1 = (Date.now() - t0) / 1000;
      assert.equal(await containers(a!.exercise), topologyForCourse('online-intro').nodes.length);
      assert.equal((await seat(b!.token)).status, 'queued', 'still queued while the host is full');
      assert.equal(await containers(b!.exercise), 0);
    },
  );

  it('a window code grants what a join code grants: one’s own exercise and team only', async () => {
    const [a, b] = trainees;
    // the seat's view carries no scenario, seed or code
    const mine = await run.api('GET', '/api/selfpaced/me', undefined, a!.token);
    assert.doesNotMatch(mine.text, /online-intro-phishing|seed|"code"/);
    assert.equal((await run.api('GET', `/api/exercises/${b!.exercise}`, undefined, a!.token)).status, 403);
    assert.equal((await run.api('GET', '/api/selfpaced/windows', undefined, a!.token)).status, 403);
    assert.equal((await run.api('POST', `/api/exercises/${a!.exercise}/start`, {}, a!.token)).status, 403);
    const own = await run.api<{ exercise: { scenario?: string; seed?: number } }>(
      'GET',
      `/api/exercises/${a!.exercise}`,
      undefined,
      a!.token,
    );
    assert.equal(own.status, 200);
    assert.equal(own.body.exercise.scenario, undefined);
    assert.equal(own.body.exercise.seed, undefined);
    // the team's join code lets the trainee back in from another browser, to the same team
    const back = await run.api<{ exercise: string; team: string }>('POST', '/api/auth/join', {
      code: a!.joinCode,
      name: 'kato',
    });
    assert.equal(back.status, 200);
    assert.equal(back.body.exercise, a!.exercise);
  });

  it('the trainee starts, pauses and resumes their own clock', { timeout: 120_000 }, async () => {
    const [a] = trainees;
    const started = await run.api<{ seat: SelfPacedSeat }>('POST', '/api/selfpaced/me/start', {}, a!.token);
    assert.equal(started.status, 200, started.text);
    assert.equal(started.body.seat.status, 'running');
    await new Promise((r) => setTimeout(r, 3000));
    const paused = await run.api<{ seat: SelfPacedSeat }>('POST', '/api/selfpaced/me/pause', {}, a!.token);
    assert.equal(paused.body.seat.status, 'paused');
    const at = paused.body.seat.elapsedMinutes;
    assert.ok(at > 0, `the clock ran: ${at}`);
    await new Promise((r) => setTimeout(r, 7000));
    assert.equal((await seat(a!.token)).elapsedMinutes, at, 'a paused clock does not move');
    const types = run.server.store.events.list(a!.exercise).map((e) => e.type);
    assert.ok(types.includes('exercise.started') && types.includes('exercise.paused'));
    const runner = Object.values(run.server.service.runnerStates(a!.exercise))[0];
    assert.equal(runner?.status, 'paused', 'the attack pauses with the clock');
    const resumed = await run.api<{ seat: SelfPacedSeat }>('POST', '/api/selfpaced/me/start', {}, a!.token);
    assert.equal(resumed.body.seat.status, 'running');
  });

  it(
    'finishing tears the range down and the queued trainee’s range is built',
    { timeout: BUILD_MS + 120_000 },
    async () => {
      const [a, b] = trainees;
      const t0 = Date.now();
      const done = await run.api<{ seat: SelfPacedSeat }>('POST', '/api/selfpaced/me/finish', {}, a!.token);
      assert.equal(done.status, 200, done.text);
      assert.equal(done.body.seat.status, 'finished');
      assert.equal(await containers(a!.exercise), 0, 'the finished range is gone');
      assert.equal(run.server.store.exercises.get(a!.exercise).state, 'ended', 'the exercise (and its scores) stay');
      await seatBecomes(b!.token, 'ready', BUILD_MS);
      timings.build2 = (Date.now() - t0) / 1000;
      const { windows, host } = (
        await run.api<{ windows: SelfPacedWindow[]; host: { active: number } }>(
          'GET',
          '/api/selfpaced/windows',
          undefined,
          admin,
        )
      ).body;
      assert.equal(host.active, 1);
      assert.deepEqual(windows[0]!.counts, { queued: 0, active: 1, done: 1 });
    },
  );

  it('a restarted server keeps the windows, the seats and their tokens', { timeout: 120_000 }, async () => {
    const [a, b] = trainees;
    await run.server.close();
    run = await server();
    admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
    assert.equal((await seat(b!.token)).status, 'ready', 'the built range is still the seat’s');
    assert.equal((await seat(a!.token)).status, 'finished');
    const { windows } = (
      await run.api<{ windows: SelfPacedWindow[] }>('GET', '/api/selfpaced/windows', undefined, admin)
    ).body;
    assert.equal(windows[0]!.code, code);
  });

  it(
    'an idle range is torn down after the idle limit; a closed window takes no one',
    { timeout: 180_000 },
    async () => {
      const [, b] = trainees;
      await run.server.selfPaced.sweep();
      assert.equal((await seat(b!.token)).status, 'ready', 'not idle yet');
      ahead = 11 * 60_000;
      await run.server.selfPaced.sweep();
      const s = run.server.selfPaced.seat(b!.exercise);
      assert.equal(s.status, 'expired');
      assert.equal(await containers(b!.exercise), 0, 'the idle range is gone');
      const closed = await run.api('POST', `/api/selfpaced/windows/${WIN}/close`, {}, admin);
      assert.equal(closed.status, 200, closed.text);
      const late = await run.api('POST', '/api/selfpaced/register', { code, name: 'ueda' });
      assert.equal(late.status, 403);
      assert.match(late.text, /closed/);
    },
  );

  it('the CLI forms: an instructor lists the windows, a trainee reads their seat', { timeout: 60_000 }, async () => {
    const enshu = (args: string[], env: Record<string, string>) =>
      promisify(execFile)(process.execPath, ['bin/enshu.mjs', 'selfpaced', ...args, '--url', run.url, '--json'], {
        env: { ...process.env, ...env },
      });
    const list = JSON.parse(
      (await enshu(['list', '--user', ADMIN.user], { ENSHU_PASSWORD: ADMIN.password })).stdout,
    ) as {
      windows: SelfPacedWindow[];
    };
    assert.deepEqual(
      list.windows[0]!.seats.map((s) => [s.name, s.status]),
      [
        ['kato', 'finished'],
        ['mori', 'expired'],
      ],
    );
    const mine = JSON.parse((await enshu(['seat'], { ENSHU_TOKEN: trainees[0]!.token })).stdout) as {
      seat: SelfPacedSeat;
    };
    assert.equal(mine.seat.exercise, trainees[0]!.exercise);
    await assert.rejects(enshu(['list', '--user', ADMIN.user], { ENSHU_PASSWORD: 'wrong-password' }), /401/);
  });
});
