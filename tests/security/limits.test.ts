/**
 * Rate limits for a classroom behind one NAT address: only failures count, staff login and team
 * join have separate buckets, and X-Forwarded-For is believed only from a configured proxy.
 */
import { strict as assert } from 'node:assert';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { ADMIN, exerciseWithTeams, secureServer, type Secured } from './helpers.js';

describe('one address, a whole class (default limits)', () => {
  let run: Secured;
  let codes: Record<string, string>;
  beforeAll(async () => {
    // the defaults `enshu serve` runs with
    run = await secureServer('limits', { limits: { submissionsPerMinute: 10_000 } });
    ({ codes } = await exerciseWithTeams(run, 'lim'));
  });
  afterAll(async () => run?.stop());

  test('30 trainees join at once from one address (and again), all succeed', async () => {
    for (let round = 0; round < 2; round++) {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          run.api('POST', '/api/auth/join', { code: i % 2 ? codes.t01 : codes.t02, name: `s${round}-${i}` }),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(30).fill(200),
      );
    }
  });

  test('20 staff logins in a row from one address succeed', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await run.api('POST', '/api/auth/login', ADMIN)).status, 200);
  });
});

describe('failures lock their own bucket', () => {
  let run: Secured;
  let codes: Record<string, string>;
  beforeAll(async () => {
    run = await secureServer('limits-fail', {
      limits: { submissionsPerMinute: 10_000, loginFailures: 3, joinFailures: 5 },
    });
    ({ codes } = await exerciseWithTeams(run, 'lim'));
  });
  afterAll(async () => run?.stop());

  test('wrong passwords lock that user’s login from the address; other staff and join still work', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await run.api('POST', '/api/auth/login', { user: 'admin', password: `wrong-${i}` })).status, 401);
    const locked = await fetch(`${run.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    assert.equal(locked.status, 429, 'even the right password waits out the lock');
    assert.ok(Number(locked.headers.get('retry-after')) > 0);
    // other staff behind the same address are not locked out by guesses at admin
    run.server.store.auth.putUser('lim-other', 'instructor', 'lim-other-password');
    assert.equal(
      (await run.api('POST', '/api/auth/login', { user: 'lim-other', password: 'lim-other-password' })).status,
      200,
    );
    // but spraying many names from one address locks the address (3 × the per-user budget)
    for (let i = 0; i < 6; i++)
      assert.equal(
        (await run.api('POST', '/api/auth/login', { user: `spray-${i}`, password: 'wrong-password' })).status,
        401,
      );
    assert.equal(
      (await run.api('POST', '/api/auth/login', { user: 'lim-other', password: 'lim-other-password' })).status,
      429,
    );
    // the join bucket is another one
    assert.equal((await run.api('POST', '/api/auth/join', { code: codes.t01, name: 'erin' })).status, 200);
  });

  test('unknown join codes lock join for the address; staff login is not touched by them', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal((await run.api('POST', '/api/auth/join', { code: `ZZZZ-ZZZ${i}`, name: 'mallory' })).status, 401);
    assert.equal((await run.api('POST', '/api/auth/join', { code: codes.t01, name: 'frank' })).status, 429);
  });
});

describe('trust proxy', () => {
  test('without --trust-proxy, X-Forwarded-For is ignored: the lock follows the real peer', async () => {
    const run = await secureServer('noproxy', { limits: { loginFailures: 2 } });
    try {
      const attempt = (xff: string, password = 'wrong-password') =>
        fetch(`${run.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
          body: JSON.stringify({ user: 'u-noproxy', password }),
        }).then((r) => r.status);
      assert.equal(await attempt('198.51.100.1'), 401);
      assert.equal(await attempt('198.51.100.2'), 401);
      // a client claiming yet another address is still the same peer: locked
      assert.equal(await attempt('198.51.100.3'), 429);
    } finally {
      await run.stop();
    }
  });

  test('with --trust-proxy 127.0.0.1, each forwarded client has its own bucket', async () => {
    const run = await secureServer('proxy', { limits: { loginFailures: 2 }, trustProxy: '127.0.0.1,::1' });
    try {
      const attempt = (xff: string) =>
        fetch(`${run.url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
          body: JSON.stringify({ user: 'u-proxy', password: 'wrong-password' }),
        }).then((r) => r.status);
      assert.equal(await attempt('198.51.100.1'), 401);
      assert.equal(await attempt('198.51.100.1'), 401);
      assert.equal(await attempt('198.51.100.1'), 429);
      assert.equal(await attempt('198.51.100.2'), 401, 'another client behind the proxy is not locked');
    } finally {
      await run.stop();
    }
  });

  test('a --trust-proxy value that is not an address is refused', async () => {
    const { trustProxySetting } = await import('../../server/index.js');
    assert.deepEqual(trustProxySetting(undefined), false);
    assert.deepEqual(trustProxySetting(' 127.0.0.1 , 10.0.0.0/8 '), ['127.0.0.1', '10.0.0.0/8']);
    assert.throws(() => trustProxySetting('true'), /not an address/);
    assert.throws(() => trustProxySetting('*'), /not an address/);
  });
});
