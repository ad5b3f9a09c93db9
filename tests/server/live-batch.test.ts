/**
 * The live rooms' messages coalesced per client per tick (server/sockets/outbox.ts), through a real
 * server and real socket.io clients: a client that asks for batches gets its changes in one `batch`
 * (score deltas without the breakdown), a client that does not gets them one by one as before,
 * both projected for their principal; another team's trainee gets nothing of it; staff get it all.
 * Real scoring rules (course A); no container engine: the exercise is marked provisioned in the store.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { attackPort, scoringPort } from '../../server/index.js';
import type { LiveMessage, ScoreDelta, StoredEvent } from '../../protocol/index.js';
import { until } from '../helpers/until.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from './helpers.js';

const EX = 'lb-batch';
const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-live-batch-'));
let run: Running;
let admin: string;
let tokenA: string;
const clients: Client[] = [];
/** every message each batch client received, in order */
const got = new Map<string, LiveMessage[]>();

async function batchClient(name: string, token: string, team?: string): Promise<Client> {
  const s = await connect(run.url, token, { batch: true });
  clients.push(s);
  got.set(name, []);
  s.on('batch', (ms) => got.get(name)!.push(...ms));
  assert.ok((await join(s, EX, team)).ok);
  return s;
}

beforeAll(async () => {
  run = await startServer({ dataDir, attack: attackPort(), scoring: scoringPort(), rescoreIntervalMs: 0 });
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: EX, course: 'A', scenario: 'a-phishing-c2-exfil', seed: 7, teams: 2 },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  run.server.store.exercises.transition(EX, 'provisioning');
  run.server.store.exercises.transition(EX, 'ready');
  assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
  const teams = (
    await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${EX}`, undefined, admin)
  ).body.teams;
  const token = async (i: number, name: string) =>
    (await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[i]!.joinCode, name })).body.token;
  tokenA = await token(0, 'alice');
  await batchClient('a', tokenA, 't01');
  await batchClient('b', await token(1, 'bob'), 't02');
  await batchClient('staff', admin);
});

afterAll(async () => {
  for (const s of clients) s.close();
  await run?.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const isFinding = (m: LiveMessage, id: string) =>
  m[0] === 'event' && m[1].type === 'finding.submitted' && (m[1] as { id?: string }).id === id;

describe('live messages per tick', () => {
  it('batches each client’s changes, projected for it, with short score deltas; one by one for the others', async () => {
    const plain = await connect(run.url, tokenA);
    clients.push(plain);
    assert.ok((await join(plain, EX, 't01')).ok);
    const plainEvent = waitFor(plain, 'event', (e) => e.type === 'finding.submitted');
    const plainScore = waitFor(plain, 'score', (d) => d.team === 't01');

    // an address nobody attacked from: a false positive, so t01's score moves
    const sent = await run.api<{ event: { id: string } }>(
      'POST',
      `/api/exercises/${EX}/teams/t01/findings`,
      { indicatorType: 'ip', value: '192.0.2.77' },
      tokenA,
    );
    assert.equal(sent.status, 200, sent.text);
    const id = sent.body.event.id;

    for (const who of ['a', 'staff']) {
      await until(
        `${who}'s score delta`,
        () => got.get(who)!.some((m) => m[0] === 'score' && m[1].team === 't01') || undefined,
        30_000,
      );
      const ms = got.get(who)!;
      const ev = ms.findIndex((m) => isFinding(m, id));
      const sc = ms.findIndex((m) => m[0] === 'score' && m[1].team === 't01');
      assert.ok(ev >= 0 && ev < sc, `${who}: the finding comes before the score it caused`);
      const d = ms[sc]![1] as ScoreDelta;
      assert.equal(d.score.detail, undefined, `${who}: a batch's score delta has no breakdown`);
      assert.equal(d.previous, undefined);
      assert.equal(typeof d.score.total, 'number');
      assert.ok(d.score.total < 0, `${who}: a false positive costs points (${d.score.total})`);
    }
    // the client that asked for nothing gets the same changes one by one, with the breakdown
    const e = (await plainEvent) as StoredEvent & { id: string };
    assert.equal(e.id, id);
    const d = await plainScore;
    assert.ok(Array.isArray(d.score.detail) && d.score.detail.length > 0, 'a single score delta has its breakdown');
    // trainee and staff copies are their own projections: the trainee's is the one the plain client got
    const traineeEvent = got.get('a')!.find((m) => isFinding(m, id))![1];
    assert.deepEqual(traineeEvent, e);
    assert.equal(got.get('a')!.find((m) => m[0] === 'score')![1].score.total, d.score.total);

    // the other team's trainee heard nothing of t01, a tick and more later
    await new Promise((r) => setTimeout(r, 500));
    const leaked = got.get('b')!.filter((m) => JSON.stringify(m).includes('t01'));
    assert.deepEqual(leaked, [], 't02 got nothing of t01');
  });
});
