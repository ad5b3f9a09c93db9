/**
 * What a range costs, read from the counters the kernel keeps: each container's cgroup CPU time
 * and memory (through the engine's stats, one-shot) and the CPU of the Docker engine (dockerd,
 * containerd, its shims, the OCI runtime's runs) from the engine's own cgroup or from /proc.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mapLimit } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';

const TICKS = 100; // USER_HZ on Linux

/**
 * CPU seconds (user + system) so far of the processes whose command name starts with one of `names`;
 * for those named in `withChildren`, also what their children used that they reaped.
 */
export function processCpuSeconds(names: string[], withChildren: string[] = []): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!names.some((n) => comm.startsWith(n))) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / TICKS; // utime, stime
      if (withChildren.includes(comm)) total += (Number(f[13]) + Number(f[14])) / TICKS; // cutime, cstime
    } catch {
      /* the process ended */
    }
  }
  return total;
}

/** comm is cut at 15 characters: the shims match 'containerd' */
export const ENGINE_PROCESSES = ['dockerd', 'containerd', 'runc', 'docker-proxy'];

/**
 * The engine's CPU seconds so far. When dockerd runs in a CPU-accounting cgroup of its own (the engine
 * scripts/engine.sh starts does), the cgroup's counter: every process the engine starts counts, the
 * short ones too (runtime runs, dockerd's network hooks, iptables), and the containers' processes
 * do not (the runtime moves them to their own cgroups). Otherwise, from /proc: the engine's processes
 * alive now plus what dockerd and containerd reaped; a shim's reaped children are left out there
 * (the container's own processes, whose CPU is already the container's, mixed with the runtime's runs).
 */
export function engineCpuSeconds(): number {
  const counter = engineCgroupCounter();
  if (counter) return counter();
  return processCpuSeconds(ENGINE_PROCESSES, ['dockerd', 'containerd']);
}

/** How the engine's CPU is read: `cgroup` (the engine's own cgroup) or `processes` (from /proc). */
export const engineCpuSource = (): 'cgroup' | 'processes' => (engineCgroupCounter() ? 'cgroup' : 'processes');

function engineCgroupCounter(): (() => number) | undefined {
  const pid = readdirSync('/proc').find((n) => {
    if (!/^\d+$/.test(n)) return false;
    try {
      return readFileSync(`/proc/${n}/comm`, 'utf8').trim() === 'dockerd';
    } catch {
      return false;
    }
  });
  if (!pid) return undefined;
  let lines: string[];
  try {
    lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  // v1: "2:cpuacct:/enshu-engine" (or "cpu,cpuacct"); v2: "0::/enshu-engine"
  const v1 = lines.map((l) => l.split(':')).find(([, ctl]) => ctl?.split(',').includes('cpuacct'));
  if (v1) {
    const path = v1.slice(2).join(':');
    const file = `/sys/fs/cgroup/cpuacct${path}/cpuacct.usage`;
    if (path === '/' || !existsSync(file)) return undefined;
    return () => Number(readFileSync(file, 'utf8')) / 1e9;
  }
  const v2 = lines.find((l) => l.startsWith('0::'))?.slice(3);
  const file = `/sys/fs/cgroup${v2}/cpu.stat`;
  if (!v2 || v2 === '/' || !existsSync(file)) return undefined;
  return () => Number(/usage_usec (\d+)/.exec(readFileSync(file, 'utf8'))?.[1] ?? NaN) / 1e6;
}

/** Whole-machine CPU seconds (all cores, busy time) from /proc/stat. */
export function machineCpuSeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / TICKS;
}

export interface ContainerSample {
  name: string;
  cpuSeconds: number;
  memoryBytes: number;
}

/** CPU since start and memory (no page cache) of each named container, now. */
export async function sampleContainers(engine: Engine, names: string[]): Promise<Map<string, ContainerSample>> {
  const out = new Map<string, ContainerSample>();
  await mapLimit(names, 8, async (name) => {
    const s = await engine.containers.stats(name);
    out.set(name, { name, cpuSeconds: s.cpuSeconds ?? NaN, memoryBytes: s.memoryBytes });
  });
  return out;
}

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
