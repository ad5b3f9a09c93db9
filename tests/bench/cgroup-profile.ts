/**
 * What a range costs, read from the counters the kernel keeps: each container's cgroup CPU time
 * and memory (through the engine's stats, one-shot) and the CPU of the Docker engine's own
 * processes (dockerd, containerd and its shims, runc) from /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';
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
 * The daemons' reaped children count too: dockerd's iptables and the shims' start-up processes
 * containerd runs. A shim's reaped children do not: they are the container's own processes (whose CPU
 * is already in the container's cgroup) mixed with runc's, so runc's short runs are left out.
 */
export const engineCpuSeconds = () => processCpuSeconds(ENGINE_PROCESSES, ['dockerd', 'containerd']);

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
