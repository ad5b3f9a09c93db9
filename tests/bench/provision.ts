/**
 * Provisioning benchmark (not a test). For each team count it brings up the ranges from warm images
 * with enshu and records, per node, from the cgroup counters: boot CPU-seconds (container start to
 * healthy), time to healthy split into phases (queued/created, enshu-init, services), idle CPU-seconds
 * a minute at rest and memory without page cache; then one node and one team are reset with the
 * other teams up; then the same ranges come up with docker-compose from generated compose files, in
 * the same run, to the same readiness rule. Prints Markdown (or `--json`) and, unless `--no-write`,
 * replaces the generated section of docs/performance.md.
 *   npm run bench:provision [-- --teams 1,4,8 --topology cyder-standard --idle 120 --json --no-write --no-compose
 *                            --concurrency N --exercise benchprov --reset-node NODE]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import {
  addressOffset,
  composeProject,
  connectEngine,
  ensureImages,
  loadTopology,
  loadTopologyById,
  planTeam,
  RangeManager,
  roleTag,
  type Engine,
  type Topology,
  healthCommand,
  waitHealthy,
} from '../../orchestrator/index.js';
import { containerName, LABEL, mapLimit, teamId, sleep } from '../../core/index.js';
import { engineCpuSeconds, machineCpuSeconds, sampleContainers } from './cgroup-profile.js';
import { machine, renderMarkdown, writeDocs, type NodeProfile, type RunResult } from './provision-report.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const flag = (name: string) => args.includes(`--${name}`);
const teamCounts = opt('teams', '1,4,8').split(',').map(Number);
const topologyId = opt('topology', 'cyder-standard');
const idleSeconds = Number(opt('idle', '120'));
const EX = opt('exercise', 'benchprov');

/** When `enshu-init` finished (its hooks ran, services start next), on the host's clock. */
async function initDoneAt(engine: Engine, container: string): Promise<number | undefined> {
  const r = await engine.exec
    .run(container, ['sh', '-c', 'date -r /run/enshu-ready +%s.%N'], { timeoutMs: 30_000 })
    .catch(() => undefined);
  const t = Number(r?.stdout.trim());
  return r?.exitCode === 0 && t > 0 ? t * 1000 : undefined;
}

