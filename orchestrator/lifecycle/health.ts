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
 *
 * In bash (every range image has it) the loop waits without starting a process: `read -t` on a pipe
 * nobody writes to is its sleep and `SECONDS` its clock. The POSIX loop forks `date` and `sleep` on
 * every turn: 14 ms of the node's CPU a second of waiting, measured, and with eight teams 144 nodes
 * wait at once for most of the start (about 5 CPU-s a team before; about 1 ms a second now).
 */
const BASH_LOOP = [
  'end=$((SECONDS + $1)); shift',
  'nap() { sleep "$1"; }',
  'p=/run/.enshu-health.$$',
  'if mkfifo "$p" 2>/dev/null && exec 3<>"$p"; then nap() { read -r -t "$1" -u 3 _ || :; }; fi',
  'rm -f "$p"',
  // A range node's services start only after enshu-init (routes, accounts, role hooks) marks it
  // ready: trying the check before costs the node CPU while it boots and cannot pass.
  'if [[ -x /usr/local/sbin/enshu-init && -n "${ENSHU_NODE:-}" ]]; then',
  '  while [[ ! -e /run/enshu-ready ]] && (( SECONDS < end )); do nap 0.2; done',
  'fi',
  'while :; do',
  '  out=$(timeout 15 "$@" 2>&1) && exit 0',
  '  (( SECONDS >= end )) && { printf %s "$out" | tail -c 300; exit 1; }',
  '  nap 0.5',
  'done',
].join('\n');

/** The same loop for a container without bash. */
const POSIX_LOOP = [
  'end=$(( $(date +%s) + $1 )); shift',
  'if [ -x /usr/local/sbin/enshu-init ] && [ -n "${ENSHU_NODE:-}" ]; then',
  '  while [ ! -e /run/enshu-ready ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done',
  'fi',
  'while :; do',
  '  out=$(timeout 15 "$@" 2>&1) && exit 0',
  '  [ "$(date +%s)" -ge "$end" ] && { printf %s "$out" | tail -c 300; exit 1; }',
  '  sleep 0.5',
  'done',
].join('\n');

/** `sh -c RETRY_LOOP <bash loop> <seconds> <command…>`: bash runs the loop when the node has it. */
const RETRY_LOOP = `if command -v bash >/dev/null 2>&1; then exec bash -c "$0" enshu-health "$@"; fi\n${POSIX_LOOP}`;

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
          ['sh', '-c', RETRY_LOOP, BASH_LOOP, String(seconds), ...o.command],
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
