/**
 * A step whose node is down waits for it (#18): team 1's PC is stopped before the attack's first step
 * is due; the step waits instead of failing (and its dependent is not skipped); an instructor's node
 * reset brings the PC back and the attack goes on where it stood. When the node stays down longer than
 * the wait, the step fails; the reset that brings the node back runs it again with what waited for it
 * (`attack.reopened`), and the attack that had finished goes on.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../core/index.js';
import { AttackRunner, loadScenario, MemorySink } from '../../attacker/index.js';
import { loadTopology, type Engine, type RangeManager } from '../../orchestrator/index.js';
import type { AttackStepEvent } from '../../protocol/index.js';
import { engineWithImages, freshRange } from '../helpers/range.js';
import { until } from '../helpers/until.js';

const EX = 'faults-nodewait';
const topology = loadTopology(join(repoRoot, 'tests', 'attacker', 'attack-range.yaml'));
const scenario = loadScenario(join(repoRoot, 'tests', 'faults', 'node-wait-scenario.yaml'));
let engine: Engine;
let ranges: RangeManager;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges } = await freshRange(engine, EX, topology, 1));
}, 900_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
}, 300_000);

test('a step waits for its stopped node and goes on after a node reset', async () => {
  const sink = new MemorySink();
  const pc1 = `enshu-${EX}-t01-pc1`;
  const r = new AttackRunner({ engine, exercise: EX, team: 't01', scenario, seed: EX, sink, speed: 1 });
  const steps = () => sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
  try {
    await r.start();
    // stopped from outside, as an engine fault would: the exercise's own tools never stop a node
    const stopped = spawnSync('docker', ['stop', '-t', '1', pc1], { encoding: 'utf8' });
    assert.equal(stopped.status, 0, stopped.stderr);
    // well past the first step's time (20 s): it waits, nothing failed or was skipped
    await new Promise((res) => setTimeout(res, 35_000));
    assert.deepEqual(
      steps().map((e) => `${e.step} ${e.outcome}`),
      [],
      'no step outcome while the node is down',
    );
    await ranges.reset({ exercise: EX, team: 't01', node: 'pc1' });
    const end = Date.now() + 180_000;
    while (steps().length < 2 && Date.now() < end) await new Promise((res) => setTimeout(res, 500));
    assert.deepEqual(
      steps().map((e) => `${e.step} ${e.outcome}`),
      ['touch succeeded', 'after succeeded'],
    );
  } finally {
    await r.stop();
  }
}, 600_000);

test('a step that failed because its node stayed down runs again after the reset, with what waited for it', async () => {
  const sink = new MemorySink();
  const pc1 = `enshu-${EX}-t01-pc1`;
  const r = new AttackRunner({
    engine,
    exercise: EX,
    team: 't01',
    scenario,
    seed: EX,
    sink,
    speed: 1,
    nodeWaitMs: 2000,
  });
  const steps = () => sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
  try {
    await r.start();
    const stopped = spawnSync('docker', ['stop', '-t', '1', pc1], { encoding: 'utf8' });
    assert.equal(stopped.status, 0, stopped.stderr);
    await until(
      'the attack to end with its node down',
      () => (r.state().status === 'finished' ? true : undefined),
      120_000,
    );
    assert.deepEqual(
      steps().map((e) => `${e.step} ${e.outcome}`),
      ['touch failed', 'after skipped'],
    );
    assert.match(steps()[0]!.reason ?? '', /^node pc1 was not running/);

    await ranges.reset({ exercise: EX, team: 't01', node: 'pc1' });
    // what the server does once a reset is done (server/exercises/lifecycle.ts)
    assert.deepEqual(r.reopenNodeFailures('pc1 reset by instructor'), ['touch', 'after']);
    // done() waits for the attack's new end, not the first one it already reached
    let ended = false;
    const again = r.done().then(() => (ended = true));
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(ended, false, 'done() resolved before the reopened steps ran');
    await until('both steps to run again', () => (steps().length >= 4 ? true : undefined), 180_000);
    assert.deepEqual(
      steps().map((e) => `${e.step} ${e.outcome}`),
      ['touch failed', 'after skipped', 'touch succeeded', 'after succeeded'],
    );
    const reopened = sink.events.find((e) => e.type === 'attack.reopened');
    assert.deepEqual((reopened as { detail?: unknown } | undefined)?.detail, {
      steps: ['touch', 'after'],
      why: 'pc1 reset by instructor',
    });
    await until('the attack to finish again', () => (r.state().status === 'finished' ? true : undefined), 60_000);
    await again;
    // a server restarted now reads the same from the log: both steps done, nothing to run again
    const restored = new AttackRunner({
      engine,
      exercise: EX,
      team: 't01',
      scenario,
      seed: EX,
      sink: new MemorySink(),
    });
    await restored.restore(sink.events);
    assert.equal(restored.state().status, 'finished');
    assert.deepEqual(
      restored.state().steps.map((s) => `${s.id} ${s.status}`),
      ['touch succeeded', 'after succeeded'],
    );
  } finally {
    await r.stop();
  }
}, 600_000);
