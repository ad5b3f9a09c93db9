/**
 * Sessions: staff login and logout, trainee join, password change, and the staff users (create,
 * update, delete). Tokens follow their user: a changed password or role and a deleted user revoke
 * every token the user holds (the store does it and tells the live sockets), and every request
 * checks its token against the store as it is now (`store.auth.resolve`).
 *
 * Login and join are limited by **failures** (wrong password, unknown code), per client address
 * (login: and user name), in separate buckets; successes are free, so a class behind one NAT joins at once.
 * These routes replace the same method+path in `apiRoutes` (app.ts mounts them in its place).
 */
import type { Request } from 'express';
import { createLogger } from '../core/index.js';
import { bearer } from './access.js';
import { RateLimitedError } from './http-errors.js';
import { FAILURE_LIMITS, FailureLimiter } from './rate-limit.js';
import { route as r, type RouteSpec } from './routes.js';
import * as B from './schemas.js';
import { AuthError, ConflictError, DEMO_PASSWORD, ForbiddenError, type Store } from './store/index.js';
import { NotFoundError } from '../core/index.js';

const log = createLogger('server/auth');
const A = B.Answer;

export interface AuthLimits {
  /**
   * wrong staff passwords allowed per address and user name per window (default 10); an address
   * gets three times that over all user names
   */
  loginFailures?: number;
  /** unknown join codes allowed per address per window; default 60 */
  joinFailures?: number;
  /** the window of both, ms; default 15 min */
  failureWindowMs?: number;
}

export interface AuthDeps {
  store: Store;
  now: () => Date;
  limits?: AuthLimits;
}

/**
 * The failure buckets. Staff login is keyed by address and user name (so guessing at `admin` from
 * a classroom's NAT address does not lock out other staff there, and nobody can lock a user out
 * from everywhere), with a wider bucket per address against spraying many names.
 */
export function authLimiters(l: AuthLimits = {}) {
  const login = l.loginFailures ?? FAILURE_LIMITS.login.failures;
  const window = (d: number) => l.failureWindowMs ?? d;
  return {
    login: new FailureLimiter(login, window(FAILURE_LIMITS.login.windowMs)),
    loginAddress: new FailureLimiter(3 * login, window(FAILURE_LIMITS.login.windowMs)),
    join: new FailureLimiter(l.joinFailures ?? FAILURE_LIMITS.join.failures, window(FAILURE_LIMITS.join.windowMs)),
  };
}

const address = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function authRoutes(d: AuthDeps): RouteSpec[] {
  const limit = authLimiters(d.limits);
  const { auth } = d.store;
  const lockedOut = (l: FailureLimiter, ...keys: string[]) => {
    const wait = Math.max(...keys.map((k) => l.check(k)));
    if (wait) throw new RateLimitedError(wait);
  };
  const instructors = () => auth.users().filter((u) => u.role === 'instructor');
  const warnDemo = (user: string, password: string) => {
    if (password === DEMO_PASSWORD)
      log.warn({ user }, `"${user}" logged in with the DEMO password "${DEMO_PASSWORD}": change it before a class`);
  };

  return [
    r({
      method: 'post',
      path: '/api/auth/login',
      summary: 'instructor or organizer login → bearer token (wrong passwords are limited per address and user)',
      roles: 'public',
      body: B.LoginBody,
      response: A.Login,
      handler: async ({ req, body }) => {
        const ip = address(req);
        const key = `${ip} ${body.user}`;
        lockedOut(limit.login, key);
        lockedOut(limit.loginAddress, ip);
        const role = await auth.authenticate(body.user, body.password);
        if (!role) {
          limit.login.fail(key);
          limit.loginAddress.fail(ip);
          throw new AuthError('wrong user name or password');
        }
        warnDemo(body.user, body.password);
        return { token: auth.issue({ role, subject: body.user }, d.now()), role };
      },
    }),
    r({
      method: 'post',
      path: '/api/auth/join',
      summary: 'trainee joins a team with its join code → bearer token (unknown codes are limited per address)',
      roles: 'public',
      body: B.JoinBody,
      response: A.Join,
      // organizers read results; they never act as a team (instructors may try the join flow)
      guard: [
        (req, _res, next) => {
          const presented = bearer(req);
          const p = presented ? auth.resolve(presented, d.now()) : undefined;
          if (p?.role === 'organizer') throw new ForbiddenError('organizers do not join teams');
          next();
        },
      ],
      handler: ({ req, body }) => {
        const key = `ip:${address(req)}`;
        lockedOut(limit.join, key);
        const t = d.store.exercises.teamByCode(body.code);
        if (!t) {
          limit.join.fail(key);
          throw new AuthError('unknown join code');
        }
        const x = d.store.exercises.get(t.exercise);
        if (x.state === 'archived') throw new ForbiddenError(`exercise ${x.id} is archived`);
        d.store.exercises.addMember(t.exercise, t.id, body.name, d.now());
        const token = auth.issue({ role: 'trainee', subject: body.name, exercise: t.exercise, team: t.id }, d.now());
        return { token, role: 'trainee' as const, exercise: t.exercise, team: t.id, teamName: t.name };
      },
    }),
    r({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'revoke the token of this call (its sockets are disconnected)',
      roles: ['instructor', 'organizer', 'trainee'],
      response: A.LoggedOut,
      handler: ({ req }) => {
        auth.revoke(bearer(req)!);
        return { ok: true as const };
      },
    }),
    r({
      method: 'post',
      path: '/api/auth/password',
      summary: 'change your own password; revokes all your tokens and returns a new one',
      roles: ['instructor', 'organizer'],
      body: B.PasswordBody,
      response: A.PasswordChanged,
      handler: async ({ req, principal, body }) => {
        const user = principal!.subject;
        const key = `${address(req)} ${user}`;
        lockedOut(limit.login, key);
        const role = await auth.authenticate(user, body.current);
        if (!role) {
          limit.login.fail(key);
          throw new ForbiddenError('the current password is wrong');
        }
        if (body.password === DEMO_PASSWORD) throw new ConflictError('choose a password other than the demo password');
        await auth.setUser(user, role, body.password, d.now());
        // setUser revoked every token of the user (sockets too); the caller goes on with a new one
        auth.revokeUser(user);
        return { token: auth.issue({ role, subject: user }, d.now()), role };
      },
    }),
    r({
      method: 'post',
      path: '/api/users',
      summary: 'create or update an instructor/organizer (a new password or role revokes their tokens)',
      roles: ['instructor'],
      body: B.UserBody,
      response: A.User,
      handler: async ({ body }) => {
        if (body.role !== 'instructor' && auth.role(body.name) === 'instructor' && instructors().length <= 1)
          throw new ConflictError(`${body.name} is the last instructor`);
        await auth.setUser(body.name, body.role, body.password, d.now());
        return { user: body.name, role: body.role };
      },
    }),
    r({
      method: 'delete',
      path: '/api/users/:user',
      summary: 'delete a staff user and revoke their tokens (not the last instructor)',
      roles: ['instructor'],
      response: A.UserDeleted,
      handler: ({ req }) => {
        const name = String(req.params.user);
        const role = auth.role(name);
        if (!role) throw new NotFoundError(`no user ${name}`);
        if (role === 'instructor' && instructors().length <= 1)
          throw new ConflictError(`${name} is the last instructor`);
        auth.deleteUser(name);
        return { user: name, deleted: true as const };
      },
    }),
  ];
}
