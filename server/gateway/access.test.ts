import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mayOpen } from './access.js';
import { parseLogin } from './ssh-server.js';

test('SSH user names name a team, a node and optionally a user', () => {
  assert.deepEqual(parseLogin('t01+pc1'), { team: 't01', node: 'pc1' });
  assert.deepEqual(parseLogin('t12+web+staff01'), { team: 't12', node: 'web', user: 'staff01' });
  for (const bad of ['pc1', 't1+pc1', 't01+', 't01+PC1', 't01+pc1+', 't01+pc1+a+b', 't01+../x', 'root'])
    assert.equal(parseLogin(bad), undefined, bad);
});

test('trainees open shells in their own team only; instructors anywhere; organizers nowhere', () => {
  const ref = { exercise: 'ex1', team: 't01' };
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex1', team: 't01' }, ref), true);
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex1', team: 't02' }, ref), false);
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex2', team: 't01' }, ref), false);
  assert.equal(mayOpen({ role: 'instructor', subject: 'i' }, ref), true);
  assert.equal(mayOpen({ role: 'organizer', subject: 'o' }, ref), false);
  assert.equal(mayOpen(undefined, ref), false);
});
