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

test('live: a result counts only once the store took it; a failed append is tried again on a later look', async () => {
  // an engine whose file probe finds nothing (the file is gone): no Docker needed for the recording rule
  const engine = {
    observe: { stat: async () => undefined },
    containers: { list: async () => [], remove: async () => undefined },
  } as unknown as Engine;
  const spec: CheckSpec = {
    id: 'gone',
    kind: 'availability',
    title: { ja: 'gone', en: 'gone' },
    node: 'pc',
    probes: [{ kind: 'file-absent', node: 'pc', path: '/tmp/x' }],
  };
  let attempts = 0;
  const stored: EnshuEvent[] = [];
  const checker = new Checker({
    engine,
    exercise: 'unit',
    truths: new Map([['t01', { scenario: 's', team: 't01', steps: [], availability: [spec] }]]),
    live: { everyMs: 20 },
    sink: {
      append: async (e: EnshuEvent) => {
        attempts++;
        if (attempts === 1) throw new Error('SQLITE_BUSY');
        stored.push(e);
        return { ...e, seq: stored.length };
      },
    },
  });
  checker.start();
  try {
    for (let i = 0; i < 500 && stored.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await checker.stop();
  }
  assert.equal(attempts, 2, 'the refused result was offered again');
  assert.equal(stored.length, 1, 'and recorded once');
  assert.ok(stored[0]!.type === 'check.result' && stored[0]!.passed && stored[0]!.check === 'gone');
});
