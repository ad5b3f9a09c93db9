import { test } from 'vitest';
import assert from 'node:assert/strict';
import { crosses, layoutMap, SIZES, type LayoutNode } from './map-layout.js';

/** the course A range as the server draws it for staff: 18 nodes on 9 segments, the FW on all of them */
const SEGS = ['internet', 'dmz', 'business', 'business2', 'bizsrv', 'core', 'rnd', 'closed', 'soc'];
const HOSTS: [string, string, string][] = [
  ['attacker', 'attacker', 'internet'],
  ['web', 'web', 'dmz'],
  ['dns', 'dns', 'dmz'],
  ['proxy', 'proxy', 'dmz'],
  ['pc1', 'terminal', 'business'],
  ['pc2', 'terminal', 'business'],
  ['pc3', 'terminal', 'business2'],
  ['file', 'file', 'bizsrv'],
  ['sanitizer', 'sanitizer', 'bizsrv'],
  ['ad', 'ad', 'core'],
  ['mail', 'mail', 'core'],
  ['dhcp', 'dhcp', 'core'],
  ['orders', 'orders', 'core'],
  ['research', 'research', 'rnd'],
  ['pc5', 'terminal', 'rnd'],
  ['vendor', 'terminal', 'closed'],
  ['soc', 'soc', 'soc'],
];
const node = (n: string, role: string, ips: Record<string, string>): LayoutNode => ({
  node: n,
  role,
  health: 'healthy',
  state: 'running',
  ips,
});
const range = {
  segments: SEGS.map((s, i) => ({ name: s, subnet: `10.1.${i}.0/24` })),
  nodes: [
    node('fw', 'fw', Object.fromEntries(SEGS.map((s, i) => [s, `10.1.${i}.1`]))),
    ...HOSTS.map(([n, role, seg], j) => node(n, role, { [seg]: `10.1.${SEGS.indexOf(seg)}.${10 + j}` })),
  ],
};

test('the course A range: every segment a band wired to the FW, no wire through any box', () => {
  const L = layoutMap(range);
  assert.equal(L.bands.length, 9);
  assert.equal(L.hosts.length, 17);
  assert.equal(L.routers.length, 1);
  assert.equal(L.wires.length, 9, 'one wire per segment');
  const boxes = [...L.hosts, ...L.bands];
  for (const w of L.wires) {
    for (const b of boxes) assert.ok(!crosses(w, b), `wire of ${w.segment} crosses a box at ${b.x},${b.y}`);
    // and it ends on the FW's side, not inside it
    assert.ok(!crosses(w, L.routers[0]!), `wire of ${w.segment} enters the FW box`);
  }
  // each host lies inside its own band, and no two boxes overlap
  for (const h of L.hosts) {
    const b = L.bands.find((x) => x.segment === h.segment)!;
    assert.ok(
      h.x >= b.x && h.x + h.w <= b.x + b.w && h.y >= b.y && h.y + h.h <= b.y + b.h,
      `${h.node.node} in its band`,
    );
  }
  const all = [...L.hosts, ...L.routers];
  for (const a of all)
    for (const b of all)
      if (a !== b)
        assert.ok(
          a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y,
          `${a.node.node} and ${b.node.node} overlap`,
        );
  // small enough to read without zooming beside the workspace's tabs at 1366 px
  assert.ok(L.width <= 600, `width ${L.width}`);
  assert.ok(L.height <= 700, `height ${L.height}`);
  assert.equal(SIZES.nodeH < SIZES.nodePitch, true);
});

test('crosses: a line through a box crosses it; one along its border or beside it does not', () => {
  const box = { x: 10, y: 10, w: 20, h: 20 };
  assert.equal(crosses({ x1: 0, y1: 20, x2: 40, y2: 20 }, box), true);
  assert.equal(crosses({ x1: 0, y1: 0, x2: 40, y2: 40 }, box), true);
  assert.equal(crosses({ x1: 0, y1: 10, x2: 40, y2: 10 }, box), false);
  assert.equal(crosses({ x1: 0, y1: 5, x2: 40, y2: 5 }, box), false);
  assert.equal(crosses({ x1: 0, y1: 20, x2: 10, y2: 20 }, box), false);
});
