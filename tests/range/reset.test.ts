/**
 * What a reset gives back, on a real engine: a fresh filesystem from the image (what was written
 * before is gone), the team's facts applied again (its accounts and their passwords), the same
 * addresses and labels, the progress of every node, and the other team left alone. For one node
 * and for a whole team (where the old containers are removed while the first new ones start).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABEL } from '../../core/index.js';
import { loadTopology, type ContainerInfo, type Engine, type RangeManager } from '../../orchestrator/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';

const EX = 'itreset';
const topology = loadTopology(join(fileURLToPath(new URL('.', import.meta.url)), 'range-test.yaml'));
const NODES = topology.nodes.map((n) => n.name);

let engine: Engine;
let ranges: RangeManager;

const c = (team: string, node: string) => `enshu-${EX}-${team}-${node}`;
const snapshot = async (team: string) => {
  const m = new Map<string, ContainerInfo>();
  for (const n of NODES) m.set(n, (await engine.containers.inspect(c(team, n)))!);
  return m;
};
/** true when `user`'s password in /etc/shadow is `password` (crypt with the stored salt) */
const passwordIs = async (container: string, user: string, password: string) => {
  const r = await sh(
    engine,
    container,
    `perl -e 'my ($u, $p) = @ARGV; open my $f, "<", "/etc/shadow" or die; while (<$f>) { my @x = split /:/; if ($x[0] eq $u) { print crypt($p, $x[1]) eq $x[1] ? "same" : "other"; exit } } print "none"' ${user} ${password}`,
  );
  return r.stdout.trim();
};
const mark = (container: string) =>
  sh(engine, container, 'echo trainee-was-here > /root/mark && echo dirty > /etc/enshu-dirty && echo ok');
const marked = async (container: string) =>
  (await sh(engine, container, 'ls /root/mark /etc/enshu-dirty 2>/dev/null | wc -l')).stdout.trim();

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges } = await freshRange(engine, EX, topology, 2));
}, 600_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
}, 300_000);

describe('reset', () => {
  test('one node: fresh filesystem, its accounts and passwords back, same addresses and labels', async () => {
    const before = await snapshot('t01');
    const other = await snapshot('t02');
    assert.equal((await mark(c('t01', 'pc1'))).stdout.trim(), 'ok');
    await sh(engine, c('t01', 'pc1'), "echo 'admin:changed-by-trainee' | chpasswd && userdel -r staff01");
    assert.equal(await passwordIs(c('t01', 'pc1'), 'admin', 'admin-pass'), 'other', 'the trainee changed it');
    assert.equal(await passwordIs(c('t01', 'pc1'), 'staff01', 'staff01-pass'), 'none');
    assert.equal(await marked(c('t01', 'pc1')), '2');
    // a file on another node of the same team stays: only the named node is reset
    await mark(c('t01', 'pc2'));

    const progress: string[] = [];
    await ranges.reset({
      exercise: EX,
      team: 't01',
      node: 'pc1',
      onProgress: (p) => progress.push(`${p.node}:${p.step}:${p.status}`),
    });
    assert.deepEqual(progress, ['pc1:remove:start', 'pc1:health:done']);

    const after = await snapshot('t01');
    const pc1 = after.get('pc1')!;
    assert.notEqual(pc1.id, before.get('pc1')!.id, 'a new container');
    assert.equal(pc1.state, 'running');
    assert.deepEqual(pc1.ips, before.get('pc1')!.ips, 'same addresses');
    assert.deepEqual(pc1.labels, before.get('pc1')!.labels, 'same labels');
    assert.equal(await marked(c('t01', 'pc1')), '0', 'what was written before is gone');
    assert.equal(await passwordIs(c('t01', 'pc1'), 'admin', 'admin-pass'), 'same', 'the seeded password is back');
    assert.equal(await passwordIs(c('t01', 'pc1'), 'staff01', 'staff01-pass'), 'same', 'the deleted account is back');
    for (const n of NODES.filter((x) => x !== 'pc1'))
      assert.equal(after.get(n)!.id, before.get(n)!.id, `${n} of the same team kept`);
    assert.equal(await marked(c('t01', 'pc2')), '2', 'pc2 untouched');
    for (const [n, info] of await snapshot('t02')) assert.equal(info.id, other.get(n)!.id, `t02 ${n} kept`);
  });

  test('a whole team: every node fresh and healthy, addresses and labels kept, the other team untouched', async () => {
    const before = await snapshot('t01');
    const other = await snapshot('t02');
    for (const n of NODES) assert.equal((await mark(c('t01', n))).stdout.trim(), 'ok', n);
    await mark(c('t02', 'pc1'));
    await sh(engine, c('t01', 'pc2'), "echo 'admin:changed-by-trainee' | chpasswd");

    const removed: string[] = [];
    const healthy: string[] = [];
    await ranges.reset({
      exercise: EX,
      team: 't01',
      onProgress: (p) => {
        if (p.step === 'remove' && p.status === 'start') removed.push(p.node!);
        if (p.step === 'health' && p.status === 'done') healthy.push(p.node!);
      },
    });
    assert.deepEqual([...removed].sort(), [...NODES].sort(), 'every node reported as removed');
    assert.deepEqual([...healthy].sort(), [...NODES].sort(), 'every node reported healthy');

    const after = await snapshot('t01');
    for (const n of NODES) {
      const a = after.get(n)!;
      const b = before.get(n)!;
      assert.notEqual(a.id, b.id, `${n} is a new container`);
      assert.equal(a.state, 'running', n);
      assert.deepEqual(a.ips, b.ips, `${n} keeps its addresses`);
      assert.deepEqual(a.labels, b.labels, `${n} keeps its labels`);
      assert.equal(await marked(c('t01', n)), '0', `${n}: what was written before is gone`);
    }
    assert.equal(await passwordIs(c('t01', 'pc2'), 'admin', 'admin-pass'), 'same');
    // nothing left behind: exactly the team's nodes carry its labels
    const listed = await engine.containers.list({ [LABEL.exercise]: EX, [LABEL.team]: 't01' });
    assert.deepEqual(listed.map((x) => x.name).sort(), NODES.map((n) => c('t01', n)).sort());
    // the range works again: the PC reaches the web server through the fresh FW
    const web = after.get('web')!.ips[`enshu-${EX}-t01-dmz`]!;
    const r = await sh(engine, c('t01', 'pc1'), `curl -fsS -m 5 -o /dev/null -w '%{http_code}' http://${web}/`);
    assert.equal(r.stdout.trim(), '200', r.stderr);
    for (const [n, info] of await snapshot('t02')) assert.equal(info.id, other.get(n)!.id, `t02 ${n} kept`);
    assert.equal(await marked(c('t02', 'pc1')), '2', 't02 untouched');
    const [status] = await ranges.status(EX);
    assert.ok(status!.teams.every((t) => t.ready));
  });
});
