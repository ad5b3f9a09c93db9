/**
 * The staff simulator's planning: a pure function of seed, node and users, so an exercise
 * replays the same office day. Runs the real script with the host's python3 (stdlib only).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./staff-sim', import.meta.url));
// The system interpreter, as in the image; version-manager shims cost seconds per start.
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const accounts = Buffer.from('admin\t1\tadmin-pass\nstaff01\t0\tp1\nstaff02\t0\tp2\n').toString('base64');

interface Step { user: string; n: number; at: number; action: string; pick: number }

function plan(args: string[], env: Record<string, string> = {}): Step[] {
  const out = execFileSync(python, [script, 'plan', ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ENSHU_ACCOUNTS_B64: accounts, ENSHU_NODE: 'pc1', ...env },
    encoding: 'utf8',
  });
  return out.trim().split('\n').map((l) => JSON.parse(l) as Step);
}

test('same seed, same day; another seed or node, another day', () => {
  const a = plan(['--seed', 'ex-1', '--count', '60']);
  assert.deepEqual(plan(['--seed', 'ex-1', '--count', '60']), a);
  assert.notDeepEqual(plan(['--seed', 'ex-2', '--count', '60']), a);
  assert.notDeepEqual(plan(['--seed', 'ex-1', '--count', '60', '--node', 'pc2']), a);
  assert.equal(a.length, 60);
});

test('the seed defaults to ENSHU_SEED, then the exercise id', () => {
  assert.deepEqual(plan(['--count', '10'], { ENSHU_SEED: 'ex-1' }), plan(['--seed', 'ex-1', '--count', '10']));
  assert.deepEqual(plan(['--count', '10'], { ENSHU_EXERCISE: 'ex-1' }), plan(['--seed', 'ex-1', '--count', '10']));
});

test('non-sudo accounts act, interleaved in time order, with a varied mix of actions', () => {
  const steps = plan(['--seed', 'ex-1', '--count', '200']);
  assert.deepEqual([...new Set(steps.map((s) => s.user))].sort(), ['staff01', 'staff02']);
  assert.ok(steps.every((s, i) => i === 0 || s.at >= steps[i - 1]!.at));
  const actions = new Set(steps.map((s) => s.action));
  for (const a of ['browse', 'read-mail', 'send-mail', 'open-document', 'order', 'logon']) assert.ok(actions.has(a), a);
  // a longer plan starts with the shorter one: a running simulator never reshuffles its past
  assert.deepEqual(plan(['--seed', 'ex-1', '--count', '50']), steps.slice(0, 50));
});

test('one user\'s day does not depend on who else is simulated', () => {
  const alone = plan(['--seed', 'ex-1', '--count', '30', '--user', 'staff01']);
  const both = plan(['--seed', 'ex-1', '--count', '120']).filter((s) => s.user === 'staff01').slice(0, 30);
  assert.deepEqual(both, alone);
});
