/**
 * Polls `f` every half second until it gives a value, for at most `ms`; on a timeout the error names
 * what was awaited and, with `story`, what happened meanwhile (e.g. the attack's steps so far).
 */
export async function until<T>(
  what: string,
  f: () => T | undefined | Promise<T | undefined>,
  ms: number,
  story?: () => string,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) {
      const so = story ? `; ${story()}` : '';
      throw new Error(`timed out after ${ms / 1000}s waiting for ${what}${so}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
