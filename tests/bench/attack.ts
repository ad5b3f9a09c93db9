/**
 * Attacker timing benchmark (not a test): N teams of the full cyder-standard range run scenario (1)
 * at once, each on its own runner, at ×1 by default. For every step it records when the step was due
 * on the team's scenario clock and when its action really started, and prints the timing error
 * (p50/p99/max) plus the CPU the attack engine (this process) and the Docker engine used.
 *   npm run bench:attack [-- --teams 8 --speed 1 --scenario a-phishing-c2-exfil
 *                           --exercise benchatk --seed bench-attack]
 */
import { cpus } from 'node:os';
import { AttackRunner, loadScenario, MemorySink } from '../../attacker/index.js';
import { connectEngine, ensureImages, loadTopologyById, RangeManager } from '../../orchestrator/index.js';
import { teamId } from '../../core/index.js';
import { processCpuSeconds } from './cgroup-profile.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const teams = Number(opt('teams', '8'));
const speed = Number(opt('speed', '1'));
const scenarioId = opt('scenario', 'a-phishing-c2-exfil');
// an exercise left up by bench:provision can be reused: `--exercise bench --seed bench`
const EX = opt('exercise', 'benchatk');
const SEED = opt('seed', 'bench-attack');

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

async function main(): Promise<void> {
  const engine = await connectEngine();
  const topology = loadTopologyById('cyder-standard');
  await ensureImages(engine, { roles: [...new Set(topology.nodes.map((n) => n.role))] });
  const ranges = new RangeManager(engine);
  if (!args.includes('--exercise')) await ranges.down({ exercise: EX }); // a named exercise is adopted as it stands
  const t0 = Date.now();
  await ranges.up({ exercise: EX, topology, teams, seed: SEED });
  console.error(`${teams} team(s) of cyder-standard healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const scenario = loadScenario(scenarioId);
  const sink = new MemorySink();
  const runners = Array.from(
    { length: teams },
    (_, i) => new AttackRunner({ engine, exercise: EX, team: teamId(i + 1), scenario, seed: SEED, sink, speed }),
  );
  const engineNames = ['dockerd', 'containerd', 'runc']; // comm is cut at 15 chars: shims match 'containerd'
  const cpu0 = process.cpuUsage();
  const dock0 = processCpuSeconds(engineNames);
  const wall0 = Date.now();
  const startedAt = new Map<string, number>();
  await Promise.all(
    runners.map(async (r) => {
      await r.start();
      startedAt.set(r.team, Date.now());
    }),
  );
  const progress = setInterval(() => {
    const done = runners.reduce(
      (a, r) => a + r.state().steps.filter((s) => !['pending', 'waiting', 'running'].includes(s.status)).length,
      0,
    );
    const total = runners.reduce((a, r) => a + r.state().steps.length, 0);
    console.error(`  ${((Date.now() - wall0) / 1000).toFixed(0)} s: ${done}/${total} steps resolved`);
  }, 60_000);
  await Promise.all(runners.map((r) => r.done()));
  clearInterval(progress);
  const wall = (Date.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const dock = processCpuSeconds(engineNames) - dock0;

  // error = when the action really started on the team's clock − when the scheduler had it due
  const errors: number[] = [];
  const drift: number[] = [];
  const outcomes = new Map<string, number>();
  for (const r of runners) {
    const start = startedAt.get(r.team)!;
    for (const s of r.state().steps) {
      outcomes.set(s.status, (outcomes.get(s.status) ?? 0) + 1);
      if (!s.startedAt || s.dueAt === undefined) continue;
      const at = ((Date.parse(s.startedAt) - start) / 1000) * speed;
      errors.push(Math.abs(at - s.dueAt) / speed);
      drift.push(Math.abs(at - s.plannedOffset) / speed);
    }
  }
  await Promise.all(runners.map((r) => r.stop()));
  await ranges.down({ exercise: EX });

  const f = (x: number) => (x * 1000).toFixed(0);
  console.log(`\n## Attacker timing: ${teams} teams × ${scenarioId} at ×${speed} (${cpus().length} cores)\n`);
  console.log(
    `| steps timed | outcomes | due → start p50 / p99 / max (ms) | start vs dry-run plan p50 / p99 (s) | attack engine CPU | Docker engine CPU | wall |`,
  );
  console.log(`|---|---|---|---|---|---|---|`);
  console.log(
    `| ${errors.length} | ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')} | ${f(pct(errors, 50))} / ${f(pct(errors, 99))} / ${f(Math.max(...errors))} | ${pct(drift, 50).toFixed(1)} / ${pct(drift, 99).toFixed(1)} | ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${(((cpu.user + cpu.system) / 1e6 / wall) * 100).toFixed(1)} % of a core) | ${dock.toFixed(1)} s (${((dock / wall) * 100).toFixed(1)} %) | ${(wall / 60).toFixed(1)} min |`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