async function viaEnshu(engine: Engine, topology: Topology, teams: number) {
  const ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const roleOf = new Map(topology.nodes.map((n) => [n.name, n.role]));
  const started = new Map<string, number>();
  const healthy = new Map<string, number>();
  const bootCpu = new Map<string, Promise<number>>();
  const teamReady = new Map<string, number>();
  const where = new Map<string, { team: string; node: string }>();
  const e0 = engineCpuSeconds();
  const m0 = machineCpuSeconds();
  const t0 = Date.now();
  await ranges.up({
    exercise: EX,
    topology,
    teams,
    ...(opt('concurrency', '') ? { concurrency: Number(opt('concurrency', '')) } : {}),
    onProgress: (p) => {
      if (!p.team) return;
      if (p.step === 'ready') teamReady.set(p.team, Date.now());
      if (!p.node) return;
      const name = containerName(EX, p.team, p.node);
      where.set(name, { team: p.team, node: p.node });
      if (p.step === 'container' && p.status === 'done') started.set(name, Date.now());
      if (p.step === 'health' && p.status === 'done') {
        healthy.set(name, Date.now());
        // the container's own CPU from its start up to now: what booting it cost
        bootCpu.set(
          name,
          engine.containers.stats(name).then((s) => s.cpuSeconds ?? NaN),
        );
      }
    },
  });
  const seconds = (Date.now() - t0) / 1000;
  const engineBoot = engineCpuSeconds() - e0;
  const machineBoot = machineCpuSeconds() - m0;
  const names = [...healthy.keys()];
  const initAt = new Map<string, number | undefined>();
  await mapLimit(names, 4, async (n) => initAt.set(n, await initDoneAt(engine, n)));

  // At rest: a few seconds for the last start-up work to settle, then `idleSeconds` of nothing.
  await sleep(5000);
  const s0 = await sampleContainers(engine, names);
  const ie0 = engineCpuSeconds();
  const im0 = machineCpuSeconds();
  const i0 = Date.now();
  await sleep(idleSeconds * 1000);
  const s1 = await sampleContainers(engine, names);
  const perMin = 60_000 / (Date.now() - i0);
  const engineIdle = (engineCpuSeconds() - ie0) * perMin;
  const machineIdle = (machineCpuSeconds() - im0) * perMin;

  const nodes: NodeProfile[] = [];
  for (const name of names) {
    const { team, node } = where.get(name)!;
    const st = started.get(name)!;
    const init = initAt.get(name);
    nodes.push({
      team,
      node,
      role: roleOf.get(node) ?? '?',
      startedS: (st - t0) / 1000,
      initS: init !== undefined ? Math.max(0, (init - st) / 1000) : NaN,
      healthyS: (healthy.get(name)! - t0) / 1000,
      bootCpuS: await bootCpu.get(name)!,
      idleCpuSPerMin: (s1.get(name)!.cpuSeconds - s0.get(name)!.cpuSeconds) * perMin,
      memoryMiB: s1.get(name)!.memoryBytes / 2 ** 20,
    });
  }
  const firstTeamS = Math.min(...[...teamReady.values()]) / 1000 - t0 / 1000;

  // Resets with the other teams up: one node (the slowest role to get healthy) and a whole team.
  const slowest = [...nodes]
    .filter((n) => n.team === 't01')
    .sort((a, b) => b.healthyS - b.startedS - (a.healthyS - a.startedS))[0]!;
  const resetNode = opt('reset-node', slowest.node);
  let r0 = Date.now();
  await ranges.reset({ exercise: EX, team: 't01', node: resetNode });
  const resetNodeS = (Date.now() - r0) / 1000;
  r0 = Date.now();
  await ranges.reset({ exercise: EX, team: 't01' });
  const resetTeamS = (Date.now() - r0) / 1000;
  await ranges.down({ exercise: EX });
  return {
    seconds,
    firstTeamS,
    engineBootCpuS: engineBoot,
    machineBootCpuS: machineBoot,
    engineIdleCpuSPerMin: engineIdle,
    machineIdleCpuSPerMin: machineIdle,
    nodes,
    resetNode,
    resetNodeS,
    resetTeamS,
  };
}

/** How long `docker-compose up -d` may take before the run counts it as not finished. */
const COMPOSE_UP_LIMIT_MS = 5 * 60_000;
/**
 * docker-compose 1.29's own bound on operations in flight (its default is 64). With the default it
 * deadlocked for good at 8 teams here (164 threads on a futex, 45 of 144 containers started); with
 * 16 it finishes. Set for every team count so the figures of one run compare.
 */
const COMPOSE_PARALLEL_LIMIT = '16';

