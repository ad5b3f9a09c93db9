import { WaitTimeoutError, EngineError } from '../errors.js';
import type { Engine } from '../docker/types.js';
import { sleep } from '../util/limit.js';

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
}

/**
 * Polls the node's health command until it passes. Stops early with the reason if the
 * container exits, and times out naming the node, the command and its last output.
 */
export async function waitHealthy(engine: Engine, o: WaitHealthyOptions): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let last = 'not run yet';
  let delay = 300;
  for (;;) {
    const info = await engine.containers.inspect(o.container);
    if (!info) throw new EngineError(`${o.what}: container ${o.container} is gone`, o.context);
    if (info.state === 'exited' || info.state === 'dead') {
      throw new EngineError(`${o.what}: container ${o.container} stopped while starting (state ${info.state}); see \`docker logs ${o.container}\``, o.context);
    }
    if (info.state === 'running') {
      if (!o.command) return;
      try {
        const r = await engine.exec.run(o.container, o.command, { timeoutMs: 10_000 });
        if (r.exitCode === 0) return;
        last = `exit ${r.exitCode}${(r.stderr || r.stdout).trim() ? `: ${(r.stderr || r.stdout).trim().slice(0, 200)}` : ''}`;
      } catch (err) {
        last = (err as Error).message;
      }
    }
    if (Date.now() > deadline) {
      throw new WaitTimeoutError(
        `${o.what}: health check \`${o.command?.join(' ')}\` did not pass within ${Math.round(o.timeoutMs / 1000)}s (last: ${last})`,
        o.context,
      );
    }
    await sleep(delay);
    delay = Math.min(2000, Math.round(delay * 1.5));
  }
}
