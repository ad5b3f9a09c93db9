/**
 * The host rules of an exercise, on a real engine. `up` starts a team's containers while later
 * teams' networks are still being created, so this holds the line that matters: no node of the
 * exercise starts before the exercise's host rules are in place (they name bridges, so they go in
 * before the bridges exist). Rules are applied in one transaction a family: a converge replaces
 * them without doubling them, and `down` removes that exercise's rules only.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABEL, sleep } from '../../core/index.js';
import { loadTopology, RangeManager, type Engine } from '../../orchestrator/index.js';
import { engineWithImages } from '../helpers/range.js';

const EX = 'ithostrules';
const OTHER = 'ithostrules2';
const topology = loadTopology(join(fileURLToPath(new URL('.', import.meta.url)), 'range-test.yaml'));

let engine: Engine;
let ranges: RangeManager;
const mine = async (exercise: string) => (await ranges.hostRules()).filter((l) => l.includes(`"enshu:${exercise}"`));

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  await ranges.down({ exercise: OTHER });
}, 600_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
  await ranges?.down({ exercise: OTHER });
}, 300_000);

describe('host rules', () => {
  test('no node of the exercise starts before its host rules are in place', async () => {
    // one stream of every container event, in the engine's own order
    const seen: Parameters<Parameters<Engine['events']>[1]>[0][] = [];
    let watch: Awaited<ReturnType<Engine['events']>> | undefined;
    try {
      watch = await engine.events(
        {},
        (e) => seen.push(e),
        () => undefined,
      );
      // The real engine, with the host rules' helper held back 3 s: a node that did not wait for
      // them would start first.
      const slowRules: Engine = {
        endpoint: engine.endpoint,
        networks: engine.networks,
        containers: engine.containers,
        images: engine.images,
        exec: engine.exec,
        observe: engine.observe,
        ping: () => engine.ping(),
        info: () => engine.info(),
        events: (...a) => engine.events(...a),
        runOnHost: async (...a) => {
          await sleep(3000);
          return engine.runOnHost(...a);
        },
      };
      await new RangeManager(slowRules).up({ exercise: EX, topology, teams: 2 });
      // the last start has been streamed once up returns; a moment for the stream to deliver it
      await sleep(500);
    } finally {
      watch?.close();
    }
    const guardDone = seen.findIndex((e) => e.labels[LABEL.kind] === 'host-guard' && e.action === 'die');
    const nodeStarts = seen
      .map((e, i) => ({ e, i }))
      .filter(({ e }) => e.action === 'start' && e.labels[LABEL.exercise] === EX);
    assert.equal(nodeStarts.length, topology.nodes.length * 2, 'every node of both teams started once');
    assert.ok(guardDone >= 0, 'the host rules were applied during up');
    assert.equal(seen[guardDone]!.exitCode, 0, 'and the rules went in');
    const early = nodeStarts.filter(({ i }) => i < guardDone).map(({ e }) => e.name);
    assert.deepEqual(early, [], 'nodes started before the host rules were in place');
  }, 300_000);

  test('a converge replaces the rules without doubling them; down removes only its exercise’s', async () => {
    const bridges = topology.segments.length * 2;
    // each bridge: ESTABLISHED accept and drop towards the host (IPv4 and IPv6), and the bridged accept
    const rules = await mine(EX);
    assert.equal(rules.length, bridges * 5, rules.join('\n'));
    await ranges.up({ exercise: EX, topology, teams: 2 });
    assert.deepEqual((await mine(EX)).sort(), [...rules].sort(), 'the same rules, once each');

    await ranges.up({ exercise: OTHER, topology, teams: 1 });
    assert.equal((await mine(OTHER)).length, topology.segments.length * 5);
    const r = await ranges.down({ exercise: OTHER });
    assert.equal(r.hostRules, topology.segments.length * 5);
    assert.deepEqual(await mine(OTHER), []);
    assert.deepEqual((await mine(EX)).sort(), [...rules].sort(), 'the other exercise’s rules stay');
  }, 300_000);
});
