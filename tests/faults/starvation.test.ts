/**
 * One team cannot starve the others: a fork bomb and a memory hog in team 1's PC stop at the
 * node's own pids and memory limits, while team 2's web server still answers through its FW and an
 * exercise server on this machine still answers its health check.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../core/index.js';
import { loadTopology, type Engine, type ExerciseStatus, type RangeManager } from '../../orchestrator/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';
import { startServer, type Running } from '../server/helpers.js';
import { until } from '../helpers/until.js';

const EXERCISE = 'faults-starve';
const topology = loadTopology(join(repoRoot, 'tests', 'faults', 'fault-test.yaml'));
let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let server: Running;

const c = (team: string, node: string) => `enshu-${EXERCISE}-${team}-${node}`;
const ip = (team: string, node: string) =>
  status.teams.find((t) => t.team === team)!.nodes.find((n) => n.node === node)!.ips[`enshu-${EXERCISE}-${team}-dmz`]!;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges, status } = await freshRange(engine, EXERCISE, topology, 2));
  server = await startServer({ dataDir: mkdtempSync(join(tmpdir(), 'enshu-starve-')), engine });
}, 900_000);

afterAll(async () => {
  await server?.server.close();
  await ranges?.down({ exercise: EXERCISE });
}, 300_000);

/** Team 2's service and the exercise server, asked while team 1's node is under attack from inside. */
async function othersAnswer(): Promise<{ webMs: number; healthMs: number }> {
  let t = Date.now();
  const web = await sh(
    engine,
    c('t02', 'pc1'),
    `curl -fsS -m 20 -o /dev/null -w '%{http_code}' http://${ip('t02', 'web')}/`,
  );
  const webMs = Date.now() - t;
  assert.equal(web.stdout, '200', web.stderr);
  t = Date.now();
  const health = await server.api('GET', '/api/health');
  const healthMs = Date.now() - t;
  assert.equal(health.status, 200, health.text);
  return { webMs, healthMs };
}

test('every node runs with pids, memory and CPU limits', async () => {
  const info = await engine.containers.limits(c('t01', 'pc1'));
  assert.deepEqual(info, { memoryBytes: 256 * 1024 * 1024, pids: 512, cpus: 1 });
}, 60_000);

test('a fork bomb in team 1 stops at its pids limit; team 2 and the server still answer', async () => {
  // Bounded: every copy gives up after 90 s, so the node recovers by itself even without a reset.
  await engine.exec.run(
    c('t01', 'pc1'),
    [
      'sh',
      '-c',
      'end=$(( $(date +%s) + 90 )); b() { while [ $(date +%s) -lt $end ]; do b & done; }; b >/dev/null 2>&1 &',
    ],
    { timeoutMs: 20_000 },
  );
  try {
    // how fast the bomb fills the node depends on the machine's load: wait for it, not a fixed time
    const pids = await until(
      'the bomb to reach the pids limit',
      async () => {
        const n = (await engine.containers.stats(c('t01', 'pc1'))).pids;
        return n !== undefined && n >= 400 ? n : undefined;
      },
      60_000,
    );
    assert.ok(pids <= 512, `pids in the bombed node: ${pids}`);
    const during = await othersAnswer();
    console.log(
      `fork bomb: ${pids} pids in t01/pc1; team 2 web ${during.webMs} ms, server health ${during.healthMs} ms`,
    );
  } finally {
    // the next test needs a node without the bomb, whatever happened here
    await ranges.reset({ exercise: EXERCISE, team: 't01', node: 'pc1' });
  }
}, 600_000);

test('a memory hog in team 1 is killed inside its node; team 2 and the server still answer', async () => {
  // tail keeps a line until its end: an endless line of zeros grows without bound.
  const hog = engine.exec.run(
    c('t01', 'pc1'),
    ['sh', '-c', 'head -c 4G /dev/zero | tail -n 1 >/dev/null; echo exit=$?'],
    {
      timeoutMs: 300_000,
    },
  );
  const during = await othersAnswer();
  const r = await hog;
  assert.match(r.stdout, /exit=(137|1)\b/, `the hog ended by the OOM killer: ${r.stdout} ${r.stderr}`);
  const after = await othersAnswer();
  const mem = (await engine.containers.stats(c('t01', 'pc1'))).memoryBytes;
  assert.ok(mem <= 256 * 1024 * 1024, `memory of t01/pc1 within its limit: ${mem}`);
  // the node itself is still up: the OOM killer took the hog, not the node
  assert.equal((await engine.containers.inspect(c('t01', 'pc1')))?.state, 'running');
  console.log(
    `memory hog: team 2 web ${during.webMs}/${after.webMs} ms, server health ${during.healthMs}/${after.healthMs} ms`,
  );
}, 600_000);
