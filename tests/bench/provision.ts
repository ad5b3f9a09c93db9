/**
 * Provisioning benchmark (not a test): brings up 1, 4 and 8 teams from warm images with enshu and,
 * in the same run, the same ranges with docker-compose from generated compose files; prints
 * seconds to all-healthy, memory per team and the ratio as a Markdown table.
 *   npm run bench:provision [-- --teams 1,4,8 --topology cyder-standard]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir, cpus, totalmem } from 'node:os';
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
import { LABEL, mapLimit, teamId } from '../../core/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const teamCounts = opt('teams', '1,4,8').split(',').map(Number);
const topologyId = opt('topology', 'cyder-standard');
const EX = 'bench';

async function memoryOf(engine: Engine, filter: Record<string, string>): Promise<number> {
  const cs = await engine.containers.list(filter);
  const mem = await mapLimit(cs, 8, async (c) => (await engine.containers.stats(c.id)).memoryBytes);
  return mem.reduce((a, b) => a + b, 0);
}

async function viaEnshu(engine: Engine, topology: Topology, teams: number) {
  const ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const t0 = performance.now();
  await ranges.up({ exercise: EX, topology, teams });
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const mem = await memoryOf(engine, { [LABEL.exercise]: EX });
  await ranges.down({ exercise: EX });
  return { seconds, memPerTeam: mem / teams };
}

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
  const compose = (...a: string[]) =>
    spawnSync('docker-compose', ['-f', file, '-p', 'enshubench', ...a], { encoding: 'utf8' });
  compose('down', '-v', '--remove-orphans');
  const t0 = performance.now();
  const up = compose('up', '-d');
  if (up.status !== 0) throw new Error(`docker-compose up failed: ${up.stderr}`);
  // Same readiness rule as enshu: every node's health command passes.
  const nodes = plans.flatMap((p) => p.nodes.map((n) => ({ p, n })));
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
  compose('down', '-v', '--remove-orphans');
  return { seconds };
}

const engine = await connectEngine();
const topology = topologyId.endsWith('.yaml') ? loadTopology(topologyId) : loadTopologyById(topologyId);
const tb = performance.now();
await ensureImages(engine, { roles: [...new Set(topology.nodes.map((n) => n.role))] });
const warm = (performance.now() - tb) / 1000;
const info = await engine.info();
const rows: string[] = [];
for (const teams of teamCounts) {
  const e = await viaEnshu(engine, topology, teams);
  const c = await viaCompose(engine, topology, teams);
  const row = `| ${teams} | ${topology.nodes.length * teams} | ${e.seconds.toFixed(1)} | ${(e.memPerTeam / 2 ** 20).toFixed(0)} MiB | ${c.seconds.toFixed(1)} | ${(c.seconds / e.seconds).toFixed(2)}× |`;
  rows.push(row);
  process.stderr.write(`${row}\n`);
}
console.log(`Topology \`${topology.id}\` (${topology.nodes.length} nodes/team), engine ${info.serverVersion}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; image check with warm images ${warm.toFixed(1)}s.

| teams | containers | enshu: s to all healthy | memory / team | docker-compose: s to all healthy | compose ÷ enshu |
|---|---|---|---|---|---|
${rows.join('\n')}`);
process.exit(0);
