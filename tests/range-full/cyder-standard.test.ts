/**
 * One whole team of the standard CYDER range on the real engine: every role's health check
 * passes (each proves its service answers), and the shared services are wired in: every
 * monitored node's logs reach the SOC, and every staff PC took a DHCP lease.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { loadTopologyById, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import { engineWithImages, sh } from '../helpers/range.js';

const EX = 'rncyder';
const topology = loadTopologyById('cyder-standard');

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let seconds = 0;

const c = (node: string) => `enshu-${EX}-t01-${node}`;

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const t0 = Date.now();
  status = await ranges.up({ exercise: EX, topology, teams: 1 });
  seconds = (Date.now() - t0) / 1000;
  console.error(`# cyder-standard: one team (${topology.nodes.length} nodes) healthy in ${seconds.toFixed(1)} s`);
});

afterAll(async () => {
  await ranges?.down({ exercise: EX });
});

test('a whole cyder-standard team comes up with every health check passing', () => {
  // `up` returns only once every node's health command passed (it throws on a timeout).
  const t = status.teams[0]!;
  assert.deepEqual(t.nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
  for (const n of t.nodes) assert.equal(n.state, 'running', `${n.node} running`);
});

test('every monitored node of the team ships its logs to the SOC', async () => {
  const monitored = topology.nodes.filter((n) => n.role !== 'soc' && n.role !== 'attacker').map((n) => n.name);
  const marker = `rn-cyder-${Date.now()}`;
  await Promise.all(monitored.map((n) => sh(engine, c(n), `logger -t rn-probe "${marker} ${n}"`)));
  const deadline = Date.now() + 20_000;
  let seen = new Set<string>();
  while (Date.now() < deadline) {
    const r = await sh(engine, c('soc'), `enshu-logs --json --service rn-probe --grep ${marker}`);
    seen = new Set(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { node: string }).node),
    );
    if (monitored.every((n) => seen.has(n))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.deepEqual(
    monitored.filter((n) => !seen.has(n)),
    [],
    'nodes whose logs did not arrive',
  );
});

test('every DHCP staff PC holds a lease from the pool of its segment', async () => {
  for (const n of topology.nodes.filter((x) => x.dhcp)) {
    const deadline = Date.now() + 20_000;
    let lease = '';
    while (Date.now() < deadline && !lease) {
      lease = (await sh(engine, c(n.name), "ip -o -4 addr show dev lease0 | awk '{print $4}'")).stdout.trim();
      if (!lease) await new Promise((r) => setTimeout(r, 500));
    }
    assert.match(lease, /\.(1\d\d)\/24$/, `${n.name} lease ${lease || 'none'}`);
  }
});
