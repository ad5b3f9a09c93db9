import assert from 'node:assert/strict';
import { test } from 'vitest';
import { listScenarios } from '../../attacker/index.js';
import { ConfigError } from '../../core/index.js';
import { listCourses, loadCourse } from '../../orchestrator/index.js';
import { checkScenarioForCourse, courseScenarios } from './course-scenarios.js';

const shipped = listScenarios();

test('every course names its scenarios, and every shipped scenario is named by each course it lists', () => {
  for (const id of listCourses()) assert.ok(loadCourse(id).scenarios.length > 0, `${id} names a scenario`);
  for (const s of shipped)
    for (const c of s.courses) assert.ok(loadCourse(c).scenarios.includes(s.id), `course ${c} names ${s.id}`);
  // every named scenario is shipped and lists the course back
  for (const id of listCourses())
    for (const sid of loadCourse(id).scenarios) {
      const s = shipped.find((x) => x.id === sid);
      assert.ok(s, `course ${id} names ${sid}, which is shipped`);
      assert.ok(s.courses.includes(id), `${sid} lists course ${id}`);
    }
});

test('every course has a shipped scenario offered by /api/courses', () => {
  const offered = Object.fromEntries(courseScenarios(shipped).map((c) => [c.id, c.scenarios.map((s) => s.id)]));
  assert.deepEqual(offered['online-intro'], ['online-intro-phishing']);
  assert.deepEqual(offered['online-standard'], ['online-standard-mailbox']);
  assert.deepEqual(offered.A, ['a-phishing-c2-exfil']);
  assert.deepEqual(offered['B-1'], ['b1-lg-separation']);
  for (const c of listCourses()) assert.ok(offered[c]!.length > 0, c);
});

test('a scenario written for another course is refused, naming what the course plays', () => {
  assert.throws(
    () => checkScenarioForCourse(shipped, 'a-phishing-c2-exfil', 'online-intro'),
    (e: unknown) =>
      e instanceof ConfigError &&
      /written for course A, not for course online-intro; course online-intro plays online-intro-phishing/.test(
        e.message,
      ),
  );
  assert.throws(() => checkScenarioForCourse(shipped, 'no-such', 'A'), /unknown scenario "no-such"/);
  // the same scenario on its own course passes
  checkScenarioForCourse(shipped, 'online-standard-mailbox', 'online-standard');
  checkScenarioForCourse(shipped, 'a-phishing-c2-exfil', 'A');
  // a scenario written for the course that the course file does not list (a drill of one's own) is allowed
  checkScenarioForCourse([{ id: 'x-extra', courses: ['A'] }, ...shipped], 'x-extra', 'A');
});
