import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadTopologyById } from '../topology/load.js';
import { startOrder, startWeight } from './start-order.js';

test('every role of the shipped topologies has a measured weight', () => {
  for (const id of ['cyder-standard', 'lg-three-layer', 'online-small'])
    for (const n of loadTopologyById(id).nodes) assert.ok(startWeight(n.role) > 0.5, `${id}: role ${n.role}`);
});

test('team by team; within a team slow roles first; otherwise the given order', () => {
  const nodes = loadTopologyById('cyder-standard').nodes;
  const work = ['t01', 't02'].flatMap((team) => nodes.map((node) => ({ team, node })));
  const order = startOrder(work, (w) => w.team);
  assert.equal(order.length, work.length);
  assert.deepEqual(
    order.map((w) => w.team),
    work.map((w) => w.team),
    'every node of t01 before any of t02',
  );
  assert.deepEqual(
    order.slice(0, 2).map((w) => `${w.team}/${w.node.role}`),
    ['t01/soc', 't01/ad'],
  );
  for (const team of ['t01', 't02']) {
    const weights = order.filter((w) => w.team === team).map((w) => startWeight(w.node.role));
    assert.deepEqual(
      weights,
      [...weights].sort((a, b) => b - a),
    );
  }
  // among equal weights (the staff PCs) the topology's order stays as given
  const pcs = order.filter((w) => w.node.role === 'terminal').map((w) => `${w.team}/${w.node.name}`);
  const given = work.filter((w) => w.node.role === 'terminal').map((w) => `${w.team}/${w.node.name}`);
  assert.deepEqual(pcs, given);
});