async function viaCompose(engine: Engine, topology: Topology, teams: number) {
  const offset = await addressOffset(engine, 'cmpbench', topology, teams);
  const plans = Array.from({ length: teams }, (_, i) => planTeam(topology, 'cmpbench', teamId(i + 1), i + 1 + offset));
  const labelsOf = async (role: string) => (await engine.images.inspect(roleTag(role)))?.labels ?? {};
  const roleLabels = new Map<string, Record<string, string>>();
  for (const r of new Set(topology.nodes.map((n) => n.role))) roleLabels.set(r, await labelsOf(r));
  const file = join(mkdtempSync(join(tmpdir(), 'enshu-compose-')), 'docker-compose.yml');
  writeFileSync(
    file,
    composeProject(plans, roleTag, (r) => roleLabels.get(r) ?? {}),
  );
  // docker-compose 1.29 once hung here for good (a deadlock in its thread pool, 45 of 144 containers
  // started): its `up` gets a bound, and a compose run that does not finish is reported, not waited on
  const compose = (...a: string[]) =>
    spawnSync('docker-compose', ['-f', file, '-p', 'enshubench', ...a], {
      encoding: 'utf8',
      env: { ...process.env, COMPOSE_PARALLEL_LIMIT },
      timeout: COMPOSE_UP_LIMIT_MS,
    });
  compose('down', '-v', '--remove-orphans');
  const nodes = plans.flatMap((p) => p.nodes.map((n) => ({ p, n })));
  const e0 = engineCpuSeconds();
  const m0 = machineCpuSeconds();
  const t0 = performance.now();
  const up = compose('up', '-d');
  if (up.status !== 0) {
    const started = (await engine.containers.list({})).filter((c) => c.name.startsWith('cmp-')).length;
    const why = up.signal
      ? `did not finish within ${COMPOSE_UP_LIMIT_MS / 60_000} min (${started} of ${nodes.length} containers started)`
      : `failed: ${up.stderr.trim().split('\n').pop()}`;
    process.stderr.write(`  docker-compose up ${why}\n`);
    compose('down', '-v', '--remove-orphans');
    return undefined;
  }
  // Same readiness rule as enshu: every node's health command passes.
  await mapLimit(nodes, 16, async ({ p, n }) => {
    const img = await engine.images.inspect(roleTag(n.role));
    await waitHealthy(engine, {
      container: `cmp-${n.containerName}`,
      command: healthCommand(n.health?.command, img?.healthcheck),
      timeoutMs: 300_000,
      what: `compose ${p.team}/${n.name}`,
      context: { exercise: 'cmpbench', team: p.team, node: n.name },
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  const machineBootCpuS = machineCpuSeconds() - m0;
  const engineBootCpuS = engineCpuSeconds() - e0;
  const s = await sampleContainers(
    engine,
    nodes.map(({ n }) => `cmp-${n.containerName}`),
  );
  const containerBootCpuS = [...s.values()].reduce((a, b) => a + b.cpuSeconds, 0);
  compose('down', '-v', '--remove-orphans');
  return { seconds, containerBootCpuS, engineBootCpuS, machineBootCpuS };
}

const engine = await connectEngine();
const topology = topologyId.endsWith('.yaml') ? loadTopology(topologyId) : loadTopologyById(topologyId);
const tb = performance.now();
await ensureImages(engine, { roles: [...new Set(topology.nodes.map((n) => n.role))] });
const warmImagesS = (performance.now() - tb) / 1000;
const runs: RunResult[] = [];
/**
 * Waits (at most 60 s) until the machine is quiet: under a quarter of a core busy over 2 s. The
 * engine and the kernel finish a teardown in the background (network namespaces, mounts), and a run
 * started on top of the previous run's teardown would be charged for it.
 */
async function settle(): Promise<void> {
  const t = Date.now();
  while (Date.now() - t < 60_000) {
    const m0 = machineCpuSeconds();
    await sleep(2000);
    if (machineCpuSeconds() - m0 < 0.5) return;
  }
  process.stderr.write('  (the machine did not get quiet within 60 s; measuring anyway)\n');
}

for (const teams of teamCounts) {
  await settle();
  process.stderr.write(`${teams} team(s): enshu…\n`);
  const e = await viaEnshu(engine, topology, teams);
  process.stderr.write(`  enshu ${e.seconds.toFixed(1)} s; docker-compose…\n`);
  const c = flag('no-compose') ? undefined : await settle().then(() => viaCompose(engine, topology, teams));
  if (c) process.stderr.write(`  docker-compose ${c.seconds.toFixed(1)} s\n`);
  runs.push({ teams, containers: topology.nodes.length * teams, enshu: e, ...(c ? { compose: c } : {}) });
}
const remaining = await engine.containers.list({ [LABEL.exercise]: EX });
if (remaining.length) process.stderr.write(`warning: ${remaining.length} container(s) of ${EX} left\n`);
const report = {
  topology: topology.id,
  nodesPerTeam: topology.nodes.length,
  idleSeconds,
  warmImagesS,
  machine: await machine(engine),
  at: new Date().toISOString(),
  runs,
};
const md = renderMarkdown(report);
if (!flag('no-write')) writeDocs(md);
console.log(flag('json') ? JSON.stringify(report, null, 2) : md);
process.exit(0);
