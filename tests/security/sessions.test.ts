/**
 * Tokens follow their user: a password change, a demotion, a deletion and a logout revoke tokens,
 * for REST calls and for sockets (the live socket is disconnected, and an event on a socket whose
 * token went away is refused). The role is read from the store on every call, not from the token.
 */
import { strict as assert } from 'node:assert';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { connect, exerciseWithTeams, join, secureServer, type Client, type Secured } from './helpers.js';

const EX = 'sess';
let run: Secured;
let codes: Record<string, string>;
const sockets: Client[] = [];

beforeAll(async () => {
  run = await secureServer('sessions');
  ({ codes } = await exerciseWithTeams(run, EX));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await run?.stop();
});

async function login(user: string, password: string): Promise<string> {
  const res = await run.api<{ token: string }>('POST', '/api/auth/login', { user, password });
  assert.equal(res.status, 200, res.text);
  return res.body.token;
}

async function me(token: string): Promise<number> {
  return (await run.api('GET', '/api/me', undefined, token)).status;
}

async function live(token: string): Promise<Client> {
  const s = await connect(run.url, token);
  sockets.push(s);
  return s;
}

/** Resolves when the socket is disconnected (by the server), rejects after `ms`. */
function disconnected(s: Client, ms = 5000): Promise<string> {
  if (!s.connected) return Promise.resolve('already');
  return new Promise((res, rej) => {
    const t = setTimeout(() => rej(new Error('the socket stayed connected')), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      res(reason);
    });
  });
}

async function user(name: string, role: 'instructor' | 'organizer', password = `${name}-password`) {
  const res = await run.api('POST', '/api/users', { name, role, password }, run.admin());
  assert.equal(res.status, 200, res.text);
  return password;
}

