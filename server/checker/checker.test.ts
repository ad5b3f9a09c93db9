import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { CheckSpec } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import type { EnshuEvent } from '../../protocol/index.js';
import { Checker } from './checker.js';

/** An engine whose nodes cannot be reached: every command check fails with a reason, no Docker needed. */
const unreachable = {
  exec: {
    run: async () => {
      throw new Error('no such container');
    },
  },
} as unknown as Engine;

const check = (id: string): CheckSpec => ({
  id,
  kind: 'availability',
  title: { ja: id, en: id },
  node: 'web',
  command: 'true',
});

test('a result the store did not take is retried next round, and the rest of the round still goes in', async () => {
  const stored: string[] = [];
  let failNext = true;
  const checker = new Checker({
    engine: unreachable,
    exercise: 'unit',
    truths: new Map([['t01', { scenario: 's', team: 't01', steps: [], availability: [check('a'), check('b')] }]]),
    sink: {
      append: async (e: EnshuEvent) => {
        if (failNext) {
          failNext = false;
          throw new Error('SQLITE_READONLY: attempt to write a readonly database');
        }
        if (e.type === 'check.result') stored.push(e.check);
        return { ...e, seq: stored.length };
      },
    },
  });
  const first = await checker.tick();
  assert.deepEqual(
    first.map((e) => (e.type === 'check.result' ? e.check : '')),
    ['b'],
    'the failed append of a did not abandon b',
  );
  assert.deepEqual(stored, ['b']);
  const second = await checker.tick();
  assert.deepEqual(
    second.map((e) => (e.type === 'check.result' ? e.check : '')),
    ['a'],
    'a is recorded on the next round',
  );
  assert.deepEqual(await checker.tick(), [], 'then nothing changes');
  assert.deepEqual(stored, ['b', 'a']);
});
