/**
 * Teardown that cannot hold a test run hostage: each step gets a bound, and a step that fails or
 * does not finish in time is named on stderr and skipped, so the next step (and the next file)
 * still runs. In CI a teardown once waited out the whole 45-minute hook limit after every test of
 * the file had passed; with this it costs at most the bound and the log says which step it was.
 */
export type TeardownStep = readonly [label: string, run: () => unknown];

export async function teardown(steps: readonly TeardownStep[], perStepMs = 120_000): Promise<void> {
  for (const [label, run] of steps) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((res) => (timer = setTimeout(() => res('late'), perStepMs)));
    try {
      const r = await Promise.race([Promise.resolve().then(run), late]);
      if (r === 'late') console.error(`# teardown: "${label}" did not finish within ${perStepMs / 1000} s; going on`);
    } catch (err) {
      console.error(`# teardown: "${label}" failed after ${Date.now() - t0} ms: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    const ms = Date.now() - t0;
    if (ms > 10_000) console.error(`# teardown: "${label}" took ${Math.round(ms / 1000)} s`);
  }
}
