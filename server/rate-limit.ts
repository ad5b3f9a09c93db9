/**
 * A small fixed-window limiter keyed by caller (IP for login/join, principal for submissions).
 * In memory on purpose: limits protect one server process, and a restart resetting them is harmless.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one hit; returns seconds to wait when over the limit, 0 when allowed. */
  hit(key: string): number {
    const now = this.clock();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    w.count += 1;
    return w.count > this.limit ? Math.ceil((w.start + this.windowMs - now) / 1000) : 0;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

/**
 * Counts **failures** only (a wrong password, an unknown join code), so a whole class behind one NAT
 * can log in or join at once: successes cost nothing, and only a run of failures from one key
 * locks that key for the rest of its window. For staff login, team join, the SSH gateway's
 * password check and the browser terminal: one instance per bucket, keyed however the caller likes
 * (address, user name, `address/user`).
 *
 *   const wait = limiter.check(key); if (wait) refuse(wait);
 *   if (!ok) limiter.fail(key);
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  constructor(
    /** failures allowed per window; the next attempt after that is refused until the window ends */
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Seconds to wait before this key may try again; 0 when it may try now. Counts nothing. */
  check(key: string): number {
    const now = this.clock();
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) return 0;
    return w.failures >= this.limit ? Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) : 0;
  }

  /** Counts one failure; returns seconds to wait when this failure used up the allowance, 0 otherwise. */
  fail(key: string): number {
    const now = this.clock();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, failures: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    w.failures += 1;
    return this.check(key);
  }

  /** Forgets a key (e.g. after an instructor unlocks it); successes do not call this. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  /** Failures counted for a key in its current window. */
  failures(key: string): number {
    const w = this.windows.get(key);
    return w && this.clock() - w.start < this.windowMs ? w.failures : 0;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}

/** Default failure budgets (per address, per window); `ServerOptions.limits` overrides them. */
export const FAILURE_LIMITS = {
  /** staff login: wrong passwords per address and user name (three times that per address) */
  login: { failures: 10, windowMs: 15 * 60_000 },
  /** team join: unknown codes per address; generous, a class mistypes (codes have 40 bits) */
  join: { failures: 60, windowMs: 15 * 60_000 },
} as const;

/**
 * The caller's address as express computes `req.ip`, for places without a request (socket.io
 * handshakes, SSH): the socket's peer, or, when that peer is a trusted proxy, the address it
 * names in X-Forwarded-For (walked from the right, stopping at the first untrusted hop).
 * `trust` is express's compiled `app.get('trust proxy fn')`.
 */
export function clientAddress(
  peer: string,
  forwardedFor: string | string[] | undefined,
  trust: (addr: string, hop: number) => boolean,
): string {
  const hops = [
    peer,
    ...(Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .reverse(),
  ];
  let i = 0;
  while (i < hops.length - 1 && trust(hops[i]!, i)) i++;
  return hops[i]!;
}
