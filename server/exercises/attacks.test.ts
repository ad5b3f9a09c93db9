/**
 * The attack runtime's decisions when an instructor restarts a team's attack: the old attack stays
 * the team's until it has stopped, and a team whose range the engine watch holds starts its new
 * attack paused. The runners here are recorders of what the runtime asked of them (the runner
 * itself is tested on real ranges in tests/faults/reset-mid-attack.test.ts).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunnerState } from '../../protocol/index.js';
import type { Engine } from '../../orchestrator/index.js';
import { openStore } from '../store/index.js';
import type { AttackPort, AttackRunnerLike } from '../ports.js';
import { exerciseContext } from './context.js';
import { AttackRuntime } from './attacks.js';
import type { TruthCache } from './truths.js';

class RecordingRunner implements AttackRunnerLike {
  calls: string[] = [];
  constructor(private readonly failStop = false) {}
  start() {
    this.calls.push('start');
  }
  pause() {
    this.calls.push('pause');
  }
  resume() {
    this.calls.push('resume');
  }
  stop() {
    this.calls.push('stop');
    if (this.failStop) return Promise.reject(new Error('engine gone'));
    return Promise.resolve();
  }
  skip() {}
  replay() {}
  setSpeed() {}
  state(): RunnerState {
    return { exercise: 'x', team: 't01', status: 'running', steps: [] } as unknown as RunnerState;
  }
  on() {}
}

function setUp(runners: RecordingRunner[]) {
  const dir = mkdtempSync(join(tmpdir(), 'enshu-attacks-'));
  const store = openStore(dir);
  const x = store.exercises.create({
    id: 'atk',
    title: 'restart',
    course: 'A',
    scenario: 's',
    seed: 1,
    speed: 1,
    schedule: {},
    teams: [{ name: 'one', members: [] }],
  });
  const made: RecordingRunner[] = [];
  const attack = {
    runner: () => {
      const r = runners.shift() ?? new RecordingRunner();
      made.push(r);
      return r;
    },
  } as unknown as AttackPort;
  const c = exerciseContext({
    store,
    engine: {} as Engine,
    attack,
    hooks: { progress() {}, state() {}, runner() {} },
  });
  const truths = { truths: () => new Map() } as unknown as TruthCache;
  const rt = new AttackRuntime(c, truths);
  const team = store.exercises.teams(x.id)[0]!.id;
  return { store, x, rt, made, team, done: () => (store.close(), rmSync(dir, { recursive: true, force: true })) };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

test('a restart whose old attack cannot be stopped leaves the team its attack', async () => {
  const s = setUp([new RecordingRunner(true)]);
  try {
    s.rt.start(s.x);
    await settle();
    await assert.rejects(s.rt.restartTeam(s.x.id, s.team), /engine gone/);
    assert.equal(s.made.length, 1, 'no new attack was made');
    // the team still has the old runner: the console can see and control it
    assert.doesNotThrow(() => s.rt.pauseTeam(s.x.id, s.team));
    assert.deepEqual(s.made[0]!.calls, ['start', 'stop', 'pause']);
    assert.ok(s.rt.states(s.x.id)[s.team], 'the team has a runner state');
  } finally {
    s.done();
  }
});

test('a team held by the engine watch starts its restarted attack paused', async () => {
  const s = setUp([]);
  try {
    let held = false;
    s.rt.held = () => held;
    s.rt.start(s.x);
    await settle();
    held = true;
    await s.rt.restartTeam(s.x.id, s.team);
    assert.equal(s.made.length, 2);
    assert.deepEqual(s.made[0]!.calls, ['start', 'stop']);
    assert.deepEqual(s.made[1]!.calls, ['start', 'pause'], 'the new attack waits for the range');
    const types = s.store.events.list(s.x.id).map((e) => e.type);
    assert.ok(types.includes('attack.restart'));
  } finally {
    s.done();
  }
});
