import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { EnshuEvent } from '../../protocol/index.js';
import { loadScenario } from '../scenario/load.js';
import { planFor } from '../plan/plan.js';
import { restoreFromLog } from './resume.js';

const plan = planFor(loadScenario('a-phishing-c2-exfil'), { exercise: 'ex', team: 't01', seed: 3 });
const T0 = Date.parse('2026-11-26T09:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const base = { exercise: 'ex', team: 't01', scenario: 'a-phishing-c2-exfil' };
const ctl = (type: string, s: number, extra: Record<string, unknown> = {}) =>
  ({ ...base, type, at: at(s), ...extra }) as EnshuEvent;
const step = (id: string, from: number, to: number, outcome = 'succeeded', extra: Record<string, unknown> = {}) =>
  ({
    ...base,
    type: 'attack.step',
    step: id,
    technique: 'T0000',
    tactic: 'x',
    at: at(to),
    startedAt: at(from),
    endedAt: at(to),
    outcome,
    evidence: '',
    impact: false,
    ...extra,
  }) as EnshuEvent;

test('the clock is rebuilt from wall times, pauses and speed changes when events carry no clock', () => {
  const log = [
    ctl('attack.started', 0, { speed: 10 }),
    step('phishing-mail', 10, 12), // T+120 at ×10
    ctl('attack.paused', 20), // T+200
    ctl('attack.resumed', 500), // the pause does not count
    ctl('attack.speed', 510, { speed: 60 }), // T+300
    ctl('attack.suspended', 520), // T+300 + 10 s × 60 = T+900
  ];
  const r = restoreFromLog(plan, log)!;
  assert.equal(r.cut, 'suspended');
  assert.equal(r.status, 'running');
  assert.equal(r.speed, 60);
  assert.ok(Math.abs(r.clock - 900) < 1e-6, `clock ${r.clock}`);
  assert.equal(r.steps.get('phishing-mail')!.endClock, 120);
  assert.equal(r.steps.get('phishing-mail')!.runs, 1);
});

test('steps reopened after a node came back are open again, and a finished attack goes on', () => {
  const log = [
    ctl('attack.started', 0, { speed: 1, clock: 0 }),
    step('phishing-mail', 10, 12, 'failed', { reason: 'node pc1 was not running (exited) for 600 s', endClock: 12 }),
    step('open-attachment', 12, 12, 'skipped', { reason: 'not run: phishing-mail failed', endClock: 12 }),
    ctl('attack.finished', 13, { clock: 13 }),
    ctl('attack.reopened', 100, { clock: 13, detail: { steps: ['phishing-mail', 'open-attachment'], why: 'reset' } }),
  ];
  const r = restoreFromLog(plan, log, at(110))!;
  assert.equal(r.status, 'running');
  assert.equal(r.steps.has('phishing-mail'), false);
  assert.equal(r.steps.has('open-attachment'), false);
  // the clock stood still while the attack was over, and runs again from the reopen
  assert.equal(r.clock, 13 + 10);
});

test('recorded clocks win, and a server that died without a clean shutdown stops the clock at the log’s last moment', () => {
  const log = [
    ctl('attack.started', 0, { speed: 60, clock: 0 }),
    step('phishing-mail', 2, 3, 'succeeded', { startClock: 120, endClock: 180 }),
    ctl('attack.speed', 4, { speed: 120, clock: 240 }),
  ];
  // the exercise's log shows the server alive 6 s after start (a check result), then nothing
  const r = restoreFromLog(plan, log, at(6))!;
  assert.equal(r.cut, 'crash');
  assert.equal(r.clock, 240 + 2 * 120);
  assert.equal(r.steps.get('phishing-mail')!.endClock, 180);
});

test('a paused attack stays paused; skipped steps, branches, replays and captured facts come back', () => {
  const log = [
    ctl('attack.started', 0, { speed: 1, clock: 0 }),
    step('phishing-mail', 1, 2, 'succeeded', { endClock: 2, captured: { token: 'abc' } }),
    step('user-opens', 3, 4, 'succeeded', { endClock: 4 }),
    step('c2-beacon', 5, 9, 'blocked', { endClock: 9, reason: 'no check-in' }),
    step('c2-beacon', 10, 11, 'succeeded', { endClock: 11 }), // an instructor's replay
    step('discovery', 12, 12, 'skipped', { endClock: 12, reason: 'skipped by the instructor' }),
    ctl('attack.paused', 13, { clock: 13 }),
    ctl('attack.suspended', 20, { clock: 13, detail: { status: 'paused', inFlight: [] } }),
  ];
  const r = restoreFromLog(plan, log)!;
  assert.equal(r.status, 'paused');
  assert.equal(r.clock, 13);
  assert.deepEqual(r.captured, { token: 'abc' });
  const beacon = r.steps.get('c2-beacon')!;
  assert.equal(beacon.status, 'succeeded');
  assert.equal(beacon.branchTaken, true, 'the first run took the else branch; a replay does not undo that');
  assert.equal(beacon.runs, 2);
  const discovery = r.steps.get('discovery')!;
  assert.equal(discovery.skippedByInstructor, true);
  assert.equal(discovery.runs, 0);
});

test('an attack that ended stays ended; one never started gives nothing; a second start begins anew', () => {
  assert.equal(restoreFromLog(plan, [ctl('attack.started', 0), ctl('attack.stopped', 5)])!.status, 'stopped');
  assert.equal(restoreFromLog(plan, [ctl('attack.started', 0), ctl('attack.finished', 5)])!.status, 'finished');
  assert.equal(restoreFromLog(plan, [{ ...ctl('attack.started', 0), team: 't02' } as EnshuEvent]), undefined);
  const again = restoreFromLog(
    plan,
    [
      ctl('attack.started', 0),
      step('phishing-mail', 1, 2),
      ctl('attack.stopped', 3),
      ctl('attack.started', 10, { clock: 0 }),
    ],
    at(11),
  )!;
  assert.equal(again.steps.size, 0);
  assert.equal(again.status, 'running');
  assert.equal(again.clock, 1);
});
