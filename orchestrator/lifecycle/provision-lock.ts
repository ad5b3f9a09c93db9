import { EngineError, WaitTimeoutError, createLogger, sleep } from '../../core/index.js';
import { LABEL, type Engine } from '../docker/types.js';

const log = createLogger('provision-lock');

/** The one container name that is the lock: the engine refuses a second container of that name. */
export const PROVISION_LOCK_NAME = 'enshu-provision-lock';
export const LOCK_KIND = 'provision-lock';
const LOCK_AT = 'enshu.lock-at';
const LOCK_OWNER = 'enshu.lock-owner';
const LOCK_HOLDER = 'enshu.lock-holder';

/**
 * This process's mark on the locks it takes. A lock with this mark while no holder in this process
 * is active is one this process failed to release (the engine went away before the release): it is
 * taken over at once instead of waiting for it to turn stale.
 */
const HOLDER = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;

export interface ProvisionLockOptions {
  /** who takes it (shown to a waiter); the exercise id */
  owner: string;
  /** the image the lock container is made of (never started); any image the engine has */
  image: string;
  /** give up waiting after this long (default 10 min) */
  timeoutMs?: number;
  /** a lock older than this is left over from a crashed process and is broken (default 5 min) */
  staleMs?: number;
}

/** Holders in this process, per engine: a second `up` here waits without polling the engine. */
const local = new Map<string, Promise<void>>();

/**
 * Runs `fn` while holding the engine's provisioning lock: a created (never started) container
 * named `enshu-provision-lock`. Container names are unique on an engine, so the lock also holds
 * between processes and hosts that share the engine. It guards choosing address slots and creating
 * the networks on them, which must not interleave with another exercise doing the same
 * (two `up`s at once used to pick the same slot, and the second failed with "Pool overlaps").
 */
export async function withProvisionLock<T>(engine: Engine, o: ProvisionLockOptions, fn: () => Promise<T>): Promise<T> {
  const key = engine.endpoint;
  const before = local.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => (release = r));
  const chained = before.then(() => mine);
  local.set(key, chained);
  try {
    await before;
    await acquire(engine, o);
    try {
      return await fn();
    } finally {
      await engine.containers.remove(PROVISION_LOCK_NAME).catch((err: unknown) => {
        log.warn({ err }, 'could not release the provisioning lock; it will be broken once stale');
      });
    }
  } finally {
    release();
    if (local.get(key) === chained) local.delete(key);
  }
}

async function acquire(engine: Engine, o: ProvisionLockOptions): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 600_000);
  const staleMs = o.staleMs ?? 300_000;
  let delay = 200;
  for (;;) {
    try {
      await engine.containers.create({
        name: PROVISION_LOCK_NAME,
        hostname: 'lock',
        image: o.image,
        labels: {
          [LABEL.kind]: LOCK_KIND,
          [LOCK_OWNER]: o.owner,
          [LOCK_HOLDER]: HOLDER,
          [LOCK_AT]: new Date().toISOString(),
        },
        env: {},
        capAdd: [],
        sysctls: {},
        networks: [],
      });
      return;
    } catch (err) {
      if (!(err instanceof EngineError) || !/Conflict|already in use/i.test(err.message)) throw err;
    }
    const held = await engine.containers.inspect(PROVISION_LOCK_NAME);
    const at = Date.parse(held?.labels[LOCK_AT] ?? '');
    if (held?.labels[LOCK_HOLDER] === HOLDER) {
      // ours, left over: callers in this process are serialised above, so nobody here holds it
      log.warn({ owner: held.labels[LOCK_OWNER] }, 'taking over a provisioning lock this process failed to release');
      await engine.containers.remove(PROVISION_LOCK_NAME);
      continue;
    }
    if (held && Number.isFinite(at) && Date.now() - at > staleMs) {
      log.warn({ owner: held.labels[LOCK_OWNER] }, 'breaking a stale provisioning lock');
      await engine.containers.remove(PROVISION_LOCK_NAME);
      continue;
    }
    if (Date.now() > deadline)
      throw new WaitTimeoutError(
        `provisioning lock held by exercise ${held?.labels[LOCK_OWNER] ?? '?'} for too long; if no \`enshu up\` runs, remove container ${PROVISION_LOCK_NAME}`,
        { exercise: o.owner },
      );
    await sleep(delay);
    delay = Math.min(delay * 2, 2000);
  }
}
