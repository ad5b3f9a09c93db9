import assert from 'node:assert/strict';
import { test } from 'vitest';
import { COURSE_IDS } from '../../protocol/index.js';
import { listCourses } from './courses.js';

// The browser and the API schemas take course ids from the protocol's vocabulary; the course
// files are what `enshu up --course` reads. One list may not drift from the other.
test('the vocabulary names exactly the courses that have a course file', () => {
  assert.deepEqual([...COURSE_IDS].sort(), listCourses());
});
