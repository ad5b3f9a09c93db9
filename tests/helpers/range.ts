/** Shared set-up for integration tests on the real engine. */
import { connectEngine, ensureImages, RangeManager, type Engine, type Topology } from '../../orchestrator/index.js';

export async function engineWithImages(roles: string[]): Promise<Engine> {
  const engine = await connectEngine();
  await ensureImages(engine, { roles });
  return engine;
}

export async function sh(engine: Engine, container: string, script: string, timeoutMs = 60_000) {
  return engine.exec.run(container, ['sh', '-c', script], { timeoutMs });
}

/** Brings a fresh range up for a test file, removing leftovers of an earlier run first. */
export async function freshRange(engine: Engine, exercise: string, topology: Topology, teams: number) {
  const ranges = new RangeManager(engine);
  await ranges.down({ exercise });
  const status = await ranges.up({ exercise, topology, teams });
  return { ranges, status };
}
