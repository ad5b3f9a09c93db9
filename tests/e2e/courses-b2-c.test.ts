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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import type { StoredEvent, TeamTimeline } from '../../protocol/index.js';
import { attachTraineeAccess, attackPort, reportingPort, scoringPort } from '../../server/index.js';
import { repoRoot } from '../../core/index.js';
import { chromium, type Browser } from 'playwright-core';
import { ADMIN, connect, join, startServer, type Client, type Running } from '../server/helpers.js';
import { until } from '../helpers/until.js';

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

/**
 * Incidents as they arrive, through the real exercise server on its own B-2 range: the team's SOC
 * raises alerts from its rules over the logs it collected, the scenario's injects and an
 * instructor's inject reach the trainee's socket as the trainee may see them (no rule, no expected
 * reaction), the vendor answers a trainee's question with the scenario's text, and all of it is on
 * the after-action timeline, with the reaction to an inject judged from the team's report.
 */
describe('B-2 through the exercise server: SOC alerts, injects and the vendor', () => {
  const SX = 'h17-e2e-srv';
  const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-e2e-b2srv-'));
  let run: Running;
  let browser: Browser | undefined;
  let access: Awaited<ReturnType<typeof attachTraineeAccess>> | undefined;
  const sockets: Client[] = [];

  afterAll(async () => {
    await browser?.close();
    await access?.close();
    for (const s of sockets) s.close();
    await run?.server.close();
    if (engine) await new RangeManager(engine).down({ exercise: SX });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'alerts, injects and a vendor answer reach the trainee and the after-action timeline',
    { timeout: 900_000 },
    async () => {
      // the chains above are done: their range goes, this one comes
      await ranges.down({ exercise: EX });
      await ranges.down({ exercise: SX });
      run = await startServer({
        dataDir,
        engine,
        attack: attackPort(),
        scoring: scoringPort(),
        reporting: reportingPort(),
        checkIntervalMs: 5000,
        alertIntervalMs: 2000,
        limits: { loginPerMinute: 100, submissionsPerMinute: 100 },
      });
      // the web app from the current source, served by this server: the panels are checked as people see them
      const { build } = await import('vite');
      await build({ configFile: joinPath(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
      access = await attachTraineeAccess(run.server, { engine, dataDir, sshPort: false });
      assert.ok(access.webServed, 'the built web app is served');
      const admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
      const created = await run.api(
        'POST',
        '/api/exercises',
        {
          id: SX,
          course: 'B-2',
          scenario: 'b2-web-deface-ransomware',
          seed: 17,
          speed: SPEED,
          teams: [{ name: 'Blue', members: ['sato'] }],
        },
        admin,
      );
      assert.equal(created.status, 201, created.text);
      const t0 = Date.now();
      let state = '';
      for (let attempt = 1; attempt <= 2 && state !== 'ready'; attempt++) {
        assert.equal((await run.api('POST', `/api/exercises/${SX}/provision`, {}, admin)).status, 202);
        state = await until(
          'the range built',
          () => {
            const x = run.server.store.exercises.get(SX);
            return x.state === 'ready' || x.state === 'created' ? x.state : undefined;
          },
          600_000,
        );
      }
      assert.equal(state, 'ready');
      timings['server-provision'] = (Date.now() - t0) / 1000;
      const { teams } = (
        await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${SX}`, undefined, admin)
      ).body;
      const token = (
        await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[0]!.joinCode, name: 'sato' })
      ).body.token;
      const trainee = await connect(run.url, token);
      sockets.push(trainee);
      const got: StoredEvent[] = [];
      trainee.on('event', (e) => got.push(e));
      assert.ok((await join(trainee, SX, 't01')).ok);

      assert.equal((await run.api('POST', `/api/exercises/${SX}/start`, {}, admin)).status, 200);
      const seen = (what: string, f: (e: StoredEvent) => boolean, ms = 300_000) => until(what, () => got.find(f), ms);

      // the SOC's alerts from its own rules over what it collected: the scan, then the web shell
      const scan = await seen('a web-scan alert', (e) => e.type === 'soc.alert' && e.title.en.startsWith('Scan'));
      const shell = await seen('a web-shell alert', (e) => e.type === 'soc.alert' && /web shell/.test(e.title.en));
      for (const a of [scan, shell]) {
        assert.ok(a.type === 'soc.alert');
        assert.equal(a.node, 'web');
        assert.equal(a.rule, '', 'the rule behind an alert stays with staff');
        assert.ok(!Object.hasOwn(a, 'evidence'), 'the matched lines stay with staff: the team reads its own log');
        assert.ok(a.since && Date.parse(a.since) <= Date.parse(a.at), 'where the team’s own search starts');
      }
      // staff see the rule and the lines: the web shell called from the Internet
      assert.ok(shell.type === 'soc.alert');
      const staffAlert = run.server.store.events.list(SX).find((e) => e.type === 'soc.alert' && e.id === shell.id);
      assert.ok(staffAlert?.type === 'soc.alert' && staffAlert.rule === 'web-shell-request');
      assert.ok(
        staffAlert.evidence.some((l) => /\.cgi\?c=/.test(l)),
        staffAlert.evidence.join('\n'),
      );

      // the scenario's inject after the defacement: the citizen's call, without its expectations
      const call = await seen('the citizen call', (e) => e.type === 'inject.sent' && e.id === 'sc-citizen-call');
      assert.ok(call.type === 'inject.sent' && call.kind === 'citizen-call' && /ホームページ/.test(call.message.ja));

      // the vendor answers a trainee's question with the scenario's text, after its delay
      const asked = await run.api<{ id: string }>(
        'POST',
        `/api/exercises/${SX}/teams/t01/vendor`,
        { topic: 'maint-account', question: '保守用アカウントを最近使いましたか？' },
        token,
      );
      assert.equal(asked.status, 201, asked.text);
      const answer = await seen(
        'the vendor answer',
        (e) => e.type === 'vendor.answered' && e.id === asked.body.id,
        120_000,
      );
      assert.ok(answer.type === 'vendor.answered' && /保守接続は先月の定期作業以降ありません/.test(answer.answer.ja));
      const unknown = await run.api('POST', `/api/exercises/${SX}/teams/t01/vendor`, { topic: 'nope' }, token);
      assert.equal(unknown.status, 400, unknown.text);

      // an instructor's inject by hand to every team, asking for a report within 10 minutes
      const sent = await run.api<{ sent: { team: string; id: string }[] }>(
        'POST',
        `/api/exercises/${SX}/injects`,
        {
          teams: 'all',
          kind: 'ministry',
          from: '所管省庁',
          message: { ja: '状況を10分以内に報告してください。' },
          expect: { kind: 'report', withinMinutes: 10 },
        },
        admin,
      );
      assert.equal(sent.status, 201, sent.text);
      const byHand = await seen(
        'the instructor inject',
        (e) => e.type === 'inject.sent' && e.id === sent.body.sent[0]!.id,
      );
      assert.ok(byHand.type === 'inject.sent' && !('expect' in byHand), 'the expected reaction stays with staff');
      assert.equal((await run.api('POST', `/api/exercises/${SX}/injects`, { teams: 'all' }, token)).status, 403);
      const report = await run.api(
        'POST',
        `/api/exercises/${SX}/teams/t01/reports`,
        {
          kind: 'first',
          language: 'ja',
          fields: {
            occurredAt: '本日',
            affected: '公開Webサーバ',
            cause: '調査中',
            outlook: '本日中に復旧見込み',
            alternatives: 'お問い合わせは電話で受け付けます',
            actions: 'Webサーバを調べています',
          },
        },
        token,
      );
      assert.equal(report.status, 200, report.text);

      // the trainee's panel: the due time of the inject, never the rule or the expectation
      const panel = await run.api<{ items: Record<string, unknown>[]; topics: { id: string }[] }>(
        'GET',
        `/api/exercises/${SX}/teams/t01/incidents`,
        undefined,
        token,
      );
      assert.equal(panel.status, 200, panel.text);
      assert.ok(panel.body.topics.some((t) => t.id === 'maint-account'));
      assert.ok(!JSON.stringify(panel.body).includes('web-shell-request'), 'no rule id in the trainee panel');
      assert.ok(panel.body.items.some((i) => i.id === byHand.id && typeof i.dueAt === 'string' && !('expect' in i)));

      // what the trainee sees in the workspace: the alert, the vendor's answer; and an inject an
      // instructor sends from the console appears there
      browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
      });
      const tp = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
      await tp.goto(run.url);
      await tp.fill('#join-code', teams[0]!.joinCode);
      await tp.fill('#join-name', 'sato');
      await tp.locator('#join-name').press('Enter');
      const shown = tp.locator('[data-testid=incidents]');
      await shown.getByText('Webシェルの疑い', { exact: false }).first().waitFor({ timeout: 60_000 });
      await shown.getByText('保守接続は先月の定期作業以降ありません', { exact: false }).waitFor({ timeout: 60_000 });
      assert.ok((await tp.locator('[data-testid=vendor-form] select[name=topic] option').count()) >= 3);
      const ip = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
      await ip.goto(run.url);
      await ip.fill('#login-user', ADMIN.user);
      await ip.fill('#login-password', ADMIN.password);
      await ip.locator('#login-password').press('Enter');
      await ip.getByRole('heading', { name: '演習の一覧' }).waitFor({ timeout: 30_000 });
      await ip.goto(`${run.url}/#/instructor/${SX}`);
      const form = ip.locator('[data-testid=inject-form]');
      await form.waitFor({ timeout: 60_000 });
      await form.locator('#inj-kind').selectOption('press');
      await form.locator('#inj-from').fill('地元新聞社');
      await form.locator('#inj-ja').fill('ホームページの件で取材したいのですが、担当の方はいますか。');
      await form.locator('button[type=submit]').click();
      await form.getByRole('status').waitFor({ timeout: 30_000 });
      await shown.getByText('ホームページの件で取材したい', { exact: false }).waitFor({ timeout: 60_000 });
      assert.ok(await shown.getByText('報道機関からの問い合わせ', { exact: false }).count());

      // the after-action timeline: alerts and injects on the incident lane, the reaction judged
      const tl = await run.api<TeamTimeline>('GET', `/api/exercises/${SX}/teams/t01/timeline`, undefined, admin);
      assert.equal(tl.status, 200, tl.text);
      const lane = tl.body.entries.filter((e) => e.lane === 'incident');
      assert.ok(
        lane.some((e) => e.type === 'soc.alert' && /Webシェル/.test(e.summary.ja)),
        JSON.stringify(lane),
      );
      assert.ok(lane.some((e) => e.type === 'vendor.answered'));
      const handLine = lane.find((e) => e.seq === byHand.seq);
      assert.match(handLine?.summary.en ?? '', /answered in time/);
      // and the reaction earned its reporting points, in the team's own breakdown
      const own = await run.api<{ score: { detail?: { code: string; points: number }[] } | null }>(
        'GET',
        `/api/exercises/${SX}/teams/t01/score`,
        undefined,
        token,
      );
      assert.ok(
        own.body.score?.detail?.some((i) => i.code === 'reporting.inject' && i.points > 0),
        own.text,
      );
      await until(
        'the attack to finish',
        () => run.server.store.events.list(SX).find((e) => e.type === 'attack.finished'),
        300_000,
      );
    },
  );
});
