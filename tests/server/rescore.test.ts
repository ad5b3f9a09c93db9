/**
 * Time-based rescoring through real HTTP and real socket.io clients, with the server's clock in
 * the test's hands: an impact is in the log, the clock moves past the 30-minute report deadline,
 * and the overdue item reaches the team's socket although no event was appended; a paused
 * exercise does not move; after it resumes, the hourly update falls due in exercise time.
 * Real scoring rules (course A) and the real scenario's ground truth; no container engine:
 * the range is not what this file tests, so the exercise is marked provisioned in the store.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { attackPort, scoringPort } from '../../server/index.js';
import type { ScoreDelta } from '../../protocol/index.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from './helpers.js';

const EX = 'h1-rescore';
const T0 = Date.parse('2026-11-26T09:00:00.000Z');
const min = (m: number) => new Date(T0 + m * 60_000);
let clock = min(0);
const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-h1-rescore-'));
let run: Running;
let admin: string;
let tokenA: string;
let a: Client;
let b: Client;
let staff: Client;
const seen: { who: string; d: ScoreDelta }[] = [];
const INTERVAL = 40;

const codes = (d: ScoreDelta) => (d.score.detail ?? []).map((i) => i.code);
const settle = (ms = INTERVAL * 6) => new Promise((r) => setTimeout(r, ms));
const log = () => run.server.store.events.list(EX);

beforeAll(async () => {
  run = await startServer({
    dataDir,
    attack: attackPort(),
    scoring: scoringPort(),
    now: () => clock,
    rescoreIntervalMs: INTERVAL,
  });
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: EX, course: 'A', scenario: 'a-phishing-c2-exfil', seed: 5, teams: 2 },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  run.server.store.exercises.transition(EX, 'provisioning', clock);
  run.server.store.exercises.transition(EX, 'ready', clock);
  assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
  const teams = (
    await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${EX}`, undefined, admin)
  ).body.teams;
  tokenA = (await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[0]!.joinCode, name: 'alice' }))
    .body.token;
  const tokenB = (await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[1]!.joinCode, name: 'bob' }))
    .body.token;
  [a, b, staff] = await Promise.all([connect(run.url, tokenA), connect(run.url, tokenB), connect(run.url, admin)]);
  assert.ok((await join(a, EX, 't01')).ok);
  assert.ok((await join(b, EX, 't02')).ok);
  assert.ok((await join(staff, EX)).ok);
  for (const [who, s] of [
    ['a', a],
    ['b', b],
    ['staff', staff],
  ] as const)
    s.on('score', (d) => seen.push({ who, d }));
});

afterAll(async () => {
  for (const s of [a, b, staff]) s?.close();
  await run?.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('time-based rescoring', () => {
  it('pushes the overdue first report to the team when the deadline passes, with no new event', async () => {
    // the attacker's impact on t01, one minute into the exercise
    clock = min(2);
    const at = min(1).toISOString();
    const impact = {
      type: 'attack.step',
      team: 't01',
      scenario: 'a-phishing-c2-exfil',
      step: 'exfiltrate',
      technique: 'T1041',
      tactic: 'exfiltration',
      at,
      startedAt: at,
      endedAt: at,
      outcome: 'succeeded',
      impact: true,
    };
    assert.equal((await run.api('POST', `/api/exercises/${EX}/events`, { events: [impact] }, admin)).status, 200);

    // 29 minutes after the impact nothing is due yet: time passes, nothing is pushed
    clock = min(30);
    await settle();
    seen.length = 0;
    const events = log().length;
    const lastSeq = log().at(-1)!.seq;

    clock = min(31.5);
    const overdue = await waitFor(a, 'score', (d) => codes(d).includes('reporting.first.overdue'), 5000);
    assert.equal(overdue.cause, 'time');
    assert.equal(overdue.team, 't01');
    assert.equal(overdue.seq, lastSeq, 'the delta is the same log read at a later time');
    const item = (overdue.score.detail ?? []).find((i) => i.code === 'reporting.first.overdue')!;
    assert.equal(item.params.deadline, min(31).toISOString());
    await settle();
    assert.equal(log().length, events, 'no event was appended');
    // only the team whose score changed gets a delta, once; t02 had no impact and nothing changed
    assert.deepEqual(seen.map((s) => `${s.who}:${s.d.team}`).sort(), ['a:t01', 'staff:t01']);
  });

  it('does not move a paused exercise, and counts the hourly update in exercise time after it resumes', async () => {
    clock = min(33);
    const report = {
      kind: 'first',
      language: 'en',
      fields: {
        occurredAt: 'today around 9:00',
        affected: 'files of General Affairs',
        cause: 'a mail attachment that ran a program',
        outlook: 'restored by this evening',
        alternatives: 'use the phone desk meanwhile',
        actions: 'we cut the connection',
      },
    };
    const late = waitFor(a, 'score', (d) => codes(d).includes('reporting.first.late'));
    assert.equal((await run.api('POST', `/api/exercises/${EX}/teams/t01/reports`, report, tokenA)).status, 200);
    await late;

    clock = min(40);
    assert.equal((await run.api('POST', `/api/exercises/${EX}/pause`, {}, admin)).status, 200);
    await settle();
    seen.length = 0;
    // while paused, hours go by on the wall clock: no deadline passes, nothing is pushed
    for (const m of [100, 160, 199]) {
      clock = min(m);
      await settle();
    }
    assert.equal(seen.length, 0, JSON.stringify(seen.map((x) => [x.who, x.d.team, x.d.cause])));

    clock = min(200);
    assert.equal((await run.api('POST', `/api/exercises/${EX}/resume`, {}, admin)).status, 200);
    // the update is due 60 minutes of exercise time after the first report: 33 + 60 + 160 paused
    clock = min(252);
    await settle();
    assert.ok(!seen.some((x) => codes(x.d).includes('reporting.update.overdue')), 'not due before 253');
    clock = min(254);
    const due = await waitFor(a, 'score', (d) => codes(d).includes('reporting.update.overdue'), 5000);
    assert.equal(due.cause, 'time');
    const item = (due.score.detail ?? []).find((i) => i.code === 'reporting.update.overdue')!;
    assert.equal(item.params.due, min(253).toISOString());
    assert.ok(item.points < 0);
    assert.ok(due.previous && due.score.total < due.previous.total);
  });
});
