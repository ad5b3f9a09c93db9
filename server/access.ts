import type { Request } from 'express';
import { AuthError, ForbiddenError, type Principal, type Role, type Store } from './store/index.js';

export function bearer(req: Request): string | undefined {
  const h = req.headers.authorization;
  const m = h && /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** Resolves the bearer token and checks the route's roles (401 without a valid token, 403 for the wrong role). */
export function authenticator(store: Store, now: () => Date) {
  return (req: Request, roles: Role[] | 'public'): Principal | undefined => {
    if (roles === 'public') return undefined;
    const token = bearer(req);
    if (!token) throw new AuthError('missing bearer token (Authorization: Bearer <token>)');
    const p = store.auth.resolve(token, now());
    if (!p) throw new AuthError('invalid or expired token');
    if (!roles.includes(p.role)) throw new ForbiddenError(`${p.role}s may not do this`);
    return p;
  };
}

/** The single rule behind every exercise/team check, for REST and sockets alike. */
export function canAccess(p: Principal, exercise: string, team?: string): boolean {
  if (p.role !== 'trainee') return true;
  if (p.exercise !== exercise) return false;
  return team === undefined || p.team === team;
}

export function assertAccess(p: Principal | undefined, exercise: string, team?: string): void {
  if (!p) throw new AuthError('missing bearer token');
  if (!canAccess(p, exercise, team)) {
    throw new ForbiddenError(team ? `you may only see and act on your own team` : 'you are not in this exercise', {
      exercise,
      ...(team ? { team } : {}),
    });
  }
}

export function isStaff(p: Principal | undefined): boolean {
  return !!p && p.role !== 'trainee';
}

/**
 * The exercise and team a team route names, both known to the store (404 otherwise). Whether the
 * caller may act on them was checked once, when the route was mounted (routes.ts `mount`).
 */
export function routeTeam(store: Store, req: Request): { ex: string; t: string } {
  const ex = String(req.params.exercise);
  const t = String(req.params.team);
  store.exercises.team(ex, t);
  return { ex, t };
}

/** The exercise an exercise route names, known to the store (404 otherwise); scope as for `routeTeam`. */
export function routeExercise(store: Store, req: Request): string {
  const ex = String(req.params.exercise);
  store.exercises.get(ex);
  return ex;
}
