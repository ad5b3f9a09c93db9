/**
 * The provisioning benchmark's report: Markdown tables (per role, per team, enshu against
 * docker-compose) and the generated section of docs/performance.md they replace.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../core/index.js';
import type { Engine } from '../../orchestrator/index.js';
import { engineCpuSource, median, sum } from './cgroup-profile.js';

export interface NodeProfile {
  team: string;
  node: string;
  role: string;
  /** seconds from the start of `up` until the container was running */
  startedS: number;
  /** seconds enshu-init took in the node (routes, accounts, role hooks) before its services started */
  initS: number;
  /** seconds from the start of `up` until the node's health command passed */
  healthyS: number;
  /** CPU-seconds the container's cgroup used from its start until it was healthy */
  bootCpuS: number;
  idleCpuSPerMin: number;
  memoryMiB: number;
}

export interface RunResult {
  teams: number;
  containers: number;
  enshu: {
    seconds: number;
    firstTeamS: number;
    engineBootCpuS: number;
    machineBootCpuS: number;
    engineIdleCpuSPerMin: number;
    machineIdleCpuSPerMin: number;
    nodes: NodeProfile[];
    resetNode: string;
    resetNodeS: number;
    resetTeamS: number;
  };
  compose?: { seconds: number; containerBootCpuS: number; engineBootCpuS: number; machineBootCpuS: number };
}

export interface Machine {
  cores: number;
  memoryGiB: number;
  kernel: string;
  docker: string;
  /** the engine's default OCI runtime */
  runtime: string;
  /** where the engine's CPU was read: its own cgroup, or its processes in /proc */
  engineCpu: 'cgroup' | 'processes';
  loadAtStart: number[];
}

export interface Report {
  topology: string;
  nodesPerTeam: number;
  idleSeconds: number;
  warmImagesS: number;
  machine: Machine;
  at: string;
  runs: RunResult[];
}

