/**
 * The engine restarts under a running exercise (#18). A private dockerd (tests/helpers/private-engine.ts,
 * its own network namespace; the shared engine is never touched) runs a two-team exercise served by a
 * real exercise server. The engine is stopped (every container exits) and started again; with nobody
 * doing anything the server notices, records range.degraded and range.restored for each team, brings
 * every node back with its host rules, answers 502 (not 500) with what to do while the engine is gone,
 * reports the engine in /api/health, loses no event, and no team's score moves.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RangeManager, baseTag, roleTag, rootfsTag, type Engine } from '../../orchestrator/index.js';
import { accessRouteFactory, scoringPort } from '../../server/index.js';
import type { StoredEvent } from '../../protocol/index.js';
import { ensureImages } from '../../orchestrator/index.js';
import { connectEngine } from '../../orchestrator/index.js';
import { startPrivateEngine, type PrivateEngine } from '../helpers/private-engine.js';
import { ADMIN, startServer, type Running } from '../server/helpers.js';
import { until } from '../helpers/until.js';
import { teardown } from '../helpers/teardown.js';

const EX = 'faults-restart';
let pe: PrivateEngine;
let engine: Engine;
let run: Running;
let admin: string;

/** how long a step of the restart may take on a loaded machine */
const WAIT_MS = 300_000;

const events = (): StoredEvent[] => run.server.store.events.list(EX);
const sh = (container: string, script: string) =>
  engine.exec.run(container, ['sh', '-c', script], { timeoutMs: 30_000 });

beforeAll(async () => {
  // images come from the shared engine (built there if missing), then are copied over
  await ensureImages(await connectEngine(), { roles: ['fw', 'web', 'terminal'] });
  pe = await startPrivateEngine();
  pe.loadImages([rootfsTag(), baseTag(), roleTag('fw'), roleTag('web'), roleTag('terminal')]);
  engine = pe.engine;
  await new RangeManager(engine).down({ exercise: EX });
  run = await startServer({
    dataDir: mkdtempSync(join(tmpdir(), 'enshu-restart-')),
    engine,
    scoring: scoringPort(),
    extraRoutes: accessRouteFactory(engine),
    rescoreIntervalMs: 0,
    engineWatchMs: 1000,
  });
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    {
      id: EX,
      course: 'A',
      scenario: 'a-phishing-c2-exfil',
      seed: 5,
      teams: 2,
      topology: 'tests/faults/fault-test.yaml',
    },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
  await until(
    'the ranges to be ready',
    async () => {
      const x = await run.api<{ exercise: { state: string } }>('GET', `/api/exercises/${EX}`, undefined, admin);
      assert.equal(x.status, 200, x.text);
      assert.notEqual(x.body.exercise.state, 'created', 'provisioning failed');
      return x.body.exercise.state === 'ready' ? true : undefined;
    },
    WAIT_MS,
  );
  const started = await run.api('POST', `/api/exercises/${EX}/start`, {}, admin);
  assert.equal(started.status, 200, started.text);
}, 1_200_000);

afterAll(async () => {
  await teardown(
    [
      ['close the server', () => run?.server.close()],
      ['remove the range', () => pe && new RangeManager(pe.engine).down({ exercise: EX })],
      ['stop the private engine', () => pe?.destroy()],
    ],
    90_000,
  );
}, 300_000);

test('an engine restart: ranges come back by themselves, isolated, nothing lost, no score moved', async () => {
  const before = events();
  const scoresBefore = await run.api('GET', `/api/exercises/${EX}/scores`, undefined, admin);
  assert.equal(scoresBefore.status, 200, scoresBefore.text);

  await pe.stop();
  // while the engine is gone: 502 with what the instructor can do, and /api/health says so
  const range = await run.api<{ error: string }>('GET', `/api/exercises/${EX}/range`, undefined, admin);
  assert.equal(range.status, 502, range.text);
  assert.match(range.body.error, /come back by themselves/);
  await until(
    'health to report the engine down',
    async () => {
      const h = await run.api<{ engineStatus: { state: string } }>('GET', '/api/health');
      return h.body.engineStatus.state === 'down' ? true : undefined;
    },
    WAIT_MS,
  );
  await pe.start();

  const restored = await until(
    'range.restored for both teams',
    () => {
      const r = events()
        .filter((e) => e.type === 'range.restored')
        .map((e) => (e as { team: string }).team);
      return r.includes('t01') && r.includes('t02') ? r : undefined;
    },
    WAIT_MS,
  );
  assert.deepEqual([...restored].sort(), ['t01', 't02']);
  const degraded = events().filter((e) => e.type === 'range.degraded');
  assert.deepEqual(degraded.map((e) => (e as { team: string }).team).sort(), ['t01', 't02']);

  // every node runs again, and the engine watch says the range is whole
  const [status] = await new RangeManager(engine).status(EX);
  for (const t of status!.teams) for (const n of t.nodes) assert.equal(n.state, 'running', `${t.team}/${n.node}`);
  const health = await run.api<{ engineStatus: { state: string; degradedTeams: number } }>('GET', '/api/health');
  assert.equal(health.body.engineStatus.state, 'up');
  assert.equal(health.body.engineStatus.degradedTeams, 0);

  // isolation holds: host rules in place, a team reaches its own web through its FW and not the other's
  const rules = await new RangeManager(engine).hostRules();
  assert.ok(
    rules.some((r) => r.includes(`enshu:${EX}`)),
    rules.join('\n'),
  );
  const ip = (team: string) =>
    status!.teams.find((t) => t.team === team)!.nodes.find((n) => n.node === 'web')!.ips[`enshu-${EX}-${team}-dmz`];
  const own = await sh(`enshu-${EX}-t01-pc1`, `curl -fsS -m 10 -o /dev/null -w '%{http_code}' http://${ip('t01')}/`);
  assert.equal(own.stdout, '200', own.stderr);
  const other = await sh(`enshu-${EX}-t01-pc1`, `curl -fsS -m 5 -o /dev/null http://${ip('t02')}/`);
  assert.notEqual(other.exitCode, 0, 'team 1 must not reach team 2');

  // provisioning a running exercise converges it where it stands (it used to be a 409)
  const again = await run.api<{ exercise: { state: string } }>('POST', `/api/exercises/${EX}/provision`, {}, admin);
  assert.equal(again.status, 202, again.text);
  assert.equal(again.body.exercise.state, 'running');

  // no event lost: the log before the restart is still its prefix
  assert.deepEqual(events().slice(0, before.length), before);
  // and nobody's score moved (a team with no scored event yet counts as 0)
  const totals = (r: { body: unknown }) =>
    new Map((r.body as { scores: { team: string; total: number }[] }).scores.map((t) => [t.team, t.total]));
  const scoresAfter = await run.api('GET', `/api/exercises/${EX}/scores`, undefined, admin);
  const was = totals(scoresBefore);
  for (const [team, total] of totals(scoresAfter)) assert.equal(total, was.get(team) ?? 0, `score of ${team}`);
}, 900_000);
