/**
 * A crash restart keeps what a finished runner owns (#18): a scenario runs to its end (its traces
 * stay for the teams); a new runner restored from the log alone — as after `kill -9` of the server —
 * has the speed and takes over every cleanup (the implant's, the deface's, the Atomic test's), and its
 * stop (what `end` does) undoes them all: no implant, the original page back, no rogue account.
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

test('a finished runner restored from the log keeps its speed and every cleanup; stop undoes implant, deface and Atomic test', async () => {
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
  // every cleanup is rebuilt, from the plan and each step's parameters and evidence
  assert.equal(again.state().cleanups, cleanups, 'every cleanup taken over');
  const marker = first.plan.facts.marker!;
  const page = () => sh(engine, `enshu-${EX}-t01-web`, 'cat /var/www/site/index.html');
  assert.match((await page()).stdout, new RegExp(marker), 'the page is defaced before the stop');
  const rogue = () => sh(engine, `enshu-${EX}-t01-pc2`, 'id -u svc-t01');
  assert.equal((await rogue()).exitCode, 0, 'the Atomic test left its account');

  const res = await again.stop();
  assert.deepEqual(res.errors, []);
  for (const what of ['remove implant', 'restore /var/www/site/index.html', 'atomic T1136.001 cleanup'])
    assert.ok(
      res.cleaned.some((l) => l.startsWith(what)),
      `${what} in: ${res.cleaned.join(', ')}`,
    );
  assert.doesNotMatch((await page()).stdout, new RegExp(marker), 'the original page is back');
  assert.notEqual((await rogue()).exitCode, 0, 'the rogue account is gone');
  const after = await sh(
    engine,
    `enshu-${EX}-t01-pc1`,
    `ps -eo args | grep -c '[${implantName[0]}]${implantName.slice(1)}' || true`,
  );
  assert.equal(after.stdout.trim(), '0', 'no implant left after end');
}, 600_000);
