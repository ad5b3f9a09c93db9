import { WaitTimeoutError, describeError, type ErrorContext } from './errors.js';

/** Runs `fn` over `items` with at most `limit` in flight; rejects with the first error after all settle. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let firstError: unknown;
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        firstError ??= err;
      }
    }
  });
  await Promise.all(workers);
  if (firstError !== undefined) throw firstError;
  return results;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RetryUntilOptions<T> {
  /** what is waited for, as the timeout error names it ("the first check-in of t01-pc1 at the C2") */
  what: string;
  /** give up after this long (ms, counted from the call); at least one of timeoutMs and maxAttempts */
  timeoutMs?: number;
  /** give up after this many attempts */
  maxAttempts?: number;
  /** pause between the end of one attempt and the start of the next (ms; default 500) */
  intervalMs?: number;
  /** stops the wait before the next attempt or during a pause: rejects with the signal's reason */
  signal?: AbortSignal;
  /** whether a result ends the wait; default: any result but undefined, null and false */
  until?: (result: T) => boolean;
  /** whether an error thrown by the check means "not yet" (try again); default: none does, the error ends the wait */
  retryOn?: (err: unknown) => boolean;
  /** how the timeout error shows the last result (default: the value, shortened) */
  describe?: (result: T) => string;
  /** exercise, team, node… of the timeout error */
  context?: ErrorContext;
}

type Nothing = undefined | null | false;

/**
 * Runs `check` until its result ends the wait, and returns that result. Between attempts it
 * pauses `intervalMs`; it gives up with a `WaitTimeoutError` (carrying `what`, the attempts, and
 * the last result or retried error) after `maxAttempts`, or when a pause would end past
 * `timeoutMs` — it never sleeps beyond the deadline (an attempt in flight is not cut short; give
 * the check its own timeout for that). Errors the check throws end the wait unless `retryOn`
 * accepts them. An aborted `signal` rejects with its reason, before an attempt or during a pause.
 */
export function retryUntil<T>(
  check: (attempt: number) => Promise<T> | T,
  o: RetryUntilOptions<T> & { until: (result: T) => boolean },
): Promise<T>;
export function retryUntil<T>(
  check: (attempt: number) => Promise<T | Nothing> | T | Nothing,
  o: RetryUntilOptions<T | Nothing>,
): Promise<T>;
export async function retryUntil<T>(check: (attempt: number) => Promise<T> | T, o: RetryUntilOptions<T>): Promise<T> {
  if (o.timeoutMs === undefined && o.maxAttempts === undefined)
    throw new TypeError(`retryUntil(${o.what}): give timeoutMs or maxAttempts`);
  const intervalMs = Math.max(0, o.intervalMs ?? 500);
  const started = Date.now();
  const deadline = started + (o.timeoutMs ?? Number.POSITIVE_INFINITY);
  const maxAttempts = o.maxAttempts ?? Number.POSITIVE_INFINITY;
  const done = o.until ?? ((r: T) => r !== undefined && r !== null && r !== false);
  let last: { result: T } | { error: unknown } | undefined;
  for (let attempt = 1; ; attempt++) {
    o.signal?.throwIfAborted();
    try {
      const result = await check(attempt);
      if (done(result)) return result;
      last = { result };
    } catch (err) {
      if (!o.retryOn?.(err)) throw err;
      last = { error: err };
    }
    if (attempt >= maxAttempts || Date.now() + intervalMs >= deadline) {
      const waitedMs = Date.now() - started;
      const seen = !last
        ? ''
        : 'error' in last
          ? `; last error: ${describeError(last.error)}`
          : last.result === undefined || last.result === null || last.result === false
            ? ''
            : `; last result: ${o.describe ? o.describe(last.result) : describeValue(last.result)}`;
      throw new WaitTimeoutError(
        `timed out waiting for ${o.what} (${attempt} attempt${attempt === 1 ? '' : 's'} in ${(waitedMs / 1000).toFixed(1)}s${seen})`,
        o.context ?? {},
        {
          what: o.what,
          attempts: attempt,
          waitedMs,
          ...(last && 'error' in last ? { lastError: last.error } : last ? { lastResult: last.result } : {}),
        },
      );
    }
    await pause(intervalMs, o.signal);
  }
}

/** `sleep` that an abort cuts short, rejecting with the signal's reason. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep(ms);
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (typeof v !== 'object' || v === null) s = String(v);
  else {
    try {
      s = JSON.stringify(v);
    } catch {
      s = String(v);
    }
  }
  s = s.trim().replace(/\s+/g, ' ');
  return s.length > 200 ? `${s.slice(0, 199)}…` : s;
}
