/**
 * A team reset in the middle of an attack earns nothing (#18): course A's scenario runs at ×60 through
 * a real server on a small range; once the checker has seen the attack's damage (a recovery or
 * containment check false), the instructor resets the whole team. The reset puts every node back to
 * its image — the implant and the attachment are gone — yet the team, which did nothing, gets no
 * response or recovery points, and the reset is in the log at both ends.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectEngine, RangeManager, type Engine } from '../../orchestrator/index.js';
import { attackPort, scoringPort } from '../../server/index.js';
import type { CheckResultEvent, ScoreItem, StoredEvent } from '../../protocol/index.js';
import { ADMIN, startServer, type Running } from '../server/helpers.js';
import { until } from '../helpers/until.js';
import { teamTimeline } from '../../scoreboard/index.js';

const EX = 'faults-reset';
let engine: Engine;
let run: Running;
let admin: string;

/** how long a step of the attack or the checker may take on a loaded machine */
const WAIT_MS = 600_000;
const events = (): StoredEvent[] => run.server.store.events.list(EX);

beforeAll(async () => {
  engine = await connectEngine();
  await new RangeManager(engine).down({ exercise: EX });
  run = await startServer({
    dataDir: mkdtempSync(join(tmpdir(), 'enshu-reset-')),
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    checkIntervalMs: 2000,
    rescoreIntervalMs: 0,
  });
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    {
      id: EX,
      course: 'A',
      scenario: 'a-phishing-c2-exfil',
      seed: 7,
      teams: 1,
      speed: 60,
      topology: 'tests/server/resume-range.yaml',
    },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  // provisioning converges: a slow service on a loaded machine may miss its deadline once
  for (let attempt = 0; attempt < 3; attempt++) {
    assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
    const state = await until(
      'provisioning to end',
      async () => {
        const x = await run.api<{ exercise: { state: string } }>('GET', `/api/exercises/${EX}`, undefined, admin);
        return x.body.exercise.state === 'ready' || x.body.exercise.state === 'created'
          ? x.body.exercise.state
          : undefined;
      },
      900_000,
    );
    if (state === 'ready') break;
  }
  assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
}, 2_700_000);

afterAll(async () => {
  await run?.server.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
}, 300_000);

/** What team 1 has earned for response and recovery so far, as the scoreboard says. */
async function responseAndRecovery(): Promise<ScoreItem[]> {
  const scores = await run.api<{ scores: { team: string; detail: ScoreItem[] }[] }>(
    'GET',
    `/api/exercises/${EX}/scores`,
    undefined,
    admin,
  );
  const t01 = scores.body.scores.find((s) => s.team === 't01')!;
  return t01.detail.filter((i) => i.code === 'response.containment' || i.code === 'recovery.check');
}

/** On a failure: what the checker recorded for the checks that earned, and the range's events, in order. */
function history(earned: ScoreItem[]): string {
  const checks = new Set(earned.map((i) => String(i.params.check)));
  return events()
    .filter(
      (e) =>
        (e.type === 'check.result' && checks.has(e.check)) ||
        e.type.startsWith('range.') ||
        e.type.startsWith('attack.'),
    )
    .map((e) =>
      e.type === 'check.result'
        ? `${e.seq} ${e.at} ${e.check} ${e.passed} ${e.detail}`
        : `${e.seq} ${e.at} ${e.type} ${'step' in e ? String(e.step) : ''}`,
    )
    .join('\n');
}

test('a team reset mid-attack gives no response or recovery points', async () => {
  const damage = await until(
    'the checker to see the attack’s damage',
    () =>
      events().find(
        (e): e is CheckResultEvent & { seq: number } =>
          e.type === 'check.result' && e.check === 'implant-removed' && !e.passed,
      ),
    WAIT_MS,
  );
  const reset = await run.api('POST', `/api/exercises/${EX}/teams/t01/reset`, {}, admin);
  assert.equal(reset.status, 200, reset.text);
  const types = events().map((e) => e.type);
  assert.ok(types.includes('range.reset') && types.includes('range.reset.done'), 'the reset is in the log');
  // the checker takes every value again after the reset; let several rounds and the attack go on
  await until(
    'the check seen after the reset',
    () =>
      events().find((e) => e.type === 'check.result' && e.check === damage.check && e.seq > damage.seq)
        ? true
        : undefined,
    WAIT_MS,
  );
  await new Promise((r) => setTimeout(r, 20_000));
  const earned = await responseAndRecovery();
  assert.deepEqual(earned, [], `nothing earned from the reset; the log:\n${history(earned)}`);
  const turned = events().filter(
    (e) => e.type === 'check.result' && e.kind !== 'availability' && e.passed && e.seq > damage.seq,
  );
  console.log(
    `checks that turned true after the reset (all unearned): ${turned.map((e) => (e as CheckResultEvent).check).join(', ')}`,
  );
}, 900_000);

test("an instructor's attack restart undoes the old attack, starts it again from zero, and earns the team nothing", async () => {
  const before = events().at(-1)!.seq;
  const res = await run.api<{ state: { status: string; clock: number } }>(
    'POST',
    `/api/exercises/${EX}/teams/t01/restart-attack`,
    {},
    admin,
  );
  assert.equal(res.status, 200, res.text);
  assert.ok(['running', 'paused'].includes(res.body.state.status), res.text);
  assert.ok(res.body.state.clock < 120, `the new attack starts from zero (clock ${res.body.state.clock})`);
  const after = events().filter((e) => e.seq > before);
  assert.deepEqual(
    after.map((e) => e.type).filter((t) => t === 'attack.restart' || t === 'attack.stopped' || t === 'attack.started'),
    ['attack.restart', 'attack.stopped', 'attack.started'],
    'restart, the old attack stopped (its cleanup ran), the new one started — in that order',
  );
  // the new attack acts again, and the checker sees the new damage
  await until(
    'a step of the new attack',
    () => (events().some((e) => e.type === 'attack.step' && e.seq > before) ? true : undefined),
    WAIT_MS,
  );
  await new Promise((r) => setTimeout(r, 10_000));
  const earned = await responseAndRecovery();
  assert.deepEqual(earned, [], `nothing earned from the restart’s cleanup; the log:\n${history(earned)}`);
  // the after-action timeline shows it
  const entries = teamTimeline(events(), 't01');
  assert.ok(
    entries.some((e) => e.type === 'attack.restart' && e.lane === 'range'),
    'the restart is on the timeline',
  );
}, 900_000);