export async function machine(engine: Engine): Promise<Machine> {
  const info = await engine.info();
  return {
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    docker: info.serverVersion,
    runtime: info.defaultRuntime,
    engineCpu: engineCpuSource(),
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');

interface RoleRow {
  role: string;
  perTeam: number;
  bootCpuS: number;
  toHealthyS: number;
  initS: number;
  servicesS: number;
  idle: number;
  mem: number;
}

function roleRows(run: RunResult): RoleRow[] {
  const byRole = new Map<string, NodeProfile[]>();
  for (const n of run.enshu.nodes) byRole.set(n.role, [...(byRole.get(n.role) ?? []), n]);
  return [...byRole.entries()]
    .map(([role, ns]) => ({
      role,
      perTeam: ns.length / run.teams,
      bootCpuS: median(ns.map((n) => n.bootCpuS)),
      toHealthyS: median(ns.map((n) => n.healthyS - n.startedS)),
      initS: median(ns.map((n) => n.initS)),
      servicesS: median(ns.map((n) => n.healthyS - n.startedS - n.initS)),
      idle: median(ns.map((n) => n.idleCpuSPerMin)),
      mem: median(ns.map((n) => n.memoryMiB)),
    }))
    .sort((a, b) => b.bootCpuS * b.perTeam - a.bootCpuS * a.perTeam);
}

function teamTotals(run: RunResult) {
  const n = run.enshu.nodes;
  const containersBoot = sum(n.map((x) => x.bootCpuS)) / run.teams;
  const containersIdle = sum(n.map((x) => x.idleCpuSPerMin)) / run.teams;
  return {
    containersBoot,
    engineBoot: run.enshu.engineBootCpuS / run.teams,
    machineBoot: run.enshu.machineBootCpuS / run.teams,
    containersIdle,
    engineIdle: run.enshu.engineIdleCpuSPerMin / run.teams,
    machineIdle: run.enshu.machineIdleCpuSPerMin / run.teams,
    mem: sum(n.map((x) => x.memoryMiB)) / run.teams,
  };
}

export function renderMarkdown(r: Report): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(
    `Measured ${r.at.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:provision -- --teams ${r.runs.map((x) => x.teams).join(',')}\`: ` +
      `topology \`${r.topology}\` (${r.nodesPerTeam} nodes a team), ${m.cores} cores, ${m.memoryGiB} GiB, ` +
      `Docker ${m.docker} (runtime ${m.runtime}; engine CPU read from ${m.engineCpu === 'cgroup' ? 'its own cgroup' : 'its processes'}), kernel ${m.kernel}; load average at start ${m.loadAtStart.join(' / ')}; ` +
      `image check with warm images ${f1(r.warmImagesS)} s; idle measured over ${r.idleSeconds} s.`,
    '',
    '| teams | containers | enshu: s to all healthy | first team ready | boot CPU-s / team (containers + engine) | machine CPU-s / team while booting | idle CPU-s a minute / team (containers + engine) | memory / team | reset one node | reset one team | docker-compose: s to all healthy | compose ÷ enshu |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const run of r.runs) {
    const t = teamTotals(run);
    const c = run.compose;
    out.push(
      `| ${run.teams} | ${run.containers} | ${f1(run.enshu.seconds)} | ${f1(run.enshu.firstTeamS)} s | ` +
        `${f1(t.containersBoot + t.engineBoot)} (${f1(t.containersBoot)} + ${f1(t.engineBoot)}) | ${f1(t.machineBoot)} | ` +
        `${f2(t.containersIdle + t.engineIdle)} (${f2(t.containersIdle)} + ${f2(t.engineIdle)}) | ${t.mem.toFixed(0)} MiB | ` +
        `${f1(run.enshu.resetNodeS)} s (${run.enshu.resetNode}) | ${f1(run.enshu.resetTeamS)} s | ` +
        `${c ? f1(c.seconds) : 'not run'} | ${c ? `${(c.seconds / run.enshu.seconds).toFixed(2)}×` : '–'} |`,
    );
  }
  for (const run of r.runs) {
    const rows = roleRows(run);
    const t = teamTotals(run);
    const bootAll = t.containersBoot + t.engineBoot;
    out.push(
      '',
      `**Per role, ${run.teams} team(s)** (medians over the role's nodes; "to healthy" is from the container's start, ` +
        `split into enshu-init — routes, accounts, role hooks — and the services until the health command passes):`,
      '',
      '| role | nodes / team | boot CPU-s | share of team boot CPU | to healthy s | of it init s | of it services s | idle CPU-s a minute | memory MiB |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const x of rows)
      out.push(
        `| ${x.role} | ${x.perTeam} | ${f2(x.bootCpuS)} | ${((100 * x.bootCpuS * x.perTeam) / bootAll).toFixed(0)} % | ` +
          `${f1(x.toHealthyS)} | ${f1(x.initS)} | ${f1(x.servicesS)} | ${f2(x.idle)} | ${x.mem.toFixed(0)} |`,
      );
    out.push(
      `| Docker engine (dockerd, containerd, shims, runtime) | – | ${f2(t.engineBoot)} | ${((100 * t.engineBoot) / bootAll).toFixed(0)} % | – | – | – | ${f2(t.engineIdle)} | – |`,
    );
  }
  return out.join('\n');
}

const BEGIN = '<!-- bench:provision:begin (generated by tests/bench/provision.ts; do not edit by hand) -->';
const END = '<!-- bench:provision:end -->';

/** Replaces the generated section of docs/performance.md (kept between its markers). */
export function writeDocs(md: string): void {
  const file = join(repoRoot, 'docs', 'performance.md');
  const text = readFileSync(file, 'utf8');
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) throw new Error(`${file} has no generated section (${BEGIN} … ${END})`);
  writeFileSync(file, `${text.slice(0, b + BEGIN.length)}\n${md}\n${text.slice(e)}`);
}
