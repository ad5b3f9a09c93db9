/**
 * A stat of a path in a container read from its root filesystem on this host, when the engine runs
 * here: the live checker stats dozens of paths a second (before any read, to know whether it may
 * have changed), and each stat through the archive API costs the server and the engine an HTTP
 * request. The answer is the archive API's: the path's folder resolved inside the container's root
 * (symbolic links followed as the container sees them, never out of its root), the last component
 * not followed (lstat), the mode as the engine reports it (Go's FileMode bits). Used only when the
 * container's root as the engine reports it (its overlay `MergedDir`) is the very folder its first
 * process sees as `/` (same device and inode); otherwise the engine is asked.
 */
import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { PathStat } from './types.js';

/** the engine's view of a container: its overlay root on the host and its first process (0: not running) */
export interface ContainerFs {
  merged?: string;
  pid: number;
  /** where the engine mounts something over the root (volumes, /etc/hosts…): asked of the engine */
  mounts: string[];
}

/** mounted over every container's root (asked of the engine too) */
const ALWAYS_MOUNTED = ['/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/dev', '/proc', '/sys'];

/** Go's os.FileMode type bits, as the archive API reports them */
const GO = { dir: 2 ** 31, symlink: 2 ** 27, device: 2 ** 26, pipe: 2 ** 25, socket: 2 ** 24, char: 2 ** 21 };
const GO_SETUID = 2 ** 23;
const GO_SETGID = 2 ** 22;
const GO_STICKY = 2 ** 20;

export class LocalStat {
  /** container → its root folder on this host and that folder's device and inode as mounted; null: not here */
  private readonly roots = new Map<string, { dir: string; dev: number; ino: number; mounts: Set<string> } | null>();

  constructor(private readonly enabled: boolean) {}

  /** the stat, undefined when the path does not exist, or 'engine' when it cannot be told from here */
  async stat(
    container: string,
    path: string,
    fs: () => Promise<ContainerFs | undefined>,
  ): Promise<PathStat | undefined | 'engine'> {
    if (!this.enabled) return 'engine';
    let root = this.roots.get(container);
    if (root === null) return 'engine';
    if (root === undefined) {
      const f = await fs().catch(() => undefined);
      if (!f?.pid || !f.merged) return 'engine';
      root = sameRoot(f);
      this.roots.set(container, root);
      if (!root) return 'engine';
    }
    try {
      // still mounted (a stopped container's folder is an empty one, not its root: the engine answers
      // for it); removed or recreated (a reset): found again on the next look
      const st = statSync(root.dir);
      if (st.dev !== root.dev || st.ino !== root.ino) throw new Error('not mounted');
    } catch {
      this.roots.delete(container);
      return 'engine';
    }
    return statIn(root.dir, root.mounts, path);
  }
}

function sameRoot(f: ContainerFs): { dir: string; dev: number; ino: number; mounts: Set<string> } | null {
  try {
    const a = statSync(f.merged!);
    const b = statSync(`/proc/${f.pid}/root`);
    const mounts = new Set([...ALWAYS_MOUNTED, ...f.mounts].map((m) => posix.normalize(`/${m}`)));
    return a.dev === b.dev && a.ino === b.ino ? { dir: f.merged!, dev: a.dev, ino: a.ino, mounts } : null;
  } catch {
    return null;
  }
}

/** `path` (absolute in the container) resolved under `root` as the archive API does, then lstat'ed */
export function statIn(root: string, mounts: Set<string>, path: string): PathStat | undefined | 'engine' {
  // a trailing slash or dot asks for what a link points to: the engine says
  if (/\/\.?$/.test(path) && path !== '/') return 'engine';
  const abs = posix.normalize(`/${path}`);
  const base = posix.basename(abs);
  const dir = resolveInScope(root, mounts, posix.dirname(abs));
  if (dir === undefined) return undefined;
  if (dir === 'engine') return 'engine';
  if (base && mounts.has(posix.join('/', dir.inContainer, base))) return 'engine';
  const host = base ? `${dir.host}/${base}` : dir.host;
  let st;
  try {
    st = lstatSync(host, { bigint: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'ENOENT' ? undefined : 'engine';
  }
  const m = Number(st.mode);
  let mode = m & 0o777;
  if (m & 0o4000) mode += GO_SETUID;
  if (m & 0o2000) mode += GO_SETGID;
  if (m & 0o1000) mode += GO_STICKY;
  if (st.isDirectory()) mode += GO.dir;
  else if (st.isSymbolicLink()) mode += GO.symlink;
  else if (st.isFIFO()) mode += GO.pipe;
  else if (st.isSocket()) mode += GO.socket;
  else if (st.isCharacterDevice()) mode += GO.device + GO.char;
  else if (st.isBlockDevice()) mode += GO.device;
  return {
    name: base || '/',
    size: Number(st.size),
    mode,
    dir: st.isDirectory(),
    // to the nanosecond, as the engine's: a signature compares it only with itself
    mtime: `${st.mtimeNs}`,
    linkTarget: st.isSymbolicLink() ? readlinkSync(host) : '',
  };
}

/**
 * The host folder for the container's folder `dir`, its symbolic links followed inside `root`
 * (an absolute link starts again at the container's root, `..` never leaves it); undefined when a
 * component does not exist.
 */
function resolveInScope(
  root: string,
  mounts: Set<string>,
  dir: string,
): { host: string; inContainer: string } | undefined | 'engine' {
  const queue = dir.split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (queue.length) {
    const c = queue.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      done.pop();
      continue;
    }
    // something is mounted there in the container: not what the root folder holds
    if (mounts.has(`/${[...done, c].join('/')}`)) return 'engine';
    const host = [root, ...done, c].join('/');
    let st;
    try {
      st = lstatSync(host);
    } catch (err) {
      const code = (err as { code?: string }).code;
      return code === 'ENOENT' ? undefined : 'engine';
    }
    if (st.isSymbolicLink()) {
      // as the kernel: at most 40 links on one path
      if (++links > 40) return 'engine';
      const target = readlinkSync(host);
      if (target.startsWith('/')) done.length = 0;
      queue.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(c);
  }
  return { host: [root, ...done].join('/'), inContainer: `/${done.join('/')}` };
}
