/**
 * Scenarios b2-web-deface-ransomware (course B-2) and c-ad-lateral-rd-exfil (course C) on one
 * full cyder-standard team, at high speed, against the topology's real FW rules: every step must
 * succeed along a path those rules allow, and the paths a realistic organisation keeps closed
 * stay closed (the attack goes around them, as in the scenarios' stories). Each run ends with
 * the runner's own clean-up, which must leave the range as the images made it.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AttackRunner, loadScenario, MemorySink, planFor } from '../../attacker/index.js';
import { loadTopologyById, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import type { AttackStepEvent } from '../../protocol/index.js';
import { engineWithImages, sh } from '../helpers/range.js';
import { Soc } from './soc.js';

const EX = 'h2-e2e-bc';
const SEED = 'h2-bc';
const SPEED = 300;
const topology = loadTopologyById('cyder-standard');
const c = (node: string) => `enshu-${EX}-t01-${node}`;

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let soc: Soc;
const timings: Record<string, number> = {};
const ip = (node: string) => Object.values(status.teams[0]!.nodes.find((n) => n.node === node)!.ips)[0]!;

/** Whether a TCP connection from `from` to `to:port` opens (through the FW when they are on different segments). */
async function opens(from: string, to: string, port: number): Promise<boolean> {
  return (await sh(engine, c(from), `nc -z -w 3 ${ip(to)} ${port}`, 30_000)).exitCode === 0;
}

/** Runs a scenario to its end on t01, then stops it (which undoes its traces); returns its step events. */
async function play(
  scenario: string,
): Promise<{ events: AttackStepEvent[]; facts: Record<string, string>; cleanupErrors: string[] }> {
  const sink = new MemorySink();
  const sc = loadScenario(scenario);
  const runner = new AttackRunner({ engine, exercise: EX, team: 't01', scenario: sc, seed: SEED, sink, speed: SPEED });
  const t0 = Date.now();
  await runner.start();
  await runner.done();
  timings[scenario] = (Date.now() - t0) / 1000;
  const stopped = await runner.stop();
  const events = sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
  return { events, facts: planFor(sc, { exercise: EX, team: 't01', seed: SEED }).facts, cleanupErrors: stopped.errors };
}

const story = (events: AttackStepEvent[]) => events.map((e) => `${e.step}: ${e.outcome} ${e.reason ?? ''}`).join('\n');

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const t0 = Date.now();
  // a health check can miss its deadline on a host loaded by other ranges; `up` converges, so once more
  status = await ranges.up({ exercise: EX, topology, teams: 1, seed: SEED }).catch((err: Error) => {
    console.error(`# first up failed: ${err.message}`);
    return ranges.up({ exercise: EX, topology, teams: 1, seed: SEED });
  });
  timings.up = (Date.now() - t0) / 1000;
  soc = new Soc(engine, c('soc'));
});

afterAll(async () => {
  await ranges?.down({ exercise: EX });
  console.error(`# B-2 and C e2e timings (s): ${JSON.stringify(timings)}`);
});

describe('the B-2 and C scenarios on the full cyder-standard range', () => {
  it(
    'B-2: defacement, the vendor line into the order server and ransomware — every step succeeds',
    { timeout: 600_000 },
    async () => {
      // the DMZ never reaches the core: the pivot to the order server must come over the vendor's line
      assert.equal(await opens('web', 'orders', 80), false, 'DMZ → order server is closed');
      assert.equal(await opens('attacker', 'orders', 80), false, 'Internet → order server is closed');
      assert.equal(await opens('vendor', 'orders', 80), true, 'the vendor line reaches the order server');
      const share = 'cd /srv/shares/kyoyu && find . -type f -print0 | sort -z | xargs -0 sha256sum';
      const before = (await sh(engine, c('file'), share)).stdout.split('\n').filter(Boolean);
      assert.ok(before.length > 0);
      const page = (await sh(engine, c('web'), 'sha256sum /var/www/site/index.html')).stdout;

      const { events, facts, cleanupErrors } = await play('b2-web-deface-ransomware');
      assert.deepEqual(
        Object.fromEntries(events.map((e) => [e.step, e.outcome])),
        {
          'web-recon': 'succeeded',
          'web-compromise': 'succeeded',
          deface: 'succeeded',
          'vendor-foothold': 'succeeded',
          'orders-theft': 'succeeded',
          ransomware: 'succeeded',
        },
        story(events),
      );
      // what the SOC sees: the scanner at the web server, the employee's login used from the vendor's address
      await soc.find('the scanner in the web log', { grep: 'zgrab/0.x', node: 'web' });
      await soc.find('the misused order-system login', { grep: `${ip('vendor')} user=${facts.buyer}`, node: 'orders' });
      // stop() decrypted the share and put the page back, byte for byte (staff may have added files meanwhile)
      assert.deepEqual(cleanupErrors, []);
      const after = (await sh(engine, c('file'), share)).stdout.split('\n');
      assert.deepEqual(
        before.filter((l) => !after.includes(l)),
        [],
        'files not restored',
      );
      assert.ok(!after.some((l) => /\.locked$|README-DECRYPT/.test(l)), 'ransomware traces left');
      assert.equal((await sh(engine, c('web'), 'sha256sum /var/www/site/index.html')).stdout, page);
    },
  );

  it(
    'C: AD credential theft, SSH into R&D, persistence and ICMP exfiltration — every step succeeds',
    { timeout: 600_000 },
    async () => {
      // R&D data stays in R&D; only the Planning section's IT staff may SSH to the R&D PC
      assert.equal(await opens('pc3', 'research', 22), false, 'business network → research server is closed');
      assert.equal(await opens('pc1', 'pc5', 22), false, '総務課 → R&D PC is closed');
      assert.equal(await opens('pc3', 'pc5', 22), true, '企画課 → R&D PC over SSH is open (IT maintenance)');

      const { events, facts, cleanupErrors } = await play('c-ad-lateral-rd-exfil');
      assert.deepEqual(
        Object.fromEntries(events.map((e) => [e.step, e.outcome])),
        {
          foothold: 'succeeded',
          'ad-discovery': 'succeeded',
          'credential-theft': 'succeeded',
          'lateral-rnd': 'succeeded',
          'persist-key': 'succeeded',
          'persist-cron': 'succeeded',
          'collect-research': 'succeeded',
          'exfil-icmp': 'succeeded',
        },
        story(events),
      );
      // what the SOC sees: the planner's logon at the DC, the researcher's SSH logins at the PC and the server
      await soc.find('the stolen planner logon at AD', { grep: `[${facts.planner}]`, node: 'ad' });
      await soc.find('the SSH login into R&D', { grep: `Accepted password for ${facts.researcher} from`, node: 'pc5' });
      await soc.find('the SSH login at the research server', {
        grep: `Accepted password for ${facts.researcher} from ${ip('pc5')}`,
        node: 'research',
      });
      // stop() removed the key and the cron job
      assert.deepEqual(cleanupErrors, []);
      const left = await sh(
        engine,
        c('pc5'),
        `grep -s 'enshu-t01' /home/${facts.researcher}/.ssh/authorized_keys; crontab -u ${facts.researcher} -l 2>/dev/null | grep 656e736875; true`,
      );
      assert.equal(left.stdout.trim(), '');
    },
  );
});
