import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadTopologyById } from '../topology/load.js';
import { planTeam } from '../topology/plan.js';
import { resetOrder } from './reset-order.js';

const plan = planTeam(loadTopologyById('cyder-standard'), 'ex', 't01', 1, { seed: 's' });
const roleOf = (name: string) => plan.nodes.find((n) => n.name === name)!.role;

test('a team: the SOC goes first, then the staff PCs, then the servers; slow roles start first', () => {
  const o = resetOrder(plan, plan.nodes);
  assert.equal(o.removal.length, plan.nodes.length);
  assert.equal(o.start.length, plan.nodes.length);
  assert.equal(o.removal[0]!.role, 'soc');
  const pcs = plan.nodes.filter((n) => n.role === 'terminal').map((n) => n.name);
  assert.ok(pcs.length > 0);
  assert.deepEqual(
    o.removal
      .slice(1, 1 + pcs.length)
      .map((n) => n.name)
      .sort(),
    [...pcs].sort(),
    'the staff PCs right after the SOC',
  );
  assert.equal(o.start[0]!.role, 'soc');
  assert.equal(o.start[1]!.role, 'ad');
});

test('the SOC and the staff PCs start once every old node is gone; a server once the SOC and the PCs are', () => {
  const o = resetOrder(plan, plan.nodes);
  const all = plan.nodes.map((n) => n.name).sort();
  for (const n of plan.nodes) {
    const after = [...o.after.get(n.name)!].sort();
    if (n.role === 'soc' || n.role === 'terminal') assert.deepEqual(after, all, n.name);
    else {
      assert.ok(after.includes(n.name), `${n.name} waits for its own old container`);
      assert.ok(
        after.every((x) => x === n.name || ['soc', 'terminal'].includes(roleOf(x))),
        `${n.name} waits for nothing else: ${after.join(',')}`,
      );
      assert.ok(after.length < all.length, `${n.name} does not wait for the whole team`);
    }
  }
});

test('one node: it waits for its own old container only', () => {
  for (const name of ['soc', 'ad', 'pc1']) {
    const node = plan.nodes.find((n) => n.name === name)!;
    const o = resetOrder(plan, [node]);
    assert.deepEqual(
      o.removal.map((n) => n.name),
      [name],
    );
    assert.deepEqual(o.after.get(name), [name]);
  }
});
