/**
 * A container's processes read from the kernel, when the engine runs on this very host: the
 * container's cgroup lists its processes (`cgroup.procs`) and /proc has each one's command line.
 * The engine's own process list (container top) runs `ps` over every process of the host, about
 * 8 ms of the engine's CPU each time; the live checker asks for it each second per PC while an
 * implant runs, so this reads the same list for a fraction of a millisecond. Nothing runs in the
 * container either way. Used only when the answer is provably the container's: the container's
 * first process (its pid from the engine) must be in a cgroup named after the container's id, as
 * seen from here (a server in another pid namespace or on another host falls back to the engine).
 */
import { readFileSync, statSync } from 'node:fs';
import type { ContainerProcess } from './types.js';

/** the engine's view of a container: its full id and the host pid of its first process (0: not running) */
export interface ContainerRoot {
  id: string;
  pid: number;
}

export class LocalProcesses {
  /** container → the `cgroup.procs` file that lists its processes; null: not readable from here */
  private readonly where = new Map<string, string | null>();
  private users: Map<number, string> | undefined;

  constructor(private readonly enabled: boolean) {}

  /** the processes as `ps -eo pid,user,args` shows them, or undefined when they cannot be read here */
  async list(
    container: string,
    root: () => Promise<ContainerRoot | undefined>,
  ): Promise<ContainerProcess[] | undefined> {
    if (!this.enabled) return undefined;
    let file = this.where.get(container);
    if (file === null) return undefined;
    if (file === undefined) {
      const r = await root().catch(() => undefined);
      // not running (or unknown): the engine says what it says
      if (!r?.pid) return undefined;
      file = cgroupProcs(r);
      this.where.set(container, file ?? null);
      if (!file) return undefined;
    }
    let pids: number[];
    try {
      pids = readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
    } catch {
      // removed (a reset recreates it under another id): found again on the next look
      this.where.delete(container);
      return undefined;
    }
    // a stopped container: the engine's answer (an error) stands
    if (!pids.length) return undefined;
    const out: ContainerProcess[] = [];
    for (const pid of pids) {
      const p = this.process(pid);
      if (p) out.push(p);
    }
    return out;
  }

  private process(pid: number): ContainerProcess | undefined {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`);
      // /proc/<pid> belongs to the process's effective user
      const uid = statSync(`/proc/${pid}`).uid;
      // as ps prints args: the arguments joined by spaces (control characters too), or [name] without any
      const args = raw.length
        ? raw
            .toString('utf8')
            .replace(/\0+$/, '')
            // eslint-disable-next-line no-control-regex -- ps shows control characters as spaces too
            .replace(/[\0-\x1f\x7f]/g, ' ')
        : `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
      return { pid, user: this.user(uid), command: args };
    } catch {
      // ended between the list and the read
      return undefined;
    }
  }

  private user(uid: number): string {
    if (!Number.isFinite(uid)) return '';
    if (!this.users) {
      this.users = new Map();
      try {
        for (const l of readFileSync('/etc/passwd', 'utf8').split('\n')) {
          const f = l.split(':');
          if (f.length > 2) this.users.set(Number(f[2]), f[0]!);
        }
      } catch {
        /* numbers then */
      }
    }
    return this.users.get(uid) ?? String(uid);
  }
}

/** the `cgroup.procs` of the container's cgroup, if its first process is seen here in a cgroup named after its id */
function cgroupProcs(r: ContainerRoot): string | undefined {
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${r.pid}/cgroup`, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  for (const line of lines) {
    const [, controllers, rel] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (rel === undefined || !/^[0-9a-f]{64}$/.test(r.id) || !rel.includes(r.id)) continue;
    const roots = controllers
      ? [controllers, ...controllers.split(',')].map((c) => `/sys/fs/cgroup/${c.replace(/^name=/, '')}`)
      : ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
    for (const root of roots) {
      const file = `${root}${rel}/cgroup.procs`;
      try {
        // the first process must be listed there (the same pid namespace as the engine's)
        if (readFileSync(file, 'utf8').split('\n').includes(String(r.pid))) return file;
      } catch {
        /* not this hierarchy */
      }
    }
  }
  return undefined;
}
