/**
 * The disk under the server's store fills up (#18): a real store (SQLite, WAL) on a 4 MiB tmpfs that
 * is then filled to the last byte. The checker's result cannot be written (SQLITE_FULL); it is not
 * lost: once space is freed, the next round records it. Needs root (mount), as CI runs.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckSpec } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import { Checker, openStore, type Store } from '../../server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-full-'));
const filler = join(dir, 'filler');
let store: Store;

/** Nodes out of reach: the availability check fails with a reason, a change the checker must record. */
const unreachable = {
  exec: {
    run: async () => {
      throw new Error('no such container');
    },
  },
} as unknown as Engine;
const check: CheckSpec = {
  id: 'web-up',
  kind: 'availability',
  title: { ja: 'web', en: 'web' },
  node: 'web',
  command: 'true',
};

beforeAll(() => {
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { encoding: 'utf8' });
  assert.equal(m.status, 0, `mount a small tmpfs (needs root): ${m.stderr}`);
  store = openStore(dir);
});

afterAll(() => {
  store?.close();
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

/** Writes zeros until the file system has no byte left. */
function fill(): number {
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(4096);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
  return n;
}

test('a check result the full disk refused is recorded once space is back', async () => {
  const checker = new Checker({
    engine: unreachable,
    exercise: 'full',
    truths: new Map([['t01', { scenario: 's', team: 't01', steps: [], availability: [check] }]]),
    sink: store.events,
  });
  const results = () => store.events.list('full').filter((e) => e.type === 'check.result');
  assert.ok(fill() > 0, 'the tmpfs was filled');
  // the append throws inside the round; the round itself goes on and records nothing
  assert.deepEqual(await checker.tick(), []);
  assert.throws(
    () => store.events.append({ type: 'exercise.started', exercise: 'probe', at: new Date().toISOString() }),
    /SQLITE_FULL|disk|full/i,
    'the store really cannot write',
  );
  assert.deepEqual(results(), []);
  rmSync(filler);
  const second = await checker.tick();
  assert.deepEqual(
    second.map((e) => (e.type === 'check.result' ? `${e.check} ${e.passed}` : e.type)),
    ['web-up false'],
    'recorded on the next round',
  );
  assert.equal(results().length, 1);
  assert.deepEqual(await checker.tick(), [], 'and only once');
});
