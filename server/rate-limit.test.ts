import { strict as assert } from 'node:assert';
import { it } from 'vitest';
import { clientAddress, FailureLimiter, RateLimiter } from './rate-limit.js';

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

it('counts failures only: checks are free, the key locks after `limit` failures until its window ends', () => {
  let now = 0;
  const l = new FailureLimiter(3, 60_000, () => now);
  for (let i = 0; i < 100; i++) assert.equal(l.check('nat'), 0);
  assert.deepEqual([l.fail('nat'), l.fail('nat')], [0, 0]);
  assert.equal(l.fail('nat'), 60);
  assert.equal(l.check('nat'), 60);
  assert.equal(l.check('other'), 0);
  assert.equal(l.failures('nat'), 3);
  now = 45_000;
  assert.equal(l.check('nat'), 15);
  now = 60_000;
  assert.equal(l.check('nat'), 0);
  assert.equal(l.failures('nat'), 0);
  l.fail('x');
  l.fail('x');
  l.fail('x');
  l.reset('x');
  assert.equal(l.check('x'), 0);
});

it('takes the client address from X-Forwarded-For only through trusted proxies', () => {
  const trustLoopback = (a: string) => a === '127.0.0.1';
  assert.equal(clientAddress('127.0.0.1', '203.0.113.9, 10.0.0.5', trustLoopback), '10.0.0.5');
  assert.equal(clientAddress('198.51.100.1', '203.0.113.9', trustLoopback), '198.51.100.1');
  assert.equal(clientAddress('127.0.0.1', undefined, trustLoopback), '127.0.0.1');
  assert.equal(
    clientAddress('127.0.0.1', '203.0.113.9', () => false),
    '127.0.0.1',
  );
  assert.equal(
    clientAddress('127.0.0.1', ['1.1.1.1', '2.2.2.2'], () => true),
    '1.1.1.1',
  );
});
