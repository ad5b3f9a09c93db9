import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { SelfPacedSeat } from '../../protocol/index.js';
import { ForbiddenError } from '../store/index.js';
import { seatFor } from './selfpaced.js';

const seat: SelfPacedSeat = {
  window: 'dec',
  course: 'online-intro',
  exercise: 'sp-dec-001',
  team: 't01',
  name: 'sato',
  status: 'running',
  queuePosition: null,
  registeredAt: '2026-12-01T00:00:00.000Z',
  lastActiveAt: '2026-12-01T00:10:00.000Z',
  elapsedMinutes: 10,
  durationMinutes: 120,
  idleMinutes: 30,
  closesAt: '2026-12-20T09:00:00.000Z',
  finishedAt: null,
};

test('a trainee gets their own seat, built from the allow-list: a field added upstream does not pass', () => {
  const leaky = { ...seat, scenario: 'online-intro-phishing', seed: 42, code: 'ABCD-EFGH-JKLM' } as SelfPacedSeat;
  const own = seatFor({ role: 'trainee', subject: 'sato', exercise: 'sp-dec-001', team: 't01' }, leaky);
  assert.deepEqual(own, seat);
  assert.equal(JSON.stringify(own).includes('online-intro-phishing'), false);
});

test('another trainee’s seat is refused; staff see any seat', () => {
  assert.throws(
    () => seatFor({ role: 'trainee', subject: 'kato', exercise: 'sp-dec-002', team: 't01' }, seat),
    ForbiddenError,
  );
  assert.deepEqual(seatFor({ role: 'instructor', subject: 'admin' }, seat), seat);
});