describe('REST and sockets follow the user', () => {
  test('a password change revokes every token of the user (REST and socket); the new token works', async () => {
    const pw = await user('s-pw', 'organizer');
    const a = await login('s-pw', pw);
    const b = await login('s-pw', pw);
    const socket = await live(b);
    assert.equal((await join(socket, EX)).ok, true);
    const gone = disconnected(socket);
    const res = await run.api<{ token: string }>(
      'POST',
      '/api/auth/password',
      { current: pw, password: 's-pw-new-password' },
      a,
    );
    assert.equal(res.status, 200, res.text);
    assert.equal(await gone, 'io server disconnect');
    assert.equal(await me(a), 401);
    assert.equal(await me(b), 401);
    assert.equal(await me(res.body.token), 200);
    assert.equal((await run.api('POST', '/api/auth/login', { user: 's-pw', password: pw })).status, 401);
    await login('s-pw', 's-pw-new-password');
  });

  test('a wrong current password is refused and revokes nothing', async () => {
    const pw = await user('s-pw2', 'instructor');
    const a = await login('s-pw2', pw);
    const res = await run.api(
      'POST',
      '/api/auth/password',
      { current: 'not-the-password', password: 'whatever-new-1' },
      a,
    );
    assert.equal(res.status, 403, res.text);
    assert.equal(await me(a), 200);
  });

  test('an instructor setting another user’s password revokes that user’s tokens', async () => {
    const pw = await user('s-reset', 'organizer');
    const a = await login('s-reset', pw);
    await user('s-reset', 'organizer', 'a-brand-new-password');
    assert.equal(await me(a), 401);
  });

  test('demotion revokes (REST and socket); the role is read from the store on every call', async () => {
    const pw = await user('s-demote', 'instructor');
    const a = await login('s-demote', pw);
    const socket = await live(a);
    assert.equal((await join(socket, EX)).ok, true);
    assert.equal((await run.api('GET', '/api/users', undefined, a)).status, 200);
    const gone = disconnected(socket);
    await user('s-demote', 'organizer', pw);
    await gone;
    assert.equal((await run.api('GET', '/api/users', undefined, a)).status, 401);
    // a token row that still says "instructor" (as if revocation had been missed) is worth nothing:
    // the role is the store's, not the token's
    const stale = run.server.store.auth.issue({ role: 'instructor', subject: 's-demote' });
    assert.equal(await me(stale), 401);
    // logging in again gives the new role
    const again = await login('s-demote', pw);
    assert.equal((await run.api<{ role: string }>('GET', '/api/me', undefined, again)).body.role, 'organizer');
    assert.equal((await run.api('GET', '/api/users', undefined, again)).status, 403);
  });

  test('deletion revokes (REST and socket); an unknown user is 404; the last instructor cannot go', async () => {
    const pw = await user('s-del', 'organizer');
    const a = await login('s-del', pw);
    const socket = await live(a);
    const gone = disconnected(socket);
    const del = await run.api('DELETE', '/api/users/s-del', undefined, run.admin());
    assert.equal(del.status, 200, del.text);
    assert.deepEqual(del.body, { user: 's-del', deleted: true });
    await gone;
    assert.equal(await me(a), 401);
    assert.equal((await run.api('DELETE', '/api/users/s-del', undefined, run.admin())).status, 404);
    // instructors: admin and s-pw2 (s-demote was demoted)
    const alone = await user('s-last', 'instructor');
    const last = await login('s-last', alone);
    assert.equal((await run.api('DELETE', '/api/users/s-pw2', undefined, last)).status, 200);
    assert.equal((await run.api('DELETE', '/api/users/admin', undefined, last)).status, 200);
    // s-last is now the only instructor: neither deletion nor demotion of it goes through
    const self = await run.api('DELETE', '/api/users/s-last', undefined, last);
    assert.equal(self.status, 409, self.text);
    const demote = await run.api('POST', '/api/users', { name: 's-last', role: 'organizer', password: alone }, last);
    assert.equal(demote.status, 409, demote.text);
    assert.equal(await me(last), 200);
    // put admin back for the other tests
    run.server.store.auth.putUser('admin', 'instructor', 'sv-admin-password');
  });

  test('logout revokes the caller’s token only, and its socket', async () => {
    const pw = await user('s-out', 'organizer');
    const a = await login('s-out', pw);
    const b = await login('s-out', pw);
    const socket = await live(a);
    const gone = disconnected(socket);
    assert.equal((await run.api('POST', '/api/auth/logout', undefined, a)).status, 200);
    await gone;
    assert.equal(await me(a), 401);
    assert.equal(await me(b), 200);
  });

  test('a trainee’s logout drops their socket; a new socket with the old token is refused', async () => {
    const joined = await run.api<{ token: string }>('POST', '/api/auth/join', { code: codes.t01, name: 'carol' });
    assert.equal(joined.status, 200, joined.text);
    const socket = await live(joined.body.token);
    assert.equal((await join(socket, EX, 't01')).ok, true);
    const gone = disconnected(socket);
    assert.equal((await run.api('POST', '/api/auth/logout', undefined, joined.body.token)).status, 200);
    await gone;
    await assert.rejects(connect(run.url, joined.body.token), /unauthorized/);
  });

  test('an event on a socket whose token went away unannounced is refused with 401, and the socket dropped', async () => {
    const token = run.server.store.auth.issue({ role: 'trainee', subject: 'dave', exercise: EX, team: 't02' });
    const socket = await live(token);
    // deleted behind the server's back: no revocation notice, so only the per-event check can catch it
    run.server.store.db.prepare('DELETE FROM tokens').run();
    const gone = disconnected(socket);
    const ack = await join(socket, EX, 't02');
    assert.deepEqual(ack, { ok: false, status: 401, error: 'token revoked or expired: log in again' });
    await gone;
  });

  test('a revocation also drops sockets on other namespaces (the browser terminals’ kind)', async () => {
    // a namespace like the terminal one: its own handshake, the token in `auth`
    const ns = run.server.io.of('/sec-probe');
    ns.use((_s, next) => next());
    const pw = await user('s-ns', 'instructor');
    const token = await login('s-ns', pw);
    const s: Client = io(`${run.url}/sec-probe`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    }) as Client;
    sockets.push(s);
    await new Promise<void>((res, rej) => {
      s.once('connect', () => res());
      s.once('connect_error', rej);
    });
    const gone = disconnected(s);
    assert.equal((await run.api('POST', '/api/auth/logout', undefined, token)).status, 200);
    assert.equal(await gone, 'io server disconnect');
  });

  test('organizers cannot join as a team, even with a valid join code', async () => {
    const pw = await user('s-org', 'organizer');
    const org = await login('s-org', pw);
    const res = await run.api('POST', '/api/auth/join', { code: codes.t01, name: 'org' }, org);
    assert.equal(res.status, 403, res.text);
  });
});
