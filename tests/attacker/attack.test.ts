/**
 * The pseudo-attacker on a real range (fw, web, terminals; two teams): real actions through
 * the range's network, per-team clocks, containment, the else branch when the FW blocks the
 * C2, Atomic Red Team imports, and cleanup that leaves the range as the images made it.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, type Engine, type ExerciseStatus, type RangeManager } from '../../orchestrator/index.js';
import { type AttackStepEvent, type RunnerState } from '../../protocol/index.js';
import { AttackRunner, loadScenario, MemorySink, planFor } from '../../attacker/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';

const EX = 'at-attack';
const here = fileURLToPath(new URL('.', import.meta.url));
const fixture = (f: string) => join(here, 'fixtures', f);
const topology = loadTopology(join(here, 'attack-range.yaml'));
const small = loadScenario(fixture('small-scenario.yaml'));

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
const c = (team: string, node: string) => `enshu-${EX}-${team}-${node}`;
const ip = (team: string, node: string, segment: string) =>
  status.teams.find((t) => t.team === team)!.nodes.find((n) => n.node === node)!.ips[`enshu-${EX}-${team}-${segment}`]!;
const steps = (sink: MemorySink, team: string) =>
  sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step' && e.team === team);
const outcome = (sink: MemorySink, team: string, step: string) =>
  steps(sink, team)
    .filter((e) => e.step === step)
    .map((e) => e.outcome);

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges, status } = await freshRange(engine, EX, topology, 2));
});

afterAll(async () => {
  await ranges?.down({ exercise: EX });
});

describe('two teams side by side', () => {
  const sink = new MemorySink();
  let r1: AttackRunner;
  let r2: AttackRunner;
  let originalPage = '';

  test('each team runs the scenario on its own clock, through its own range', async () => {
    originalPage = (await sh(engine, c('t01', 'web'), 'sha256sum /var/www/site/index.html | cut -c1-64')).stdout.trim();
    r1 = new AttackRunner({ engine, exercise: EX, team: 't01', scenario: small, seed: EX, sink, speed: 60 });
    r2 = new AttackRunner({ engine, exercise: EX, team: 't02', scenario: small, seed: EX, sink, speed: 60 });
    await r1.start();
    await r2.start();
    // team 2 is held while team 1 goes on
    r2.pause();
    const held = r2.state().clock;
    const c1 = r1.state().clock;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(r2.state().clock, held, 'a paused team’s clock does not move');
    assert.ok(r1.state().clock - c1 >= 30, `team 1's clock ran on at ×60 (moved ${r1.state().clock - c1}s)`);
    const waiting = r2.state().steps.find((s) => s.id === 'deface')!;
    assert.match(
      waiting.waitingFor ?? '',
      /waits for step recon|paused; fires at/,
      'a waiting step says what it waits for',
    );
    r2.resume();
    r2.setSpeed(120);
    await Promise.all([r1.done(), r2.done()]);

    for (const team of ['t01', 't02']) {
      const by = Object.fromEntries(steps(sink, team).map((e) => [e.step, e]));
      for (const s of ['recon', 'deface', 'implant', 'discovery', 'lateral', 'persist', 'exfil']) {
        assert.equal(by[s]?.outcome, 'succeeded', `${team} ${s}: ${by[s]?.reason ?? ''}`);
      }
      assert.equal(by['implant-alt']?.outcome, 'skipped');
      assert.match(by['implant-alt']!.reason!, /branch not taken/);
      // the implant's check-in came from the team's own victim, through its own FW
      assert.match(
        by.implant!.evidence,
        new RegExp(`check-in from ${ip(team, 'pc1', 'business').replaceAll('.', '\\.')} `),
      );
      assert.match(
        by.lateral!.evidence,
        new RegExp(`ssh admin@pc2 \\(${ip(team, 'pc2', 'business').replaceAll('.', '\\.')}`),
      );
      assert.ok(by.deface!.impact && by.exfil!.impact);
    }
    const state: RunnerState = r1.state();
    assert.equal(state.status, 'finished');
    assert.equal(r2.state().speed, 120);
  });

  test('the attack left real traces in each team’s range, with that team’s facts', async () => {
    const p1 = planFor(small, { exercise: EX, team: 't01', seed: EX });
    const p2 = planFor(small, { exercise: EX, team: 't02', seed: EX });
    assert.notEqual(p1.facts.marker, p2.facts.marker);
    const page1 = await sh(engine, c('t01', 'attacker'), `curl -fsS -m 5 http://${ip('t01', 'web', 'dmz')}/`);
    assert.match(page1.stdout, new RegExp(p1.facts.marker!));
    const page2 = await sh(engine, c('t02', 'web'), 'cat /var/www/site/index.html');
    assert.match(page2.stdout, new RegExp(p2.facts.marker!));
    assert.equal((await sh(engine, c('t01', 'pc2'), 'id svc-t01')).exitCode, 0);
    assert.notEqual(
      (await sh(engine, c('t02', 'pc2'), 'id svc-t01')).exitCode,
      0,
      'team 1’s account is not in team 2’s range',
    );
    const c2log = await sh(engine, c('t01', 'attacker'), 'cat /var/log/enshu-c2.jsonl');
    assert.match(c2log.stdout, /"implant": "t01-pc1-/);
    assert.match(
      c2log.stdout,
      /"implant": "x-t01-t01-loot\.tgz", "from": "[\d.]+", "method": "POST", "body": "loot t01-loot\.tgz\\nH4sI/,
      'the archive reached the C2',
    );
    // ground truth resolves to this team's addresses
    const truth = r1.groundTruth();
    const recon = truth.steps.find((s) => s.id === 'recon')!;
    assert.deepEqual(
      recon.indicators.map((i) => i.value),
      [ip('t01', 'attacker', 'internet')],
    );
    assert.equal(
      truth.steps.find((s) => s.id === 'deface')!.recovery[0]!.command,
      `! grep -q ${p1.facts.marker} /var/www/site/index.html`,
    );
  });

  test('stop undoes everything for that team only', async () => {
    const res = await r1.stop();
    assert.deepEqual(res.errors, []);
    assert.deepEqual(
      res.cleaned.map((l) => l.replace(/\/tmp\/\.[\w-]+\/[\w-]+/, 'IMPLANT')),
      ['atomic T1136.001 cleanup on pc2', 'remove implant IMPLANT on pc1', 'restore /var/www/site/index.html on web'],
    );
    const page = await sh(
      engine,
      c('t01', 'web'),
      'sha256sum /var/www/site/index.html | cut -c1-64; ls /var/lib/enshu-attack 2>&1',
    );
    assert.equal(page.stdout.split('\n')[0], originalPage);
    assert.match(page.stdout, /No such file/);
    assert.notEqual(
      (await sh(engine, c('t01', 'pc2'), 'id svc-t01')).exitCode,
      0,
      'the atomic cleanup removed the account',
    );
    const pc1 = await sh(
      engine,
      c('t01', 'pc1'),
      'ps -eo args | grep -c "[.]sync-helper\\|[.]upd-agent\\|[.]cache-svc"; ls -a /tmp',
    );
    assert.equal(pc1.stdout.split('\n')[0], '0', 'no implant process left');
    assert.doesNotMatch(pc1.stdout, /\.enshu|sync-helper|upd-agent|cache-svc/);
    const att = await sh(
      engine,
      c('t01', 'attacker'),
      'ps -eo args | grep -c "[c]2.py"; ls /var/lib/enshu-c2 /srv/c2 /var/log/enshu-c2.jsonl 2>&1 | grep -c "No such"',
    );
    assert.deepEqual(att.stdout.trim().split('\n'), ['0', '3']);
    // team 2 still holds its own traces until its own stop
    assert.equal((await sh(engine, c('t02', 'pc2'), 'id svc-t02')).exitCode, 0);
    await r2.stop();
    assert.notEqual((await sh(engine, c('t02', 'pc2'), 'id svc-t02')).exitCode, 0);
    const stopped = sink.events.filter((e) => e.type === 'attack.stopped').map((e) => (e as { team: string }).team);
    assert.deepEqual(stopped.sort(), ['t01', 't02']);
  });
});

describe('defenders and instructors change the course of the attack', () => {
  test('blocking the C2 in the FW makes the beacon blocked and takes the else branch', async () => {
    const fw = c('t01', 'fw');
    const add = await sh(engine, fw, 'nft insert rule inet filter forward tcp dport 8080 jump blocked');
    assert.equal(add.exitCode, 0, add.stderr);
    const sink = new MemorySink();
    const r = new AttackRunner({
      engine,
      exercise: EX,
      team: 't01',
      scenario: loadScenario(fixture('c2-fallback.yaml')),
      seed: EX,
      sink,
      speed: 30,
    });
    try {
      await r.start();
      await r.done();
      const [beacon] = steps(sink, 't01').filter((e) => e.step === 'beacon');
      assert.equal(beacon!.outcome, 'blocked');
      assert.match(beacon!.reason!, /no check-in reached the C2 .*:8080 within 6s; the implant's last attempt: 28 /);
      assert.deepEqual(outcome(sink, 't01', 'beacon-alt'), ['succeeded']);
      assert.deepEqual(outcome(sink, 't01', 'whoami'), ['succeeded'], 'later steps go on over the fallback channel');
      const log = await sh(engine, c('t01', 'attacker'), 'cat /var/log/enshu-c2.jsonl');
      assert.doesNotMatch(log.stdout, /"implant": "t01-pc1-fb-main/, 'nothing crossed the blocked port');
      assert.match(log.stdout, /"implant": "t01-pc1-fb-alt/);
    } finally {
      await r.stop();
      await sh(
        engine,
        fw,
        'h=$(nft -a list chain inet filter forward | grep "dport 8080" | sed "s/.*handle //"); nft delete rule inet filter forward handle $h',
      );
    }
  });

  test('an action aimed at another team’s range is refused before it runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enshu-at-'));
    const other = ip('t02', 'pc2', 'business');
    const file = join(dir, 'cross-team.yaml');
    writeFileSync(
      file,
      `
id: cross-team
title: { ja: 他チームへの攻撃, en: Aimed at another team }
courses: [A]
expectedDuration: 1m
summary: { ja: 拒否されるべき, en: must be refused }
steps:
  - id: ssh-other
    title: { ja: 他チームへSSH, en: SSH into another team }
    technique: T1021.004
    tactic: lateral-movement
    when: { at: 0s }
    where: pc1
    action: { kind: ssh, params: { host: "${other}", user: admin, password: admin-pass, command: "touch /tmp/pwned" } }
  - id: foreign-node
    title: { ja: 存在しないノード, en: A node outside the range }
    technique: T1059.004
    tactic: execution
    when: { at: 0s }
    where: enshu-${EX}-t02-pc2
    action: { kind: shell, params: { command: "touch /tmp/pwned" } }
`,
    );
    const sink = new MemorySink();
    const r = new AttackRunner({
      engine,
      exercise: EX,
      team: 't01',
      scenario: loadScenario(file),
      seed: EX,
      sink,
      speed: 10,
    });
    await r.start();
    await r.done();
    await r.stop();
    const [a] = steps(sink, 't01').filter((e) => e.step === 'ssh-other');
    assert.equal(a!.outcome, 'skipped');
    assert.match(
      a!.reason!,
      new RegExp(`refused: ${other.replaceAll('.', '\\.')} is not an address in team t01's range`),
    );
    const [b] = steps(sink, 't01').filter((e) => e.step === 'foreign-node');
    assert.equal(b!.outcome, 'skipped');
    assert.match(b!.reason!, /refused: "enshu-at-attack-t02-pc2" is not a node of team t01/);
    assert.notEqual(
      (await sh(engine, c('t02', 'pc2'), 'ls /tmp/pwned')).exitCode,
      0,
      'nothing happened in team 2’s range',
    );
  });

  test('an imported Atomic Red Team test runs, a Windows test is skipped with its reason, stop runs the cleanup', async () => {
    const sink = new MemorySink();
    const r = new AttackRunner({
      engine,
      exercise: EX,
      team: 't02',
      scenario: loadScenario(fixture('atomics.yaml')),
      seed: EX,
      sink,
      speed: 10,
    });
    await r.start();
    await r.done();
    assert.deepEqual(outcome(sink, 't02', 'cron'), ['succeeded']);
    assert.deepEqual(outcome(sink, 't02', 'account'), ['succeeded']);
    const [win] = steps(sink, 't02').filter((e) => e.step === 'windows');
    assert.equal(win!.outcome, 'skipped');
    assert.match(win!.reason!, /supports windows, not linux/);
    const pc = c('t02', 'pc1');
    assert.match((await sh(engine, pc, 'cat /var/spool/cron/crontabs/enshu-t02')).stdout, /Hello from Atomic Red Team/);
    assert.match((await sh(engine, pc, 'getent passwd art-t02')).stdout, /evil_account/);
    // instructor: replay a finished step on demand
    await r.replay('cron');
    assert.deepEqual(outcome(sink, 't02', 'cron'), ['succeeded', 'succeeded']);
    const res = await r.stop();
    assert.deepEqual(res.errors, []);
    assert.notEqual(
      (await sh(engine, pc, 'ls /var/spool/cron/crontabs/enshu-t02')).exitCode,
      0,
      'cleanup_command removed the cron file',
    );
    assert.notEqual((await sh(engine, pc, 'id art-t02')).exitCode, 0, 'cleanup_command removed the account');
  });

  test('an instructor skip lets the scenario go on without the step', async () => {
    const sink = new MemorySink();
    const r = new AttackRunner({
      engine,
      exercise: EX,
      team: 't02',
      scenario: loadScenario(fixture('atomics.yaml')),
      seed: EX,
      sink,
      speed: 1,
    });
    await r.start();
    r.skip('cron');
    r.setSpeed(20);
    await r.done();
    await r.stop();
    const [cron] = steps(sink, 't02').filter((e) => e.step === 'cron');
    assert.equal(cron!.outcome, 'skipped');
    assert.equal(cron!.reason, 'skipped by the instructor');
    assert.deepEqual(outcome(sink, 't02', 'account'), ['succeeded'], 'a step after the skipped one still runs');
  });
});
