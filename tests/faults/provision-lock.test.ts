/**
 * One provisioning at a time per engine: two `enshu up` processes started together both succeed
 * and get address slots that do not overlap (they used to pick the same slot; the second failed
 * with "Pool overlaps").
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../core/index.js';
import { RangeManager, type Engine } from '../../orchestrator/index.js';
import { engineWithImages } from '../helpers/range.js';

const topology = join(repoRoot, 'tests', 'faults', 'fault-test.yaml');
const EXERCISES = ['faults-lock-a', 'faults-lock-b'];
let engine: Engine;
let ranges: RangeManager;

function up(exercise: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'enshu.mjs'),
        'up',
        '--course',
        'A',
        '--teams',
        '2',
        '--exercise',
        exercise,
        '--topology',
        topology,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ranges = new RangeManager(engine);
  for (const e of EXERCISES) await ranges.down({ exercise: e });
}, 900_000);

afterAll(async () => {
  for (const e of EXERCISES) await ranges?.down({ exercise: e });
}, 300_000);

test('two `up`s started at once both succeed on distinct address slots', async () => {
  const results = await Promise.all(EXERCISES.map(up));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const subnets = (await ranges.status())
    .filter((s) => EXERCISES.includes(s.exercise))
    .flatMap((s) => s.teams.flatMap((t) => t.networks.map((n) => n.subnet)));
  assert.equal(subnets.length, 2 * 2 * 2);
  assert.equal(new Set(subnets).size, subnets.length, `subnets overlap: ${subnets.join(' ')}`);
  // the lock is released once both are done
  assert.equal(await engine.containers.inspect('enshu-provision-lock'), undefined);
}, 600_000);
