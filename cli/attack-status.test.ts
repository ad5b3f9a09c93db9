/** `enshu attack status` for an attack the server runs: read from the server's store (#18). */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'vitest';
import { openStore } from '../server/index.js';
import { attacksFromServerLog } from './attack-status.js';

test('the server log tells where each team’s attack stands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enshu-attack-status-'));
  assert.equal(attacksFromServerLog(dir, 'x1', ['t01']), undefined, 'no store: nothing to read');
  const store = openStore(dir);
  store.exercises.create({
    id: 'x1',
    title: 'x1',
    course: 'A',
    scenario: 'a-phishing-c2-exfil',
    seed: 1,
    speed: 2,
    schedule: {},
    teams: [
      { name: 'T1', members: [] },
      { name: 'T2', members: [] },
    ],
  });
  const base = { exercise: 'x1', team: 't01', scenario: 'a-phishing-c2-exfil' };
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
  store.events.append({ ...base, type: 'attack.started', at: at(0) });
  store.events.append({
    ...base,
    type: 'attack.step',
    at: at(10),
    step: 'recon',
    technique: 'T1595',
    tactic: 'reconnaissance',
    startedAt: at(9),
    endedAt: at(10),
    outcome: 'succeeded',
    evidence: 'ok',
    impact: false,
    endClock: 20,
  });
  store.events.append({ ...base, type: 'attack.speed', at: at(11), speed: 4 });
  store.events.append({ ...base, type: 'attack.paused', at: at(12) });
  store.close();
  const [t01, ...rest] = attacksFromServerLog(dir, 'x1', ['t01', 't02'])!;
  assert.equal(rest.length, 0, 'team 2 has no attack yet');
  assert.equal(t01!.status, 'paused');
  assert.equal(t01!.speed, 4);
  assert.equal(t01!.clock, 20);
  assert.deepEqual(t01!.steps, [{ id: 'recon', status: 'succeeded', evidence: 'ok' }]);
});
