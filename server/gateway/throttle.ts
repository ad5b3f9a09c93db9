/**
 * Throttles failed attempts at the two doors into a range (SSH gateway logins, browser-terminal
 * handshakes), per source address and per team, over `server/rate-limit.ts`'s limiter.
 *
 * Only failures count: a class that logs in N times is never slowed down. Once an address or a
 * team has failed too often, further attempts from it are refused unchecked until its window
 * ends — except from an address that has already got in for that team, so a classroom behind
 * one NAT address keeps working when one of its machines (or someone guessing another team's
 * join code) trips the limit.
 */
import { RateLimiter } from '../rate-limit.js';

export interface ThrottleLimits {
  /** failures from one source address per window */
  perAddress: number;
  /** failures naming one team (any address) per window */
  perTeam: number;
  windowMs: number;
  /** how long an address that got in for a team stays exempt for it */
  trustMs?: number;
}

/** Generous for a classroom behind one NAT address, tight enough to stop guessing join codes. */
export const DEFAULT_THROTTLE: ThrottleLimits = {
  perAddress: 30,
  perTeam: 10,
  windowMs: 5 * 60_000,
  trustMs: 12 * 3600_000,
};

export class AttemptThrottle {
  private readonly address: RateLimiter;
  private readonly team: RateLimiter;
  /** key → time its block ends */
  private readonly blockedUntil = new Map<string, number>();
  /** `address team` → time its exemption ends */
  private readonly trusted = new Map<string, number>();

  constructor(
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly clock: () => number = Date.now,
  ) {
    this.address = new RateLimiter(limits.perAddress, limits.windowMs, clock);
    this.team = new RateLimiter(limits.perTeam, limits.windowMs, clock);
  }

  /** Seconds to wait before `address` may try `team` again; 0: go ahead. Counts nothing. */
  wait(address: string, team: string | undefined): number {
    const now = this.clock();
    if (team && (this.trusted.get(`${address} ${team}`) ?? 0) > now) return 0;
    const until = Math.max(
      this.blockedUntil.get(`a:${address}`) ?? 0,
      team ? (this.blockedUntil.get(`t:${team}`) ?? 0) : 0,
    );
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  /** Counts one failed attempt from `address` naming `team` (when the attempt named one). */
  failed(address: string, team: string | undefined): void {
    const now = this.clock();
    const count = (limiter: RateLimiter, key: string) => {
      const wait = limiter.hit(key);
      if (wait > 0) this.blockedUntil.set(key, Math.max(this.blockedUntil.get(key) ?? 0, now + wait * 1000));
    };
    count(this.address, `a:${address}`);
    if (team) count(this.team, `t:${team}`);
    if (this.blockedUntil.size > 10_000) this.sweep(now);
  }

  /** A successful attempt: this address stays exempt for this team. Counts nothing. */
  succeeded(address: string, team: string): void {
    const now = this.clock();
    this.trusted.set(`${address} ${team}`, now + (this.limits.trustMs ?? DEFAULT_THROTTLE.trustMs!));
    if (this.trusted.size > 10_000) this.sweep(now);
  }

  private sweep(now: number): void {
    for (const [k, t] of this.blockedUntil) if (t <= now) this.blockedUntil.delete(k);
    for (const [k, t] of this.trusted) if (t <= now) this.trusted.delete(k);
  }
}
