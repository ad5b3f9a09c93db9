/**
 * Removing a network on the real engine: Docker 20.10 sometimes keeps the endpoint of a container it
 * has already removed ("has active endpoints"), so the driver waits, then force-disconnects the
 * endpoints whose container is gone and removes the network. This test holds the other side of that
 * rule: an endpoint of a live container is never dropped — the removal still fails with the engine's
 * reason, and the container keeps its network. (A stale endpoint cannot be made on demand.)
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { baseTag, type Engine } from '../../orchestrator/index.js';
import { engineWithImages } from '../helpers/range.js';

const NET = 'enshu-test-netrm';
const CTR = 'enshu-test-netrm-c';
let engine: Engine;

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const cleanup = () => {
  for (const args of [
    ['rm', '-f', CTR],
    ['network', 'rm', NET],
  ])
    try {
      docker(...args);
    } catch {
      // already gone
    }
};

beforeAll(async () => {
  engine = await engineWithImages([]);
  cleanup();
  docker('network', 'create', '--internal', '--label', 'enshu.test=netrm', NET);
  docker('run', '-d', '--name', CTR, '--network', NET, '--entrypoint', 'sleep', baseTag(), '300');
}, 600_000);

afterAll(cleanup);

test("a network with a live container's endpoint is not forced: removal fails and the container stays on it", async () => {
  await assert.rejects(engine.networks.remove(NET), /has active endpoints/);
  assert.equal(docker('inspect', '-f', '{{.State.Running}}', CTR), 'true');
  assert.match(docker('inspect', '-f', '{{json .NetworkSettings.Networks}}', CTR), new RegExp(NET));
  // once the container is gone, the network goes
  docker('rm', '-f', CTR);
  await engine.networks.remove(NET);
  assert.equal(docker('network', 'ls', '-q', '--filter', `name=^${NET}$`), '');
}, 60_000);
