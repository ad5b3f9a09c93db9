/**
 * A crash restart keeps what a finished runner owns (#18): a scenario runs to its end (its traces
 * stay for the teams); a new runner restored from the log alone — as after `kill -9` of the server —
 * has the speed and takes over the implant and its cleanup, and its stop (what `end` does) removes it.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { repoRoot } from '../../core/index.js';
import { AttackRunner, loadScenario, MemorySink } from '../../attacker/index.js';
import { loadTopology, type Engine, type RangeManager } from '../../orchestrator/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';

const EX = 'faults-finished';
const topology = loadTopology(join(repoRoot, 'tests', 'attacker', 'attack-range.yaml'));
const small = loadScenario(join(repoRoot, 'tests', 'attacker', 'fixtures', 'small-scenario.yaml'));
let engine: Engine;
let ranges: RangeManager;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges } = await freshRange(engine, EX, topology, 1));
}, 900_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
}, 300_000);

test('a finished runner restored from the log keeps its speed and implant, and stop removes the implant', async () => {
  const sink = new MemorySink();
  const first = new AttackRunner({ engine, exercise: EX, team: 't01', scenario: small, seed: EX, sink, speed: 60 });
  await first.start();
  first.setSpeed(90);
  await first.done();
  assert.equal(first.state().status, 'finished');
  const cleanups = first.state().cleanups;
  assert.ok(cleanups >= 2, `the attack left traces to clean (${cleanups})`);
  const implantName = first.plan.facts.implant_name!;
  const running = await sh(
    engine,
    `enshu-${EX}-t01-pc1`,
    `ps -eo args | grep -c '[${implantName[0]}]${implantName.slice(1)}' || true`,
  );
  assert.ok(Number(running.stdout.trim()) >= 1, `the implant runs on pc1: ${running.stdout}`);

  // the server died (no suspend, no cleanup); a new runner comes back from the log alone
  const again = new AttackRunner({
    engine,
    exercise: EX,
    team: 't01',
    scenario: small,
    seed: EX,
    sink: new MemorySink(),
    speed: 1,
  });
  await again.restore(sink.events);
  assert.equal(again.state().status, 'finished');
  assert.equal(again.state().speed, 90, 'the speed from the log');
  // the implant's cleanup is rebuilt from the plan; a deface's or an Atomic test's cleanup is a closure
  // of the action that ran before the crash and cannot be (attacker/run/restore.ts OPAQUE_CLEANUP)
  assert.ok(again.state().cleanups >= 1 && again.state().cleanups <= cleanups, `cleanups ${again.state().cleanups}`);

  const res = await again.stop();
  assert.deepEqual(res.errors, []);
  assert.ok(
    res.cleaned.some((l) => l.startsWith('remove implant')),
    res.cleaned.join(', '),
  );
  const after = await sh(
    engine,
    `enshu-${EX}-t01-pc1`,
    `ps -eo args | grep -c '[${implantName[0]}]${implantName.slice(1)}' || true`,
  );
  assert.equal(after.stdout.trim(), '0', 'no implant left after end');
}, 600_000);
