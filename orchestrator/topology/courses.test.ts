import { test } from 'vitest';
import assert from 'node:assert/strict';
import { NotFoundError } from '../../core/index.js';
import { listCourses, loadCourse, topologyForCourse } from './courses.js';
import { planTeam } from './plan.js';

const COURSES = ['A', 'B-1', 'B-2', 'C', 'online-intro', 'online-standard'];

test('every CYDER course is defined and runs on a topology that loads and plans', () => {
  assert.deepEqual(listCourses(), COURSES);
  for (const id of COURSES) {
    const c = loadCourse(id);
    assert.equal(c.id, id);
    const t = topologyForCourse(id);
    assert.equal(t.id, c.topology);
    const plan = planTeam(t, 'unit', 't01', 1);
    assert.ok(
      plan.nodes.some((n) => n.role === 'fw'),
      `${id}: a FW`,
    );
    assert.ok(
      plan.nodes.some((n) => n.role === 'soc'),
      `${id}: a SOC`,
    );
  }
  assert.equal(loadCourse('B-1').topology, 'lg-three-layer');
  assert.equal(loadCourse('online-intro').teamSize.max, 1);
});

test('an unknown course id is a clear error listing the known ones', () => {
  assert.throws(
    () => topologyForCourse('Z'),
    (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.equal((err as Error).message, `unknown course "Z" (known: ${COURSES.join(', ')})`);
      return true;
    },
  );
});

test('B-1 keeps the three layers apart: only the sanitizer has a leg in two of them', () => {
  const t = topologyForCourse('B-1');
  const layers = ['inetside', 'lgwan', 'mynumber'];
  for (const n of t.nodes.filter((n) => n.role !== 'fw')) {
    const legs = n.interfaces.filter((i) => layers.includes(i.segment)).length;
    assert.ok(legs <= 1 || n.role === 'sanitizer', `${n.name} spans ${legs} layers`);
  }
  const fw = t.nodes.find((n) => n.role === 'fw')!;
  for (const r of fw.firewall!.rules) {
    const crosses = (a: string, b: string) => r.from.includes(a) && r.to.includes(b);
    assert.ok(
      (!crosses('inetside', 'lgwan') &&
        !crosses('lgwan', 'inetside') &&
        !crosses('lgwan', 'internet') &&
        !r.from.includes('mynumber')) ||
        r.to.includes('soc'),
      `rule ${r.comment} must not connect layers`,
    );
  }
});
