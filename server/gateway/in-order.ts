/**
 * A queue that runs each function after the previous one's promise settled. Terminals need it:
 * a resize is an engine API call, and keystrokes sent right after it must not overtake it.
 */
export function orderedQueue(): (fn: () => unknown) => void {
  let last: Promise<unknown> = Promise.resolve();
  return (fn) => {
    last = last.then(fn).catch(() => undefined);
  };
}
