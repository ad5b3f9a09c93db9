/**
 * An attack that survives a server restart, on a real range: scenario a-phishing-c2-exfil runs
 * at ×60 through the server; the server is closed the way `enshu serve` closes on SIGTERM while
 * a step is in flight; a new server on the same data directory resumes the attack from the log.
 * Every step ends up in the log exactly once, in the planned order, on a clock that went on
 * from where it stood. Also: a runner refuses a range built from another seed.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AttackRunner, loadScenario, MemorySink, planFor, SeedMismatchError } from '../../attacker/index.js';
import { connectEngine, RangeManager, type Engine } from '../../orchestrator/index.js';
import { attackPort, scoringPort } from '../../server/index.js';
import type { AttackControlEvent, AttackStepEvent, StoredEvent } from '../../protocol/index.js';
import { ADMIN, connect, join, startServer, waitFor, type Running } from './helpers.js';

const EX = 'h1-resume';
const SCENARIO = 'a-phishing-c2-exfil';
const SEED = 11;
const SPEED = 60;
const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-h1-resume-'));
let engine: Engine;
let run: Running;
let admin: string;

const serverOn = () =>
  startServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    checkIntervalMs: 60_000,
    rescoreIntervalMs: 0,
  });
const attackLog = (): StoredEvent[] => run.server.store.events.list(EX).filter((e) => e.type.startsWith('attack.'));
const stepsOf = (log: StoredEvent[]) =>
  log.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
const control = (log: StoredEvent[], type: string) =>
  log.filter((e): e is AttackControlEvent & { seq: number } => e.type === type);

async function until<T>(what: string, f: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end)
      throw new Error(
        `timed out after ${ms}ms waiting for ${what}; attack log: ${attackLog()
          .map((e) => (e.type === 'attack.step' ? `${e.step} ${e.outcome} ${e.reason ?? ''}` : e.type))
          .join(' | ')}`,
      );
    await new Promise((r) => setTimeout(r, 250));
  }
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
      seed: SEED,
      teams: 1,
      speed: SPEED,
      topology: 'tests/server/resume-range.yaml',
    },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  const staff = await connect(run.url, admin);
  try {
    assert.ok((await join(staff, EX)).ok);
    const failures: string[] = [];
    staff.on('progress', (p) => p.status === 'failed' && failures.push(`${p.node ?? ''} ${p.message}`));
    // provisioning converges: on a loaded machine a slow service can miss its health deadline once,
    // and provisioning again keeps what is up and waits for the rest
    let state = 'created';
    for (let attempt = 0; attempt < 3 && state !== 'ready'; attempt++) {
      const ready = waitFor(
        staff,
        'exercise',
        (x) => x.id === EX && (x.state === 'ready' || x.state === 'created'),
        900_000,
      );
      assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
      state = (await ready).state;
    }
    assert.equal(state, 'ready', `provisioning failed: ${failures.join('; ')}`);
  } finally {
    staff.close();
  }
});

afterAll(async () => {
  await run?.server.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an attack across a server restart', () => {
  it('refuses to run the scenario on a range built from another seed, naming both', async () => {
    const runner = new AttackRunner({
      engine,
      exercise: EX,
      team: 't01',
      scenario: loadScenario(SCENARIO),
      seed: SEED + 1,
      sink: new MemorySink(),
    });
    await assert.rejects(runner.start(), (err: unknown) => {
      assert.ok(err instanceof SeedMismatchError);
      assert.equal(err.rangeSeed, String(SEED));
      assert.equal(err.exerciseSeed, String(SEED + 1));
      assert.match(err.message, /built with seed "11", but the exercise's seed is "12"/);
      return true;
    });
    assert.equal(runner.state().status, 'idle');
  });

  it('resumes mid-scenario: every step once, in planned order, on a clock that went on from where it stood', async () => {
    assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
    // close while a step after the C2 check-in is in flight (its action is tasked through the implant)
    const inFlight = await until(
      'a step in flight after the C2 check-in',
      () => {
        const state = run.server.service.runnerStates(EX).t01 as
          { steps: { id: string; status: string }[] } | undefined;
        const beacon = stepsOf(attackLog()).find((e) => e.step === 'c2-beacon');
        const busy = state?.steps.find((s) => s.status === 'running' && s.id !== 'c2-beacon');
        if (beacon)
          assert.equal(beacon.outcome, 'succeeded', `the C2 beacon was ${beacon.outcome}: ${beacon.reason ?? ''}`);
        return beacon && busy ? busy.id : undefined;
      },
      600_000,
    );
    const before = attackLog();
    await run.server.close();

    run = await serverOn();
    assert.deepEqual(run.recovered.resumed, [EX]);
    const log0 = attackLog();
    const suspended = control(log0, 'attack.suspended').at(-1)!;
    assert.ok(suspended, 'the shutdown recorded where the attack stood');
    assert.deepEqual(suspended.detail?.inFlight, [inFlight]);
    assert.equal(stepsOf(log0).length, stepsOf(before).length, 'the step in flight at shutdown left no outcome');

    const restored = await until('attack.restored', () => control(attackLog(), 'attack.restored').at(-1), 60_000);
    assert.deepEqual(restored.detail?.rerun, [inFlight], 'the step in flight is run again');
    // the clock goes on from the shutdown: the downtime (several seconds, minutes at ×60) does not count
    // (both are read right after the clock stops/starts;
    // a loaded machine may preempt in between: 1 s of wall time at most)
    assert.ok(
      Math.abs(restored.clock! - suspended.clock!) < SPEED,
      `restored at T+${restored.clock}s, suspended at T+${suspended.clock}s`,
    );
    assert.ok(restored.clock! > 0);
    console.log(
      `cut while ${inFlight} ran: suspended at T+${suspended.clock}s, restored at T+${restored.clock}s, ${Date.parse(restored.at) - Date.parse(suspended.at)} ms later`,
    );

    await until('attack.finished', () => control(attackLog(), 'attack.finished').at(-1), 600_000);
    const log = attackLog();
    const steps = stepsOf(log);
    const plan = planFor(loadScenario(SCENARIO), { exercise: EX, team: 't01', seed: SEED });
    // every step exactly once, the step cut off included
    assert.deepEqual(steps.map((e) => e.step).sort(), plan.steps.map((p) => p.id).sort());
    const byId = new Map(steps.map((e) => [e.step, e]));
    for (const id of ['phishing-mail', 'user-opens', 'c2-beacon', 'discovery', 'collect', 'exfiltrate']) {
      assert.equal(byId.get(id)!.outcome, 'succeeded', `${id}: ${byId.get(id)!.outcome} ${byId.get(id)!.reason ?? ''}`);
    }
    assert.match(byId.get('c2-direct')!.reason ?? '', /branch not taken/);
    // the steps after the restart keep their planned timing: each starts when its predecessors'
    // end plus its drawn delay comes on the scenario clock (or at once, for the step cut off)
    const after = steps.filter((e) => e.seq > restored.seq && e.outcome === 'succeeded');
    assert.ok(after.length >= 2, `steps after the restart: ${after.map((e) => e.step).join(', ')}`);
    // scenario seconds: the runner looks at its clock at least once a second; 5 s of wall-clock
    // lateness on a loaded machine. The downtime itself is checked exactly above.
    const tolerance = 5 * SPEED;
    for (const e of after) {
      const p = plan.steps.find((x) => x.id === e.step)!;
      const due = Math.max(...p.after.map((d) => byId.get(d)!.endClock!)) + Math.max(0, p.delay + p.jitter);
      const expected = Math.max(due, restored.clock!);
      console.log(
        `${e.step}: due T+${due.toFixed(1)}s, started T+${e.startClock}s (${(e.startClock! - expected).toFixed(1)}s after it could)`,
      );
      assert.ok(
        e.startClock! >= expected - 0.5 && e.startClock! - expected < tolerance,
        `${e.step} started at T+${e.startClock}s; due T+${due.toFixed(1)}s (restored at T+${restored.clock}s)`,
      );
    }
    // planned order: by log position and by scenario clock
    const order = ['discovery', 'collect', 'exfiltrate'];
    const seqs = order.map((id) => byId.get(id)!.seq);
    assert.deepEqual(
      [...seqs].sort((x, y) => x - y),
      seqs,
    );
    const clocks = order.map((id) => byId.get(id)!.startClock!);
    assert.deepEqual(
      [...clocks].sort((x, y) => x - y),
      clocks,
    );
  });
});
