import { strict as assert } from 'node:assert';
import { it } from 'vitest';
import { RateLimiter } from './rate-limit.js';

it('allows `limit` hits per window per key, then says how long to wait', () => {
  let now = 0;
  const l = new RateLimiter(3, 60_000, () => now);
  assert.deepEqual([l.hit('a'), l.hit('a'), l.hit('a')], [0, 0, 0]);
  assert.equal(l.hit('a'), 60);
  assert.equal(l.hit('b'), 0);
  now = 30_000;
  assert.equal(l.hit('a'), 30);
  now = 60_000;
  assert.equal(l.hit('a'), 0);
});
