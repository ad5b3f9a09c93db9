import { describe, test, expect } from 'vitest';
import { retryUntil } from './async.js';
import { WaitTimeoutError } from './errors.js';

/** The rejection of a promise that must reject. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.unreachable('it resolved'),
    (err: unknown) => err,
  );
}

describe('retryUntil', () => {
  test('returns the first result that is not undefined, null or false, after as many attempts as it takes', async () => {
    const seen: number[] = [];
    const got = await retryUntil(
      async (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? undefined : { at: attempt };
      },
      { what: 'the third attempt', timeoutMs: 5000, intervalMs: 1 },
    );
    expect(got).toEqual({ at: 3 });
    expect(seen).toEqual([1, 2, 3]);
  });

  test('a boolean check ends on true; 0 and the empty string are results', async () => {
    let n = 0;
    await expect(retryUntil(() => ++n >= 2, { what: 'n to reach 2', timeoutMs: 5000, intervalMs: 1 })).resolves.toBe(
      true,
    );
    expect(n).toBe(2);
    await expect(retryUntil(() => 0, { what: 'zero', maxAttempts: 1 })).resolves.toBe(0);
    await expect(retryUntil(() => '', { what: 'empty', maxAttempts: 1 })).resolves.toBe('');
  });

  test('`until` decides which result ends the wait', async () => {
    let n = 0;
    const got = await retryUntil(async () => ({ exitCode: ++n < 4 ? 1 : 0 }), {
      what: 'exit 0',
      timeoutMs: 5000,
      intervalMs: 1,
      until: (r) => r.exitCode === 0,
    });
    expect(got).toEqual({ exitCode: 0 });
    expect(n).toBe(4);
  });

  test('times out with a WaitTimeoutError naming what it waited for, with the last result', async () => {
    const started = Date.now();
    const err = await rejection(
      retryUntil(async () => ({ state: 'starting' }), {
        what: 'the node to run',
        timeoutMs: 200,
        intervalMs: 30,
        until: (r) => r.state === 'running',
        context: { team: 't01', node: 'pc1' },
      }),
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    const e = err as WaitTimeoutError;
    expect(e.message).toMatch(
      /^timed out waiting for the node to run \(\d+ attempts in 0\.\ds; last result: \{"state":"starting"\}\)$/,
    );
    expect(e.what).toBe('the node to run');
    expect(e.lastResult).toEqual({ state: 'starting' });
    expect(e.lastError).toBeUndefined();
    expect(e.attempts).toBeGreaterThan(1);
    expect(e.context).toEqual({ team: 't01', node: 'pc1' });
    // it never sleeps past the deadline: it gives up once a pause would end after it
    expect(Date.now() - started).toBeLessThan(200 + 100);
    expect(e.waitedMs).toBeLessThanOrEqual(200);
  });

  test('`describe` renders the last result in the message', async () => {
    const err = await rejection(
      retryUntil(async () => ({ exitCode: 2, stdout: 'long output' }), {
        what: 'exit 0',
        maxAttempts: 2,
        intervalMs: 1,
        until: (r) => r.exitCode === 0,
        describe: (r) => `exit ${r.exitCode}`,
      }),
    );
    expect((err as Error).message).toBe(
      `timed out waiting for exit 0 (2 attempts in ${((err as WaitTimeoutError).waitedMs! / 1000).toFixed(1)}s; last result: exit 2)`,
    );
  });

  test('an error from the check ends the wait unless retryOn accepts it; the last retried error is kept as the cause', async () => {
    const boom = new Error('engine gone');
    await expect(
      retryUntil(
        async () => {
          throw boom;
        },
        { what: 'anything', timeoutMs: 5000, intervalMs: 1 },
      ),
    ).rejects.toBe(boom);

    let n = 0;
    const got = await retryUntil(
      async () => {
        if (++n < 3) throw new Error(`connection refused ${n}`);
        return 'connected';
      },
      { what: 'a connection', maxAttempts: 5, intervalMs: 1, retryOn: (err) => /refused/.test((err as Error).message) },
    );
    expect(got).toBe('connected');

    const err = (await rejection(
      retryUntil(
        async () => {
          throw new Error(`refused ${++n}`);
        },
        {
          what: 'a connection',
          maxAttempts: 3,
          intervalMs: 1,
          retryOn: () => true,
        },
      ),
    )) as WaitTimeoutError;
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.attempts).toBe(3);
    expect(err.message).toMatch(
      /^timed out waiting for a connection \(3 attempts in [\d.]+s; last error: refused \d+\)$/,
    );
    expect((err.lastError as Error).message).toBe(err.cause instanceof Error ? err.cause.message : 'no cause');
  });

  test('maxAttempts alone bounds the attempts, pausing intervalMs between them', async () => {
    const at: number[] = [];
    const err = await rejection(
      retryUntil(
        () => {
          at.push(Date.now());
          return false;
        },
        { what: 'never', maxAttempts: 3, intervalMs: 40 },
      ),
    );
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(35);
    // a false or undefined last result is not shown
    expect((err as Error).message).not.toMatch(/last/);
  });

  test('a timeout shorter than one pause allows exactly one attempt', async () => {
    let n = 0;
    await expect(
      retryUntil(
        () => {
          n++;
          return undefined;
        },
        { what: 'x', timeoutMs: 100, intervalMs: 1000 },
      ),
    ).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(n).toBe(1);
  });

  test('an abort stops the wait during a pause, with the signal’s reason, and an aborted signal prevents any attempt', async () => {
    const ac = new AbortController();
    let n = 0;
    const started = Date.now();
    setTimeout(() => ac.abort(new Error('stopped by the instructor')), 50);
    const err = await rejection(
      retryUntil(
        () => {
          n++;
          return undefined;
        },
        { what: 'x', timeoutMs: 10_000, intervalMs: 5000, signal: ac.signal },
      ),
    );
    expect((err as Error).message).toBe('stopped by the instructor');
    expect(n).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);

    n = 0;
    const aborted = AbortSignal.abort();
    const err2 = await rejection(
      retryUntil(
        () => {
          n++;
          return true;
        },
        { what: 'x', timeoutMs: 1000, signal: aborted },
      ),
    );
    expect((err2 as Error).name).toBe('AbortError');
    expect(n).toBe(0);
  });

  test('a result that ends the wait wins even when the signal was aborted during that attempt', async () => {
    const ac = new AbortController();
    const got = await retryUntil(
      async () => {
        ac.abort();
        return 'found';
      },
      { what: 'x', timeoutMs: 1000, signal: ac.signal },
    );
    expect(got).toBe('found');
  });

  test('needs a bound', async () => {
    await expect(retryUntil(() => true, { what: 'x' })).rejects.toThrow(/timeoutMs or maxAttempts/);
  });
});
