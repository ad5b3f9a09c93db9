/**
 * The trainees' submissions served in front of express (server/fast-routes.ts) answer as express
 * does: the same request sent to the plain path (taken in front of express) and with a query string
 * (which only express serves) gets the same status, error and headers — a finding accepted,
 * malformed, too deep, not an object, empty, another team's, without a token — and the rate limit
 * answers 429 with Retry-After. Which side served a request is seen by counting the requests that
 * reach the express app. Real server, real HTTP, course A's real scoring rules; no engine.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { attackPort, scoringPort } from '../../server/index.js';
import { ADMIN, startServer, type Running } from './helpers.js';

const EX = 'fr-fast';
const LIMIT = 6;
const dataDir = mkdtempSync(join(tmpdir(), 'enshu-fast-routes-'));
let run: Running;
let alice: string;
let bob: string;
/** requests that reached the express app */
let viaExpress = 0;

beforeAll(async () => {
  run = await startServer({
    dataDir,
    attack: attackPort(),
    scoring: scoringPort(),
    rescoreIntervalMs: 0,
    limits: { submissionsPerMinute: LIMIT },
  });
  const app = run.server.app as unknown as { handle: (...a: unknown[]) => unknown };
  const handle = app.handle.bind(app);
  app.handle = (...a: unknown[]) => {
    viaExpress++;
    return handle(...a);
  };
  const admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: EX, course: 'A', scenario: 'a-phishing-c2-exfil', seed: 3, teams: 2 },
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
  alice = await token(0, 'alice');
  bob = await token(1, 'bob');
});

afterAll(async () => {
  await run?.server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function post(path: string, body: string, token?: string) {
  const before = viaExpress;
  const res = await fetch(run.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers, express: viaExpress > before };
}

const SAME_HEADERS = ['content-type', 'content-security-policy', 'x-content-type-options', 'referrer-policy'];

describe('submissions in front of express', () => {
  it('answers every case as express does, and takes only the plain ones', async () => {
    const path = `/api/exercises/${EX}/teams/t01/findings`;
    const cases: [string, string, string | undefined, string][] = [
      ['accepted', JSON.stringify({ indicatorType: 'ip', value: '192.0.2.77' }), alice, 'fast'],
      ['malformed', '{"value": ', alice, 'fast'],
      ['too deep', '['.repeat(100) + ']'.repeat(100), alice, 'fast'],
      ['not an object', '"192.0.2.1"', alice, 'fast'],
      ['empty', '', alice, 'fast'],
      ['without a token', '{}', undefined, 'express'],
      ['another team', '{}', bob, 'express'],
    ];
    for (const [what, body, token, taken] of cases) {
      const plain = await post(path, body, token);
      // an accepted finding twice would be a duplicate: express gets another address
      const viaQuery = await post(`${path}?via=express`, body.replace('192.0.2.77', '192.0.2.78'), token);
      assert.equal(viaQuery.express, true, `${what}: a query string goes to express`);
      assert.equal(plain.express, taken === 'express', `${what}: served ${plain.express ? 'by express' : 'in front'}`);
      assert.equal(plain.status, viaQuery.status, `${what}: ${plain.text} / ${viaQuery.text}`);
      for (const h of SAME_HEADERS) assert.equal(plain.headers.get(h), viaQuery.headers.get(h), `${what}: header ${h}`);
      const a = JSON.parse(plain.text) as { error?: string; event?: { type: string; value: string } };
      const b = JSON.parse(viaQuery.text) as typeof a;
      assert.equal(a.error, b.error, what);
      if (what === 'accepted') {
        assert.equal(plain.status, 200);
        assert.equal(a.event?.type, 'finding.submitted');
        assert.equal(a.event?.value, '192.0.2.77');
        assert.equal(b.event?.value, '192.0.2.78');
      } else assert.ok(plain.status >= 400 && plain.status < 500, `${what}: ${plain.status}`);
    }
  });

  it('counts submissions against the same rate limit and answers 429 with Retry-After', async () => {
    const path = `/api/exercises/${EX}/teams/t02/findings`;
    const body = JSON.stringify({ indicatorType: 'ip', value: '192.0.2.88' });
    for (let i = 0; i < LIMIT; i++) assert.equal((await post(path, body, bob)).status, 200);
    const refused = await post(path, body, bob);
    assert.equal(refused.express, false);
    assert.equal(refused.status, 429, refused.text);
    assert.ok(Number(refused.headers.get('retry-after')) > 0, refused.text);
    const viaQuery = await post(`${path}?via=express`, body, bob);
    assert.equal(viaQuery.status, 429);
    assert.equal(JSON.parse(viaQuery.text).error, JSON.parse(refused.text).error);
  });
});
