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
  // a named scenario that is shipped lists the course back (B-1's may arrive separately: absent is tolerated)
  for (const id of listCourses())
    for (const sid of loadCourse(id).scenarios) {
      const s = shipped.find((x) => x.id === sid);
      if (s) assert.ok(s.courses.includes(id), `${sid} lists course ${id}`);
    }
});

test('every online and group course except B-1 has a shipped scenario offered by /api/courses', () => {
  const offered = Object.fromEntries(courseScenarios(shipped).map((c) => [c.id, c.scenarios.map((s) => s.id)]));
  assert.deepEqual(offered['online-intro'], ['online-intro-phishing']);
  assert.deepEqual(offered['online-standard'], ['online-standard-mailbox']);
  assert.deepEqual(offered.A, ['a-phishing-c2-exfil']);
  for (const c of ['A', 'B-2', 'C', 'online-intro', 'online-standard']) assert.ok(offered[c]!.length > 0, c);
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
  // a scenario whose `courses` names the course but the course file does not list it
  assert.throws(
    () => checkScenarioForCourse([{ id: 'x-extra', courses: ['A'] }, ...shipped], 'x-extra', 'A'),
    /course A does not list scenario "x-extra"/,
  );
});
