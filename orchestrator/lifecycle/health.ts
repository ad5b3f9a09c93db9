import { WaitTimeoutError, EngineError, sleep } from '../../core/index.js';
import type { Engine } from '../docker/types.js';

/** The health command of a node: the topology's override, else the image's HEALTHCHECK. */
export function healthCommand(override: string | undefined, imageTest: string[] | undefined): string[] | undefined {
  if (override) return ['sh', '-c', override];
  if (!imageTest || imageTest.length === 0 || imageTest[0] === 'NONE') return undefined;
  if (imageTest[0] === 'CMD-SHELL') return ['sh', '-c', imageTest.slice(1).join(' ')];
  if (imageTest[0] === 'CMD') return imageTest.slice(1);
  return imageTest;
}

export interface WaitHealthyOptions {
  container: string;
  command: string[] | undefined;
  timeoutMs: number;
  /** what is waited for, named in the timeout error */
  what: string;
  context: { exercise: string; team: string; node: string };
  /**
   * While this returns undefined the engine is still starting other containers of the range, and
   * the node's time does not run out; once it returns when that ended, the node has `timeoutMs`
   * from then. On two cores a node that started first shares the CPU with every container started
   * after it, so its own start-up time says nothing about whether it is broken.
   */
  busyUntil?: () => number | undefined;
}

/**
 * The retry loop runs inside the node: one exec per node instead of one per poll. On two cores a
 * `docker exec` costs seconds of engine time once a few teams start at once, so polling from
 * outside made health waits the bottleneck of provisioning (and slowed the services it waited for).
 * Exits 0 once the command passes; on its deadline prints the last output and exits 1.
 */
const RETRY_LOOP = [
  'secs=$1; shift',
  // Under bash (every range image has it) waiting forks nothing: `read -t` on a pipe this shell holds
  // both ends of is the sleep and $SECONDS the clock. Under sh each turn forks `sleep` and `date`
  // (14 ms of CPU a second a node, measured): with a team booting that was CPU its nodes needed.
  'if [ -n "${BASH_VERSION:-}" ]; then',
  "  eval 'exec 9<> <(:)'",
  '  nap() { read -r -t "$1" -u 9 _ || :; }',
  '  end=$((SECONDS + secs)); alive() { [ "$SECONDS" -lt "$end" ]; }',
  'else',
  '  nap() { sleep "$1"; }',
  '  end=$(( $(date +%s) + secs )); alive() { [ "$(date +%s)" -lt "$end" ]; }',
  'fi',
  // A range node's services start only after enshu-init (routes, accounts, role hooks) marks it
  // ready: trying the check before costs the node CPU while it boots and cannot pass. The mark is
  // looked for every 50 ms (cheap without forks), so the check runs as soon as the services can be up.
  'if [ -x /usr/local/sbin/enshu-init ] && [ -n "${ENSHU_NODE:-}" ]; then',
  '  while [ ! -e /run/enshu-ready ] && alive; do nap 0.05; done',
  'fi',
  'while :; do',
  '  out=$(timeout 15 "$@" 2>&1) && exit 0',
  '  alive || { printf %s "$out" | tail -c 300; exit 1; }',
  '  nap 0.5',
  'done',
].join('\n');
/** Runs the loop under bash where the node has it, else under sh. */
const RUN_LOOP =
  'l=$1; shift; command -v bash >/dev/null 2>&1 && exec bash -c "$l" enshu-health "$@"; exec sh -c "$l" enshu-health "$@"';

/**
 * Waits until the node's health command passes. Stops early with the reason if the container
 * exits, and times out naming the node, the command and its last output.
 */
export async function waitHealthy(engine: Engine, o: WaitHealthyOptions): Promise<void> {
  const started = Date.now();
  const deadline = () => {
    const own = started + o.timeoutMs;
    if (!o.busyUntil) return own;
    const busy = o.busyUntil();
    return busy === undefined ? Number.POSITIVE_INFINITY : Math.max(own, busy + o.timeoutMs);
  };
  let last = 'not run yet';
  for (;;) {
    const info = await engine.containers.inspect(o.container);
    if (!info) throw new EngineError(`${o.what}: container ${o.container} is gone`, o.context);
    if (info.state === 'exited' || info.state === 'dead') {
      throw new EngineError(
        `${o.what}: container ${o.container} stopped while starting (state ${info.state}); see \`docker logs ${o.container}\``,
        o.context,
      );
    }
    // while the range is still being created, the in-node loop runs in rounds of the node's own time
    const left = Math.min(deadline(), Date.now() + o.timeoutMs) - Date.now();
    if (info.state === 'running') {
      if (!o.command) return;
      try {
        const seconds = Math.max(1, Math.ceil(left / 1000));
        const r = await engine.exec.run(
          o.container,
          ['sh', '-c', RUN_LOOP, 'enshu-run', RETRY_LOOP, String(seconds), ...o.command],
          { timeoutMs: left + 20_000 },
        );
        if (r.exitCode === 0) return;
        last = `exit ${r.exitCode}${(r.stdout || r.stderr).trim() ? `: ${(r.stdout || r.stderr).trim().slice(-200)}` : ''}`;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    if (Date.now() >= deadline()) {
      const waited = Math.round((Date.now() - started) / 1000);
      const span = o.busyUntil
        ? `${Math.round(o.timeoutMs / 1000)}s after the range's containers were all started (${waited}s in all)`
        : `${Math.round(o.timeoutMs / 1000)}s`;
      throw new WaitTimeoutError(
        `${o.what}: health check \`${o.command?.join(' ')}\` did not pass within ${span} (last: ${last})`,
        o.context,
      );
    }
    await sleep(500);
  }
}
