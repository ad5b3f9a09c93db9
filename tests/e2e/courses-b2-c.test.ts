/**
 * Scenarios b2-web-deface-ransomware (course B-2) and c-ad-lateral-rd-exfil (course C) on one
 * full cyder-standard team, at high speed, against the topology's real FW rules: every step must
 * succeed along a path those rules allow, and the paths a realistic organisation keeps closed
 * stay closed (the attack goes around them, as in the scenarios' stories). Each run ends with
 * the runner's own clean-up, which must leave the range as the images made it.
 *
 * The chains chain: each link uses what the one before really took (the vendor's account read
 * through a working web shell; a Kerberos ticket taken from AD over the network and cracked
 * offline), and a team that contains an early link stops every later one.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AttackRunner, loadScenario, MemorySink, planFor } from '../../attacker/index.js';
import { loadTopologyById, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import type { AttackStepEvent } from '../../protocol/index.js';
import { engineWithImages, sh } from '../helpers/range.js';
import { Soc } from './soc.js';

const EX = 'h17-e2e-bc';
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

/**
 * A log that plays the team: when `step` is recorded it pauses the attack (before the next step is
 * due, even at high speed), runs the team's containment, and lets the attack go on.
 */
class TeamReacts extends MemorySink {
  runner?: AttackRunner;
  acted?: Promise<void>;
  constructor(
    private readonly step: string,
    private readonly contain: () => Promise<void>,
  ) {
    super();
  }
  override append(event: Parameters<MemorySink['append']>[0]) {
    const stored = super.append(event);
    if (event.type === 'attack.step' && event.step === this.step && !this.acted && this.runner) {
      const runner = this.runner;
      runner.pause();
      this.acted = this.contain().finally(() => runner.resume());
    }
    return stored;
  }
}

/** Runs a scenario to its end on t01, then stops it (which undoes its traces); returns its step events. */
async function play(
  scenario: string,
  sink: MemorySink | TeamReacts = new MemorySink(),
  label = scenario,
): Promise<{ events: AttackStepEvent[]; facts: Record<string, string>; cleanupErrors: string[] }> {
  const sc = loadScenario(scenario);
  const runner = new AttackRunner({ engine, exercise: EX, team: 't01', scenario: sc, seed: SEED, sink, speed: SPEED });
  if (sink instanceof TeamReacts) sink.runner = runner;
  const t0 = Date.now();
  await runner.start();
  await runner.done();
  if (sink instanceof TeamReacts) await sink.acted;
  timings[label] = (Date.now() - t0) / 1000;
  const stopped = await runner.stop();
  const events = sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
  return { events, facts: planFor(sc, { exercise: EX, team: 't01', seed: SEED }).facts, cleanupErrors: stopped.errors };
}

const story = (events: AttackStepEvent[]) =>
  events
    .map(
      (e) =>
        `${e.step}: ${e.outcome} ${e.reason ?? ''}${e.outcome === 'failed' ? ` [${e.evidence.slice(0, 400)}]` : ''}`,
    )
    .join('\n');
const outcomes = (events: AttackStepEvent[]) => Object.fromEntries(events.map((e) => [e.step, e.outcome]));
const captured = (events: AttackStepEvent[], step: string) => events.find((e) => e.step === step)?.captured ?? {};

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
        outcomes(events),
        {
          'web-recon': 'succeeded',
          'web-compromise': 'succeeded',
          'webshell-loot': 'succeeded',
          deface: 'succeeded',
          'vendor-foothold': 'succeeded',
          'orders-theft': 'succeeded',
          ransomware: 'succeeded',
        },
        story(events),
      );
      // the web shell answered over HTTP from the Internet with the settings file on the web server,
      // and the account it gave away (the range's own secret, never read from the answer key) opened
      // the order system from the vendor's line
      const loot = captured(events, 'webshell-loot');
      assert.equal(loot.found_user, 'asol');
      const conf = (await sh(engine, c('web'), 'cat /var/www/maint/asol-sync.conf')).stdout;
      assert.ok(conf.includes(`ASOL_PASSWORD=${loot.found_password}`), conf);
      assert.equal(loot.found_password, facts.maint_password);
      await soc.find('the web shell called from the Internet', { grep: `${ip('attacker')} - - `, node: 'web' });
      await soc.find('the remote-support login from the vendor line', {
        grep: `${ip('vendor')} user=asol`,
        node: 'orders',
      });
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
        outcomes(events),
        {
          foothold: 'succeeded',
          'ad-discovery': 'succeeded',
          'credential-theft': 'succeeded',
          'ticket-crack': 'succeeded',
          'lateral-rnd': 'succeeded',
          'persist-key': 'succeeded',
          'persist-cron': 'succeeded',
          'collect-research': 'succeeded',
          'exfil-icmp': 'succeeded',
        },
        story(events),
      );
      // the ticket came from the DC over the network, and the password cracked from it is the one used
      assert.match(
        captured(events, 'credential-theft').tgs_ticket ?? '',
        new RegExp(`^\\$krb5tgs\\$23\\$\\*${facts.researcher}\\$`),
      );
      assert.deepEqual(captured(events, 'ticket-crack'), {
        stolen_user: facts.researcher,
        stolen_password: facts.researcher_password,
      });
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
  it(
    'B-2: the web shell removed as soon as it is planted — the vendor account is never read, nothing after happens',
    { timeout: 300_000 },
    async () => {
      const facts = planFor(loadScenario('b2-web-deface-ransomware'), { exercise: EX, team: 't01', seed: SEED }).facts;
      const sink = new TeamReacts('web-compromise', async () => {
        await sh(engine, c('web'), `rm -f /var/www/site/${facts.webshell}`);
      });
      const { events, cleanupErrors } = await play('b2-web-deface-ransomware', sink, 'b2-contained');
      assert.deepEqual(
        outcomes(events),
        {
          'web-recon': 'succeeded',
          'web-compromise': 'succeeded',
          'webshell-loot': 'failed',
          deface: 'skipped',
          'vendor-foothold': 'skipped',
          'orders-theft': 'skipped',
          ransomware: 'skipped',
        },
        story(events),
      );
      assert.deepEqual(cleanupErrors, []);
    },
  );

  it(
    'C: the planner disabled at the DC before the ticket request — nothing is stolen, R&D is never entered',
    { timeout: 300_000 },
    async () => {
      const facts = planFor(loadScenario('c-ad-lateral-rd-exfil'), { exercise: EX, team: 't01', seed: SEED }).facts;
      const sink = new TeamReacts('ad-discovery', async () => {
        await sh(engine, c('ad'), `samba-tool user disable ${facts.planner}`);
      });
      try {
        const { events, cleanupErrors } = await play('c-ad-lateral-rd-exfil', sink, 'c-contained');
        assert.deepEqual(
          outcomes(events),
          {
            foothold: 'succeeded',
            'ad-discovery': 'succeeded',
            'credential-theft': 'failed',
            'ticket-crack': 'skipped',
            'lateral-rnd': 'skipped',
            'persist-key': 'skipped',
            'persist-cron': 'skipped',
            'collect-research': 'skipped',
            'exfil-icmp': 'skipped',
          },
          story(events),
        );
        assert.deepEqual(cleanupErrors, []);
      } finally {
        await sh(engine, c('ad'), `samba-tool user enable ${facts.planner}`);
      }
    },
  );
});
