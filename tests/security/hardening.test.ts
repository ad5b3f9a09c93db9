/**
 * The strict state machine (start/resume are different verbs), the permission check before the
 * body (403 before 400), the JSON depth limit (400, not 500), security headers, file modes of the
 * store, the admin password rules and scrypt's equal timing for unknown users.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { repoRoot } from '../../core/index.js';
import { bootstrapAdmin, isLoopback, openStore } from '../../server/index.js';

import { exerciseWithTeams, secureServer, type Secured } from './helpers.js';

let run: Secured;
beforeAll(async () => {
  run = await secureServer('hardening');
});
afterAll(async () => run?.stop());

describe('state machine', () => {
  test('resume on a ready exercise and start on a paused one are 409', async () => {
    await exerciseWithTeams(run, 'sm', 'ready');
    const post = (verb: string) => run.api('POST', `/api/exercises/sm/${verb}`, undefined, run.admin());
    const resume = await post('resume');
    assert.equal(resume.status, 409, resume.text);
    assert.match(String((resume.body as { error: string }).error), /is ready; this needs it to be paused/);
    assert.equal((await post('pause')).status, 409);
    assert.equal((await post('start')).status, 200);
    assert.equal((await post('start')).status, 409);
    assert.equal((await post('pause')).status, 200);
    const start = await post('start');
    assert.equal(start.status, 409, start.text);
    assert.match(String((start.body as { error: string }).error), /is paused; this needs it to be ready/);
    assert.equal((await post('resume')).status, 200);
    assert.equal((await post('resume')).status, 409);
  });
});

describe('permission before body', () => {
  let trainee: string;
  let organizer: string;
  beforeAll(async () => {
    await exerciseWithTeams(run, 'pb');
    trainee = run.server.store.auth.issue({ role: 'trainee', subject: 'x', exercise: 'pb', team: 't02' });
    run.server.store.auth.putUser('pb-org', 'organizer', 'pb-organizer-password');
    organizer = run.server.store.auth.issue({ role: 'organizer', subject: 'pb-org' });
  });
  const bad = [
    ['an invalid body', { nonsense: true }],
    ['malformed JSON', '{"text": '],
    ['a too deep body', '['.repeat(5000) + ']'.repeat(5000)],
  ] as const;
  for (const [what, body] of bad) {
    test(`${what}: 403 for the wrong team or role, 401 without a token, 400 for who may`, async () => {
      const url = '/api/exercises/pb/teams/t01/findings';
      assert.equal((await run.api('POST', url, body, trainee)).status, 403);
      assert.equal((await run.api('POST', url, body, organizer)).status, 403);
      assert.equal((await run.api('POST', url, body)).status, 401);
      assert.equal((await run.api('POST', '/api/exercises', body, organizer)).status, 403);
      assert.equal((await run.api('POST', url, body, run.admin())).status, 400);
    });
  }
});

describe('JSON depth', () => {
  test('deeply nested JSON is a 400 naming the limit, on public and authenticated routes', async () => {
    const deep = '{"a":'.repeat(20_000) + '1' + '}'.repeat(20_000);
    for (const [path, token] of [
      ['/api/auth/login', undefined],
      ['/api/exercises', run.admin()],
    ] as const) {
      const res = await run.api<{ error: string }>('POST', path, deep, token);
      assert.equal(res.status, 400, res.text.slice(0, 300));
      assert.match(res.body.error, /nested deeper than 32/);
    }
    // strings full of brackets are not nesting
    const res = await run.api('POST', '/api/auth/login', { user: '['.repeat(70), password: '{'.repeat(150) });
    assert.equal(res.status, 401, res.text);
    // 32 levels are fine (the events body: a list of records whose values may nest)
    let nested: unknown = 1;
    for (let i = 0; i < 28; i++) nested = { n: nested };
    const ok = await run.api(
      'POST',
      '/api/exercises/pb/events',
      { events: [{ type: 'exercise.note', at: new Date().toISOString(), detail: nested }] },
      run.admin(),
    );
    assert.notEqual(ok.status, 500, ok.text);
    assert.doesNotMatch(ok.text, /nested deeper/);
  });
});

describe('security headers', () => {
  test('helmet’s headers and a CSP on API answers', async () => {
    const res = await fetch(`${run.url}/api/health`);
    const h = (n: string) => res.headers.get(n) ?? '';
    assert.equal(h('x-content-type-options'), 'nosniff');
    assert.equal(h('x-frame-options'), 'SAMEORIGIN');
    assert.equal(h('referrer-policy'), 'no-referrer');
    assert.equal(h('cross-origin-opener-policy'), 'same-origin');
    assert.equal(h('x-powered-by'), '');
    const csp = h('content-security-policy');
    for (const d of [
      "default-src 'self'",
      "script-src 'self'",
      "object-src 'none'",
      "frame-ancestors 'none'",
      `connect-src 'self' ws://${new URL(run.url).host}`,
    ])
      assert.ok(csp.includes(d), `CSP has ${d}: ${csp}`);
    assert.ok(!csp.includes('upgrade-insecure-requests'), 'no upgrade without TLS');
    assert.equal(h('strict-transport-security'), '', 'no HSTS without TLS');
    // errors too
    const missing = await fetch(`${run.url}/api/nothing-here`);
    assert.equal(missing.status, 404);
    assert.ok(missing.headers.get('content-security-policy'));
  });
});

describe('store files', () => {
  test('the data directory is 0700 and the database file 0600, also when they existed with wider modes', async () => {
    const mode = (p: string) => statSync(p).mode & 0o777;
    assert.equal(mode(run.dataDir), 0o700);
    assert.equal(mode(join(run.dataDir, 'enshu.sqlite')), 0o600);
    for (const f of ['enshu.sqlite-wal', 'enshu.sqlite-shm'])
      assert.equal(mode(join(run.dataDir, f)) & 0o077, 0, `${f} is not readable by others`);
    const dir = mkdtempSync(join(tmpdir(), 'enshu-sec-modes-'));
    try {
      const { chmodSync, writeFileSync } = await import('node:fs');
      chmodSync(dir, 0o755);
      const s1 = openStore(dir);
      s1.close();
      chmodSync(join(dir, 'enshu.sqlite'), 0o644);
      writeFileSync(join(dir, 'other'), '');
      const s2 = openStore(dir);
      s2.close();
      assert.equal(mode(dir), 0o700);
      assert.equal(mode(join(dir, 'enshu.sqlite')), 0o600);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('admin password', () => {
  test('ENSHU_ADMIN_PASSWORD shorter than 10 characters is refused with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enshu-sec-admin-'));
    const store = openStore(dir);
    try {
      assert.throws(
        () => bootstrapAdmin(store, { ENSHU_ADMIN_PASSWORD: 'short-pw' }),
        /ENSHU_ADMIN_PASSWORD has 8 characters; it needs at least 10/,
      );
      assert.equal(store.auth.userCount(), 0);
      bootstrapAdmin(store, { ENSHU_ADMIN_PASSWORD: 'long-enough-pw' });
      assert.equal(store.auth.userCount(), 1);
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the demo password is found and warned about loudly in the log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'enshu-sec-demo-'));
    try {
      // a child process, so the log (pino, straight to fd 2) can be read as the operator sees it
      const script = `
        import { openStore } from './server/store/index.ts';
        import { bootstrapAdmin, warnDemoPasswords } from './server/bootstrap.ts';
        const store = openStore(${JSON.stringify(dir)});
        bootstrapAdmin(store, { ENSHU_ADMIN_PASSWORD: 'enshu-demo' });
        const found = await warnDemoPasswords(store);
        store.auth.putUser('admin', 'instructor', 'not-the-demo-any-more');
        const after = await warnDemoPasswords(store);
        store.close();
        console.log(JSON.stringify({ found, after }));
      `;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: repoRoot,
        env: { ...process.env, ENSHU_LOG_LEVEL: 'info', ENSHU_LOG_FORMAT: 'json' },
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').at(-1)!), { found: ['admin'], after: [] });
      const warnings = r.stderr.split('\n').filter((l) => l.includes('IS IN EFFECT'));
      assert.equal(warnings.length, 2, r.stderr);
      for (const w of warnings) assert.equal((JSON.parse(w) as { level: number }).level, 40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a login for an unknown user costs one scrypt like a wrong password does', async () => {
    const time = async (user: string) => {
      const t0 = performance.now();
      assert.equal(await run.server.store.auth.authenticate(user, 'wrong-password'), undefined);
      return performance.now() - t0;
    };
    await time('nobody-at-all'); // the dummy hash is made once
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await time('admin'));
      unknown.push(await time(`nobody-${i}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!;
    const [k, u] = [median(known), median(unknown)];
    assert.ok(u > k / 2 && u < k * 2, `unknown ${u.toFixed(1)} ms vs known ${k.toFixed(1)} ms`);
  });
});

describe('listening', () => {
  test('loopback addresses are told apart from the rest (the serve warning)', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'exercise-server']) assert.ok(!isLoopback(h), h);
  });
});
