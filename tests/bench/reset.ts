/**
 * Reset benchmark (not a test): brings `--teams` teams up once (or adopts them with `--reuse`), then
 * resets nodes and whole teams of team t01 `--repeat` times each with the other teams up, and says
 * where each reset's time went, from the engine calls the reset made (timestamps taken around each
 * call of the `Engine` interface) and its progress events:
 *   remove   first removal asked → last removal done (the old containers)
 *   create   first create asked → last create done
 *   start    first start asked → last start done
 *   healthy  last start done → last node healthy
 * Spans overlap when the reset overlaps the steps.
 *   npm run bench:reset [-- --teams 2 --exercise benchreset --nodes ad,file --repeat 3 --reuse --keep --json]
 */
import { engineCpuSeconds, machineCpuSeconds } from './cgroup-profile.js';
import { connectEngine, ensureImages, loadTopologyById, RangeManager, type Engine } from '../../orchestrator/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const flag = (name: string) => args.includes(`--${name}`);
const EX = opt('exercise', 'benchreset');
const teams = Number(opt('teams', '2'));
const repeat = Number(opt('repeat', '3'));
const nodes = opt('nodes', 'ad,file')
  .split(',')
  .filter((n) => n);
const topologyId = opt('topology', 'cyder-standard');

interface Call {
  op: string;
  start: number;
  end: number;
}

/** The engine with every container call timed into `calls`. */
function timed(engine: Engine, calls: Call[]): Engine {
  const wrap = <T extends object>(obj: T, prefix: string): T =>
    new Proxy(obj, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...a: unknown[]) => {
          const start = Date.now();
          const r = (v as (...x: unknown[]) => unknown).apply(target, a);
          if (r instanceof Promise)
            return r.finally(() => calls.push({ op: `${prefix}.${String(prop)}`, start, end: Date.now() }));
          return r;
        };
      },
    });
  return new Proxy(engine, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop === 'containers') return wrap(v as object, 'containers');
      if (prop === 'exec') return wrap(v as object, 'exec');
      return v;
    },
  });
}

function span(calls: Call[], op: string, t0: number): { from: number; to: number } | undefined {
  const c = calls.filter((x) => x.op === op);
  if (!c.length) return undefined;
  return { from: (Math.min(...c.map((x) => x.start)) - t0) / 1000, to: (Math.max(...c.map((x) => x.end)) - t0) / 1000 };
}

async function main() {
  const raw = await connectEngine();
  const topology = loadTopologyById(topologyId);
  await ensureImages(raw, { roles: [...new Set(topology.nodes.map((n) => n.role))] });
  const calls: Call[] = [];
  const engine = timed(raw, calls);
  const ranges = new RangeManager(engine);
  if (!flag('reuse')) {
    await ranges.down({ exercise: EX });
    const u0 = Date.now();
    await ranges.up({ exercise: EX, topology, teams });
    console.log(`${teams} team(s) up in ${((Date.now() - u0) / 1000).toFixed(1)} s`);
  }
  const rows: Record<string, unknown>[] = [];
  const targets = [...nodes.map((n) => n as string | undefined), undefined];
  for (let i = 0; i < repeat; i++) {
    for (const node of targets) {
      calls.length = 0;
      let lastHealthy = 0;
      const healthyAt = new Map<string, number>();
      const m0 = machineCpuSeconds();
      const e0 = engineCpuSeconds();
      const t0 = Date.now();
      await ranges.reset({
        exercise: EX,
        team: 't01',
        ...(node ? { node } : {}),
        onProgress: (p) => {
          if (p.step === 'health' && p.status === 'done') {
            lastHealthy = Date.now();
            healthyAt.set(p.node!, lastHealthy);
          }
        },
      });
      const total = (Date.now() - t0) / 1000;
      const machineCpu = machineCpuSeconds() - m0;
      const engineCpu = engineCpuSeconds() - e0;
      const s = (op: string) => span(calls, op, t0);
      const start = s('containers.start');
      const row = {
        what: node ?? 'team t01',
        total,
        machineCpu,
        engineCpu,
        remove: s('containers.remove'),
        create: s('containers.create'),
        start,
        healthy: start ? (lastHealthy - t0) / 1000 - start.to : undefined,
        /** the last three nodes to be healthy, seconds from the reset's start */
        last: [...healthyAt]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([n, at]) => `${n} ${((at - t0) / 1000).toFixed(1)}`),
      };
      rows.push(row);
      const f = (x?: { from: number; to: number }) => (x ? `${x.from.toFixed(2)}–${x.to.toFixed(2)}` : '–');
      if (!flag('json'))
        console.log(
          `${row.what.padEnd(9)} ${total.toFixed(2)} s | cpu ${machineCpu.toFixed(1)} (engine ${engineCpu.toFixed(1)}) | remove ${f(row.remove)} | create ${f(row.create)} | start ${f(row.start)} | healthy +${row.healthy?.toFixed(2) ?? '–'}${node ? '' : ` | last: ${row.last.join(', ')}`}`,
        );
    }
  }
  if (flag('json')) console.log(JSON.stringify(rows, null, 2));
  if (!flag('keep')) await ranges.down({ exercise: EX });
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
