/**
 * The shipped scenarios' containment and recovery checks on one real team of their range (cyder-standard
 * for courses A, B-2 and C; lg-three-layer for B-1), each
 * both ways: after the effect its step leaves in the range (reproduced here directly, as the
 * step's action leaves it) the check is false; after the fix a trainee would make (kill the
 * implant, remove the file, add the FW rule, disable the account…) it is true. Plus: a step's
 * checks wait for the step, and checks leave no trace — nothing in the node's `ps`, nothing in
 * the SOC's log search (FW, proxy, syslog) — and answer within the check interval.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { groundTruth, loadScenario, planFor, type Scenario } from '../../attacker/index.js';
import type { GroundTruth } from '../../core/index.js';
import {
  loadTopologyById,
  RangeManager,
  type Engine,
  type ExerciseStatus,
  type Topology,
} from '../../orchestrator/index.js';
import type { CheckResultEvent, EnshuEvent } from '../../protocol/index.js';
import { Checker } from '../../server/index.js';
import { Soc } from '../e2e/soc.js';
import { engineWithImages, sh } from '../helpers/range.js';

// ENSHU_TEST_EXERCISE: another id, so two checkouts can run this file side by side on one engine
const EX = process.env.ENSHU_TEST_EXERCISE ?? 'ck-checks';
/** course B-1's range, brought up after the cyder-standard one is down */
const EX_B1 = `${EX}-b1`;
const SEED = 'ck-checks';
const TEAM = 't01';
const topology = loadTopologyById('cyder-standard');
/** ENSHU_KEEP_RANGE=1 keeps the range between runs (the test undoes its fixes) */
const KEEP = !!process.env.ENSHU_KEEP_RANGE;
/** the exercise whose range the checks look at now (cyder-standard's, then B-1's) */
let ex = EX;
const c = (node: string) => `enshu-${ex}-${TEAM}-${node}`;
/** how the checker names a team's step (server/checker `checkKey`) */
const checkKey = (team: string, step: string) => `${team}/${step}`;

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let ips: Record<string, string>;
const ip = (node: string) => ips[node]!;

async function run(node: string, script: string): Promise<string> {
  const r = await sh(engine, c(node), script, 60_000);
  assert.equal(r.exitCode, 0, `${node}: ${script}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** The FW's ruleset back to what the range started with (the rendered rules, with the probe rule). */
const resetFw = () => run('fw', 'nft -f /etc/nftables.conf');
const block = (rule: string) => run('fw', `nft insert rule inet filter forward ${rule}`);

interface Loaded {
  sc: Scenario;
  truth: GroundTruth;
  facts: Record<string, string>;
}
function load(id: string): Loaded {
  const sc = loadScenario(id);
  const ctx = { exercise: ex, team: TEAM, seed: SEED, ips };
  return { sc, truth: groundTruth(sc, ctx), facts: planFor(sc, ctx).facts };
}

/** Only the given checks of a truth. */
function only(truth: GroundTruth, ids: string[]): GroundTruth {
  const keep = <T extends { id: string }>(l: T[]) => l.filter((x) => ids.includes(x.id));
  return {
    ...truth,
    steps: truth.steps.map((s) => ({ ...s, containment: keep(s.containment), recovery: keep(s.recovery) })),
    availability: keep(truth.availability),
  };
}

function checker(truth: GroundTruth, done: Set<string>, events: EnshuEvent[]) {
  return new Checker({
    engine,
    exercise: ex,
    truths: new Map([[TEAM, truth]]),
    timeoutMs: 8000,
    stepsDone: () => done,
    sink: {
      append: async (e) => {
        events.push(e);
        return { ...e, seq: events.length };
      },
    },
  });
}

/** Every step of the truth has happened: one round of a fresh checker records each check's value. */
async function results(l: Loaded, ids: string[]): Promise<Map<string, CheckResultEvent>> {
  const events: EnshuEvent[] = [];
  await checker(only(l.truth, ids), new Set(l.truth.steps.map((s) => checkKey(TEAM, s.id))), events).tick();
  const m = new Map<string, CheckResultEvent>();
  for (const e of events) if (e.type === 'check.result') m.set(e.check, e);
  for (const id of ids) assert.ok(m.has(id), `${id} ran`);
  return m;
}

async function expect(l: Loaded, want: Record<string, boolean>, when: string) {
  const r = await results(l, Object.keys(want));
  for (const [id, passed] of Object.entries(want))
    assert.equal(r.get(id)!.passed, passed, `${id} ${when}: ${r.get(id)!.detail}`);
}

/** a benign stand-in for the implant: a shell script looping in /tmp/.<name>/<name>, run as the user */
async function startImplant(node: string, user: string, name: string) {
  await run(
    node,
    `mkdir -p /tmp/.${name} && printf '#!/bin/sh\\nwhile :; do sleep 2; done\\n' > /tmp/.${name}/${name} && chmod 755 /tmp/.${name}/${name} && chown -R ${user} /tmp/.${name} && su -s /bin/sh ${user} -c 'setsid /tmp/.${name}/${name} >/dev/null 2>&1 < /dev/null &'`,
  );
  await run(node, `sleep 0.3; ps -eo args | grep -v grep | grep -q '/tmp/.${name}/${name}'`);
}

/** One team of `topology` up for `exercise`; `ips` maps node → first address and node.segment → each. */
async function upRange(exercise: string, topology: Topology) {
  if (!KEEP) await ranges.down({ exercise });
  status = await ranges.up({ exercise, topology, teams: 1, seed: SEED }).catch((err: Error) => {
    console.error(`# first up failed: ${err.message}`);
    return ranges.up({ exercise, topology, teams: 1, seed: SEED });
  });
  const prefix = `enshu-${exercise}-${TEAM}-`;
  ips = {};
  for (const n of status.teams[0]!.nodes) {
    const entries = Object.entries(n.ips).sort(([a], [b]) => a.localeCompare(b));
    if (entries[0]) ips[n.node] = entries[0][1];
    for (const [net, addr] of entries) ips[`${n.node}.${net.slice(prefix.length)}`] = addr;
  }
  await resetFw();
}

beforeAll(async () => {
  const b1Roles = loadTopologyById('lg-three-layer').nodes.map((n) => n.role);
  engine = await engineWithImages([...new Set([...topology.nodes.map((n) => n.role), ...b1Roles])]);
  ranges = new RangeManager(engine);
  await upRange(EX, topology);
}, 900_000);

afterAll(async () => {
  if (!KEEP) {
    await ranges?.down({ exercise: EX });
    await ranges?.down({ exercise: EX_B1 });
  }
});

describe('scenario checks on a real cyder-standard team', () => {
  it('a step’s checks run only once the step has succeeded; before that they record nothing', async () => {
    const a = load('a-phishing-c2-exfil');
    const done = new Set<string>();
    const events: EnshuEvent[] = [];
    const ck = checker(a.truth, done, events);
    await ck.tick();
    const checked = () => new Set(events.flatMap((e) => (e.type === 'check.result' ? [e.check] : [])));
    assert.deepEqual(
      [...checked()].sort(),
      a.truth.availability.map((x) => x.id).sort(),
      'before the attack only the availability checks run',
    );
    assert.ok(
      events.every((e) => e.type !== 'check.result' || e.passed),
      `the services are up: ${JSON.stringify(events)}`,
    );
    done.add(checkKey(TEAM, 'c2-beacon'));
    await ck.tick();
    assert.deepEqual(
      [...checked()].filter((id) => !a.truth.availability.some((x) => x.id === id)).sort(),
      ['c2-blocked-at-proxy', 'implant-killed', 'implant-removed'],
      'once c2-beacon succeeded, its checks (and only those) run',
    );
  });

  it('course A: every check false after its step’s effect, true after the fix', { timeout: 300_000 }, async () => {
    const a = load('a-phishing-c2-exfil');
    const f = a.facts;
    const [victim, implant, att] = [f.victim!, f.implant_name!, ip('attacker')];
    try {
      // the implant is not there yet: the process checks do not match themselves (they used to)
      await expect(a, { 'implant-killed': true, 'implant-stopped-discovery': true }, 'before any implant');

      // phishing-mail → the mail server refuses the sender
      await expect(a, { 'sender-blocked': false }, 'before the mail server refuses the sender');
      await run(
        'mail',
        `printf '%s REJECT\\n' '${f.sender}' > /etc/postfix/sender_access && postmap /etc/postfix/sender_access && postconf -e 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access' && (postfix reload || true)`,
      );
      await expect(a, { 'sender-blocked': true }, 'after the sender was refused');

      // user-opens → the attachment is removed
      const att1 = `/home/${victim}/Downloads/${f.attachment}`;
      await run(
        'pc1',
        `mkdir -p /home/${victim}/Downloads && echo x > '${att1}' && chown -R ${victim} /home/${victim}/Downloads`,
      );
      await expect(a, { 'attachment-removed': false }, 'while the attachment is there');
      await run('pc1', `rm -f '${att1}'`);
      await expect(a, { 'attachment-removed': true }, 'after the attachment was removed');

      // c2-beacon, discovery → the implant is killed, then removed
      await startImplant('pc1', victim, implant);
      await expect(
        a,
        { 'implant-killed': false, 'implant-stopped-discovery': false, 'implant-removed': false },
        'while the implant runs',
      );
      // pkill without a shell around it, as a trainee's `pkill -f` would
      const kill = await engine.exec.run(c('pc1'), ['pkill', '-f', `/tmp/.${implant}/`], { timeoutMs: 30_000 });
      assert.equal(kill.exitCode, 0, kill.stderr);
      await expect(
        a,
        { 'implant-killed': true, 'implant-stopped-discovery': true, 'implant-removed': false },
        'after the kill',
      );
      await run('pc1', `rm -rf /tmp/.${implant}`);
      await expect(a, { 'implant-removed': true }, 'after the implant was removed');

      // c2-beacon → the C2 is blocked on the proxy's way out (at the FW) …
      await expect(a, { 'c2-blocked-at-proxy': false, 'exfil-blocked': false }, 'while the proxy reaches the C2');
      await block(`ip daddr ${att} jump blocked`);
      await expect(a, { 'c2-blocked-at-proxy': true, 'exfil-blocked': true }, 'after the FW blocks the C2');
      await resetFw();
      await expect(a, { 'exfil-blocked': false }, 'after the FW rule was removed');
      // … or in the proxy itself (exfiltrate → the proxy refuses the attacker)
      await run(
        'proxy',
        `cp /etc/squid/squid.conf /tmp/ck-squid.conf && sed -i '0,/^http_access/s//acl ck_c2 dst ${att}\\nhttp_access deny ck_c2\\nhttp_access/' /etc/squid/squid.conf && squid -k reconfigure && sleep 2`,
      );
      await expect(a, { 'c2-blocked-at-proxy': true, 'exfil-blocked': true }, 'after the proxy denies the C2');
      await run('proxy', 'cp /tmp/ck-squid.conf /etc/squid/squid.conf && squid -k reconfigure && sleep 2');

      // c2-direct → direct traffic to the Internet blocked (an office FW that let it out, then the fix)
      await run('attacker', `(setsid nc -lk 443 >/dev/null 2>&1 </dev/null &)`);
      await block(`ip daddr ${att} tcp dport 443 accept`);
      await expect(a, { 'direct-out-blocked': false }, 'while the PC reaches the attacker on 443');
      await block(`ip daddr ${att} tcp dport 443 jump blocked`);
      await expect(a, { 'direct-out-blocked': true }, 'after the FW blocks it');

      // collect → the employee's account disabled on the file server
      await expect(a, { 'victim-account-locked': false }, 'while the stolen password works');
      await run('file', `smbpasswd -d ${victim}`);
      await expect(a, { 'victim-account-locked': true }, 'after the account was disabled');
      await run('file', `smbpasswd -e ${victim}`);
    } finally {
      await resetFw();
      await sh(engine, c('attacker'), 'pkill -f "nc -lk 443"');
      await sh(
        engine,
        c('mail'),
        'postconf -X smtpd_sender_restrictions; rm -f /etc/postfix/sender_access*; postfix reload || true',
      );
      await sh(engine, c('pc1'), `pkill -f /tmp/.${implant}/; rm -rf /tmp/.${implant}`);
    }
  });

  it('course B-2: every check false after its step’s effect, true after the fix', { timeout: 300_000 }, async () => {
    const b = load('b2-web-deface-ransomware');
    const f = b.facts;
    try {
      // web-recon → the scanner blocked at the FW
      await expect(b, { 'scanner-blocked': false }, 'while the attacker reaches the site');
      await block(`ip saddr ${ip('attacker')} jump blocked`);
      await expect(b, { 'scanner-blocked': true }, 'after the FW blocks the attacker');
      await resetFw();

      // web-compromise → the web shell removed
      const shell = `/var/www/site/${f.webshell}`;
      await run('web', `printf '<!-- %s -->\\n' ${f.ransom_id} > ${shell}`);
      await expect(b, { 'webshell-removed': false, 'webshell-gone': false }, 'while the web shell is there');
      await run('web', `rm -f ${shell}`);
      await expect(b, { 'webshell-removed': true, 'webshell-gone': true }, 'after the web shell was removed');

      // deface → the page restored
      await run(
        'web',
        `cp /var/www/site/index.html /tmp/ck-index.html && printf '<h1>%s</h1>\\n' ${f.marker} > /var/www/site/index.html`,
      );
      await expect(b, { 'site-restored': false }, 'while the page is defaced');
      await run('web', 'cp /tmp/ck-index.html /var/www/site/index.html');
      await expect(b, { 'site-restored': true }, 'after the page was restored');

      // vendor-foothold → the vendor line closed at the FW
      await expect(b, { 'vendor-line-closed': false }, 'while the vendor line is open');
      await block(`ip saddr ${ip('vendor')} ip daddr ${ip('orders')} jump blocked`);
      await expect(b, { 'vendor-line-closed': true }, 'after the FW closes it');
      await resetFw();

      // vendor-foothold → the remote-support account's password (found on the web server) changed
      await expect(b, { 'maint-password-changed': false }, 'while the found password works');
      await run(
        'orders',
        `python3 - <<'PY'
import hashlib, secrets, sqlite3
salt = secrets.token_hex(8)
pw = salt + "$" + hashlib.pbkdf2_hmac("sha256", b"Ck-New-Passw0rd", salt.encode(), 50_000).hex()
db = sqlite3.connect("/var/lib/orders/orders.db")
db.execute("UPDATE users SET password = ? WHERE name = 'asol'", (pw,))
db.commit()
PY`,
      );
      await expect(b, { 'maint-password-changed': true }, 'after the password was changed');
      await run('orders', '/usr/local/bin/orders-app init');
      await expect(b, { 'maint-password-changed': false }, 'after the old password was put back');

      // orders-theft → the buyer's order-system password changed
      await expect(b, { 'buyer-password-changed': false }, 'while the stolen password works');
      await run(
        'orders',
        `python3 - ${f.buyer} <<'PY'
import hashlib, secrets, sqlite3, sys
salt = secrets.token_hex(8)
pw = salt + "$" + hashlib.pbkdf2_hmac("sha256", b"Ck-New-Passw0rd", salt.encode(), 50_000).hex()
db = sqlite3.connect("/var/lib/orders/orders.db")
db.execute("UPDATE users SET password = ? WHERE name = ?", (pw, sys.argv[1]))
db.commit()
PY`,
      );
      await expect(b, { 'buyer-password-changed': true }, 'after the password was changed');
      await run('orders', '/usr/local/bin/orders-app init');
      await expect(b, { 'buyer-password-changed': false }, 'after the old password was put back');

      // ransomware → the share decrypted and the note removed
      await run(
        'file',
        `cd /srv/shares/kyoyu && for x in *.txt; do cp "$x" "$x.locked"; break; done && echo 'ID ${f.ransom_id}' > README-DECRYPT.txt && ls *.locked`,
      );
      await expect(b, { 'share-decrypted': false }, 'while encrypted files are there');
      await run('file', 'cd /srv/shares/kyoyu && rm -f *.locked');
      await expect(b, { 'share-decrypted': false }, 'while the ransom note is there');
      await run('file', 'rm -f /srv/shares/kyoyu/README-DECRYPT.txt');
      await expect(b, { 'share-decrypted': true }, 'after the share was restored');
    } finally {
      await resetFw();
      await sh(
        engine,
        c('web'),
        `rm -f /var/www/site/${f.webshell}; test -f /tmp/ck-index.html && cp /tmp/ck-index.html /var/www/site/index.html`,
      );
      await sh(engine, c('orders'), '/usr/local/bin/orders-app init');
      await sh(engine, c('file'), 'rm -f /srv/shares/kyoyu/*.locked /srv/shares/kyoyu/README-DECRYPT.txt');
    }
  });

  it('course C: every check false after its step’s effect, true after the fix', { timeout: 300_000 }, async () => {
    const l = load('c-ad-lateral-rd-exfil');
    const f = l.facts;
    const [planner, researcher] = [f.planner!, f.researcher!];
    try {
      // foothold → the implant killed
      await startImplant('pc3', planner, f.implant_name!);
      await expect(l, { 'foothold-killed': false }, 'while the implant runs');
      const kill = await engine.exec.run(c('pc3'), ['pkill', '-f', `/tmp/.${f.implant_name}/`], { timeoutMs: 30_000 });
      assert.equal(kill.exitCode, 0, kill.stderr);
      await expect(l, { 'foothold-killed': true }, 'after the kill');

      // ad-discovery → the planner's account disabled in AD
      await expect(l, { 'planner-disabled': false }, 'while the planner’s password works');
      await run('ad', `samba-tool user disable ${planner}`);
      await expect(l, { 'planner-disabled': true }, 'after the account was disabled');
      await run('ad', `samba-tool user enable ${planner}`);
      await expect(l, { 'planner-disabled': false }, 'after the account was enabled again');

      // credential-theft → the researcher's AD password reset
      await expect(l, { 'researcher-password-reset': false }, 'while the stolen password works');
      await run('ad', `samba-tool user setpassword ${researcher} --newpassword='Ck-Reset-Passw0rd!'`);
      await expect(l, { 'researcher-password-reset': true }, 'after the password was reset');

      // ticket-crack → the cracked password no longer opens the R&D PC
      await expect(l, { 'cracked-password-useless': false }, 'while the cracked password opens the R&D PC');
      await run('pc5', `usermod -L ${researcher}`);
      await expect(l, { 'cracked-password-useless': true }, 'after the account was locked there');
      await run('pc5', `usermod -U ${researcher}`);
      await expect(l, { 'cracked-password-useless': false }, 'after it was unlocked');

      // lateral-rnd → SSH from the business network into R&D blocked at the FW
      await expect(l, { 'ssh-into-rnd-blocked': false }, 'while the Planning PC reaches the R&D PC');
      await block(`ip daddr ${ip('pc5')} tcp dport 22 jump blocked`);
      await expect(l, { 'ssh-into-rnd-blocked': true }, 'after the FW blocks it');
      await resetFw();

      // persist-key → the rogue key removed
      const keys = `/home/${researcher}/.ssh/authorized_keys`;
      await run('pc5', `mkdir -p /home/${researcher}/.ssh && echo '${f.backdoor_key}' >> ${keys}`);
      await expect(l, { 'key-removed': false }, 'while the rogue key is there');
      await run('pc5', `sed -i '/enshu-${TEAM}/d' ${keys}`);
      await expect(l, { 'key-removed': true }, 'after the key was removed');

      // persist-cron → the rogue cron job removed
      await run(
        'pc5',
        `echo '*/10 * * * * ping -c 1 -p 656e736875 ${ip('attacker')} >/dev/null 2>&1' | crontab -u ${researcher} -`,
      );
      await expect(l, { 'cron-removed': false }, 'while the cron job is there');
      await run('pc5', `crontab -u ${researcher} -r`);
      await expect(l, { 'cron-removed': true }, 'after the cron job was removed');

      // collect-research → the stolen password no longer opens the research server
      await expect(l, { 'research-login-refused': false }, 'while the stolen password works there');
      await run('research', `usermod -L ${researcher}`);
      await expect(l, { 'research-login-refused': true }, 'after the account was locked there');
      await run('research', `usermod -U ${researcher}`);
      await expect(l, { 'research-login-refused': false }, 'after it was unlocked');
      await run('research', `echo 'DenyUsers ${researcher}' > /etc/ssh/sshd_config.d/ck-deny.conf`);
      await expect(l, { 'research-login-refused': true }, 'after sshd denies the account');
      await run('research', 'rm -f /etc/ssh/sshd_config.d/ck-deny.conf');

      // exfil-icmp → ICMP to the outside blocked
      await expect(l, { 'icmp-out-blocked': false }, 'while the research server pings out');
      await block(`ip saddr ${ip('research')} ip daddr ${ip('attacker')} icmp type echo-request jump blocked`);
      await expect(l, { 'icmp-out-blocked': true }, 'after the FW blocks it');
    } finally {
      await resetFw();
      await sh(engine, c('pc3'), `pkill -f /tmp/.${f.implant_name}/; rm -rf /tmp/.${f.implant_name}`);
      await sh(engine, c('ad'), `samba-tool user enable ${planner}`);
      // the stolen password back, so that the range is as the attack left it (ENSHU_KEEP_RANGE runs again)
      await sh(engine, c('ad'), `samba-tool user setpassword ${researcher} --newpassword='${f.researcher_password}'`);
      await sh(engine, c('research'), `usermod -U ${researcher}; rm -f /etc/ssh/sshd_config.d/ck-deny.conf`);
      await sh(engine, c('pc5'), `usermod -U ${researcher}`);
      await sh(
        engine,
        c('pc5'),
        `crontab -u ${researcher} -r; sed -i '/enshu-${TEAM}/d' /home/${researcher}/.ssh/authorized_keys`,
      );
    }
  });

  it(
    'checks leave no trace: nothing in the PC’s ps, nothing in the SOC’s log search, answers within the interval',
    { timeout: 300_000 },
    async () => {
      const a = load('a-phishing-c2-exfil');
      const f = a.facts;
      const att = ip('attacker');
      const soc = new Soc(engine, c('soc'));
      const traces = async () => ({
        fw: (await soc.search({ grep: `DST=${att}`, node: 'fw' })).map((l) => l.msg),
        proxy: (await soc.search({ grep: att, node: 'proxy' })).map((l) => l.msg),
      });
      try {
        // the attack's effects on the PC
        await startImplant('pc1', f.victim!, f.implant_name!);
        const before = await traces();

        // every check of course A, all steps done: rounds with the C2 open (the proxy is asked) and
        // blocked at the FW (the probes are blocked there), while the PC lists its processes
        const events: EnshuEvent[] = [];
        const ck = checker(a.truth, new Set(a.truth.steps.map((s) => checkKey(TEAM, s.id))), events);
        const ps = sh(engine, c('pc1'), 'for i in $(seq 1 150); do ps -eo args; echo ---; sleep 0.05; done', 120_000);
        const took: number[] = [];
        const round = async () => {
          const t0 = Date.now();
          await ck.tick();
          took.push(Date.now() - t0);
        };
        await round();
        assert.ok(
          events.some((e) => e.type === 'check.result' && e.check === 'c2-blocked-at-proxy' && !e.passed),
          'the proxy was asked and fetched from the C2',
        );
        await block(`ip daddr ${att} jump blocked`);
        await round();
        await round();
        const seen = (await ps).stdout.split('\n').filter((l) => l && l !== '---' && l !== 'COMMAND');
        assert.ok(
          !seen.some((l) => /nc -z|pgrep|enshu-check|@@enshu|ping -n|proc\/net|pdbedit|test -e|perl/.test(l)),
          `no checker process showed in the PC: ${[...new Set(seen)].join(' | ')}`,
        );
        assert.ok(
          events.some((e) => e.type === 'check.result' && e.check === 'implant-killed' && !e.passed),
          'the checks did look at the PC',
        );
        assert.ok(
          events.some((e) => e.type === 'check.result' && e.check === 'c2-blocked-at-proxy' && e.passed),
          'the probes crossed the FW and were blocked there',
        );
        // results reach the store within the default 10 s interval
        assert.ok(Math.max(...took) < 10_000, `a round of course A's checks took ${took.join(', ')} ms`);
        console.error(`# a round of all course A checks took ${took.join(', ')} ms`);

        // give shipping time, then: nothing from the checker in the FW's or the proxy's log
        const waited = Date.now();
        await new Promise((r) => setTimeout(r, 8000));
        const after = await traces();
        assert.deepEqual(after, before, 'the checker left no line in the SOC');
        // an ordinary blocked packet from the PC is logged and shipped within that wait
        const sent = Date.now();
        await sh(engine, c('pc1'), `nc -z -n -w 2 ${att} 8080`);
        await soc.find('the FW logging an ordinary blocked packet', { grep: `DST=${att}`, node: 'fw' }, 30_000);
        const shipped = Date.now() - sent;
        assert.ok(shipped < sent - waited, `log shipping (${shipped} ms) is faster than the wait`);
        assert.ok(
          (await traces()).fw.every((l) => !/TOS=0xB4/i.test(l)),
          'no FW line carries the checker’s mark',
        );

        // course C's checks while their paths are open: the SSH probe is half-open (sshd logs a bare
        // connection, but no connection is made), the account probes sign nobody in
        const cl = load('c-ad-lateral-rd-exfil');
        const quiet = async () => ({
          // (pc5's own health check connects from 127.0.0.1)
          sshd: (await soc.search({ grep: 'Connection closed by', node: 'pc5' })).filter((l) =>
            /Connection closed by (?!127\.0\.0\.1 )[0-9]/.test(l.msg),
          ).length,
          auth: (await soc.search({ grep: cl.facts.researcher!, node: 'ad' })).length,
          planner: (await soc.search({ grep: cl.facts.planner!, node: 'ad' })).length,
        });
        const q0 = await quiet();
        const cEvents: EnshuEvent[] = [];
        await checker(cl.truth, new Set(cl.truth.steps.map((s) => checkKey(TEAM, s.id))), cEvents).tick();
        const ssh = cEvents.find((e) => e.type === 'check.result' && e.check === 'ssh-into-rnd-blocked');
        assert.equal(ssh?.type === 'check.result' && ssh.passed, false, 'the probe found SSH open');
        await new Promise((r) => setTimeout(r, 5000));
        assert.deepEqual(await quiet(), q0, 'no sshd or AD line from the checks');
      } finally {
        await resetFw();
        await sh(engine, c('pc1'), `pkill -f /tmp/.${f.implant_name}/; rm -rf /tmp/.${f.implant_name}`);
      }
    },
  );
});

describe('scenario checks on a real lg-three-layer team (course B-1)', () => {
  beforeAll(async () => {
    // one range at a time on a shared machine: cyder-standard's is done with
    if (!KEEP) await ranges.down({ exercise: EX });
    ex = EX_B1;
    await upRange(EX_B1, loadTopologyById('lg-three-layer'));
  }, 900_000);

  it('course B-1: every check false after its step’s effect, true after the fix', { timeout: 400_000 }, async () => {
    const l = load('b1-lg-separation');
    const f = l.facts;
    const [victim, implant, att] = [f.victim!, f.implant_name!, ip('attacker')];
    const script = `/home/${victim}/bin/lgwan-upload.sh`;
    try {
      // phishing-mail → the Internet mail server refuses the sender
      await expect(l, { 'sender-blocked': false }, 'before the mail server refuses the sender');
      await run(
        'inet-mail',
        `printf '%s REJECT\\n' '${f.sender}' > /etc/postfix/sender_access && postmap /etc/postfix/sender_access && postconf -e 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access' && (postfix reload || true)`,
      );
      await expect(l, { 'sender-blocked': true }, 'after the sender was refused');

      // user-opens → the attachment removed from the Internet-side PC
      const attachment = `/home/${victim}/Downloads/${f.attachment}`;
      await run('inet-pc', `mkdir -p /home/${victim}/Downloads && echo x > '${attachment}'`);
      await expect(l, { 'attachment-removed': false }, 'while the attachment is there');
      await run('inet-pc', `rm -f '${attachment}'`);
      await expect(l, { 'attachment-removed': true }, 'after the attachment was removed');

      // c2-beacon → the implant killed, then removed; the C2 (and the exfiltration) blocked
      await startImplant('inet-pc', victim, implant);
      await expect(l, { 'implant-killed': false, 'implant-removed': false }, 'while the implant runs');
      const kill = await engine.exec.run(c('inet-pc'), ['pkill', '-f', `/tmp/.${implant}/`], { timeoutMs: 30_000 });
      assert.equal(kill.exitCode, 0, kill.stderr);
      await expect(l, { 'implant-killed': true, 'implant-removed': false }, 'after the kill');
      await run('inet-pc', `rm -rf /tmp/.${implant}`);
      await expect(l, { 'implant-removed': true }, 'after the implant was removed');
      await expect(l, { 'c2-blocked-at-proxy': false, 'exfil-blocked': false }, 'while the proxy reaches the C2');
      await block(`ip daddr ${att} jump blocked`);
      await expect(l, { 'c2-blocked-at-proxy': true, 'exfil-blocked': true }, 'after the FW blocks the C2');
      await resetFw();

      // upload-credential → the upload account locked or its password changed; the script cleaned
      await expect(l, { 'upload-password-changed': false }, 'while the found password works');
      await run('sanitizer', 'usermod -L inet-upload');
      await expect(l, { 'upload-password-changed': true }, 'after the account was locked');
      await run('sanitizer', 'usermod -U inet-upload');
      await expect(l, { 'upload-password-changed': false }, 'after it was unlocked');
      await run('sanitizer', "echo 'inet-upload:Ck-New-Upl0ad!' | chpasswd");
      await expect(l, { 'upload-password-changed': true }, 'after the password was changed');
      await expect(l, { 'script-cleaned': false }, 'while the script holds the password');
      await run('inet-pc', `sed -i "s/^UPLOAD_PASS=.*/UPLOAD_PASS=/" ${script}`);
      await expect(l, { 'script-cleaned': true }, 'after the password was removed from the script');

      // payload-upload → the vendor's exception removed
      await expect(l, { 'exception-removed': false }, 'while the exception is there');
      await run('sanitizer', "sed -i '/^pass /d' /etc/sanitizer/exceptions.conf");
      await expect(l, { 'exception-removed': true }, 'after the exception was removed');

      // payload-opened → the payload removed from the LGWAN PC and from the sanitizer's safe copies
      const [onPc, onSanitizer] = [`/home/${victim}/Downloads/${f.payload}`, `/srv/sanitizer/safe/${f.payload}`];
      await run('pc1', `mkdir -p /home/${victim}/Downloads && echo x > '${onPc}'`);
      await run('sanitizer', `echo x > '${onSanitizer}'`);
      await expect(l, { 'payload-removed': false }, 'while the payload is on both');
      await run('pc1', `rm -f '${onPc}'`);
      await expect(l, { 'payload-removed': false }, 'while the safe copy is still offered');
      await run('sanitizer', `rm -f '${onSanitizer}'`);
      await expect(l, { 'payload-removed': true }, 'after both were removed');

      // mynumber-access → the forgotten LGWAN → 住民記録 rule removed; the export removed
      await expect(l, { 'mynumber-rule-removed': false }, 'while the forgotten rule lets LGWAN in');
      const rules = await run('fw', 'nft -a list chain inet filter forward');
      const handle = /comment "住基システム更改[^"]*" # handle (\d+)/.exec(rules)?.[1];
      assert.ok(handle, rules);
      await run('fw', `nft delete rule inet filter forward handle ${handle}`);
      await expect(l, { 'mynumber-rule-removed': true }, 'after the rule was removed');
      await resetFw();
      await run('pc1', `mkdir -p /tmp/.${f.cache} && echo x > /tmp/.${f.cache}/r.csv`);
      await expect(l, { 'export-removed': false }, 'while the export is on the PC');
      await run('pc1', `rm -rf /tmp/.${f.cache}`);
      await expect(l, { 'export-removed': true }, 'after it was removed');

      // smb-to-lgwan → the separation holds (true as shipped); a path opened for "maintenance" makes it false
      await expect(l, { 'smb-path-closed': true }, 'while the FW keeps the layers apart');
      await block(`ip daddr ${ip('file')} tcp dport 445 accept`);
      await expect(l, { 'smb-path-closed': false }, 'while SMB from the Internet side is let through');
      await resetFw();
      await expect(l, { 'smb-path-closed': true }, 'after the opening was removed');

      // collect-inquiries → the collected copy removed
      await run('inet-pc', `mkdir -p /tmp/.${f.loot} && echo x > /tmp/.${f.loot}/list.csv`);
      await expect(l, { 'loot-removed': false }, 'while the collected copy is there');
      await run('inet-pc', `rm -rf /tmp/.${f.loot}`);
      await expect(l, { 'loot-removed': true }, 'after it was removed');
    } finally {
      await resetFw();
      await sh(
        engine,
        c('inet-mail'),
        'postconf -X smtpd_sender_restrictions; rm -f /etc/postfix/sender_access*; postfix reload || true',
      );
      await sh(
        engine,
        c('inet-pc'),
        `pkill -f /tmp/.${implant}/; rm -rf /tmp/.${implant} /tmp/.${f.loot}; /etc/enshu/init.d/30-office-files`,
      );
      await sh(
        engine,
        c('sanitizer'),
        `usermod -U inet-upload; echo 'inet-upload:${f.upload_secret}' | chpasswd; /etc/enshu/init.d/30-exceptions`,
      );
    }
  });
});

/**
 * The online courses' checks on their own range (online-small, one trainee), each both ways like
 * the group courses' above; their own exercise id, so the two ranges live side by side.
 */
describe('scenario checks on a real online-small range (online-intro, online-standard)', () => {
  const OEX = `${EX}-online`;
  const oc = (node: string) => `enshu-${OEX}-${TEAM}-${node}`;
  const otopology = loadTopologyById('online-small');
  const oips: Record<string, string> = {};
  const orun = async (node: string, script: string): Promise<string> => {
    const r = await sh(engine, oc(node), script, 60_000);
    assert.equal(r.exitCode, 0, `${node}: ${script}\n${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const oresetFw = () => orun('fw', 'nft -f /etc/nftables.conf');
  const oblock = (rule: string) => orun('fw', `nft insert rule inet filter forward ${rule}`);
  const oload = (id: string): Loaded => {
    const sc = loadScenario(id);
    const ctx = { exercise: OEX, team: TEAM, seed: SEED, ips: oips };
    return { sc, truth: groundTruth(sc, ctx), facts: planFor(sc, ctx).facts };
  };
  async function oexpect(l: Loaded, want: Record<string, boolean>, when: string) {
    const events: EnshuEvent[] = [];
    await new Checker({
      engine,
      exercise: OEX,
      truths: new Map([[TEAM, only(l.truth, Object.keys(want))]]),
      timeoutMs: 8000,
      stepsDone: () => new Set(l.truth.steps.map((s) => checkKey(TEAM, s.id))),
      sink: {
        append: async (e) => {
          events.push(e);
          return { ...e, seq: events.length };
        },
      },
    }).tick();
    const got = new Map(events.flatMap((e) => (e.type === 'check.result' ? [[e.check, e] as const] : [])));
    for (const [id, passed] of Object.entries(want)) {
      assert.ok(got.has(id), `${id} ran`);
      assert.equal(got.get(id)!.passed, passed, `${id} ${when}: ${got.get(id)!.detail}`);
    }
  }
  /** the implant's process, a benign loop, as the victim */
  async function ostartImplant(user: string, name: string) {
    await orun(
      'pc1',
      `mkdir -p /tmp/.${name} && printf '#!/bin/sh\\nwhile :; do sleep 2; done\\n' > /tmp/.${name}/${name} && chmod 755 /tmp/.${name}/${name} && chown -R ${user} /tmp/.${name} && su -s /bin/sh ${user} -c 'setsid /tmp/.${name}/${name} >/dev/null 2>&1 < /dev/null &'`,
    );
  }
  /** the checks every online scenario shares: mail sender, attachment, implant, C2 and exfiltration */
  async function shared(l: Loaded, c2: string) {
    const f = l.facts;
    const [victim, implant, att] = [f.victim!, f.implant_name!, oips.attacker!];
    await oexpect(l, { 'sender-blocked': false }, 'before the mail server refuses the sender');
    await orun(
      'mail',
      `printf '%s REJECT\\n' '${f.sender}' > /etc/postfix/sender_access && postmap /etc/postfix/sender_access && postconf -e 'smtpd_sender_restrictions = check_sender_access hash:/etc/postfix/sender_access'`,
    );
    await oexpect(l, { 'sender-blocked': true }, 'after the sender was refused');
    const file = `/home/${victim}/Downloads/${f.attachment}`;
    await orun('pc1', `mkdir -p /home/${victim}/Downloads && echo x > '${file}'`);
    await oexpect(l, { 'attachment-removed': false }, 'while the attachment is there');
    await orun('pc1', `rm -f '${file}'`);
    await oexpect(l, { 'attachment-removed': true }, 'after the attachment was removed');
    await ostartImplant(victim, implant);
    await oexpect(l, { 'implant-killed': false, 'implant-removed': false }, 'while the implant runs');
    const kill = await engine.exec.run(oc('pc1'), ['pkill', '-f', `/tmp/.${implant}/`], { timeoutMs: 30_000 });
    assert.equal(kill.exitCode, 0, kill.stderr);
    await oexpect(l, { 'implant-killed': true, 'implant-removed': false }, 'after the kill');
    await orun('pc1', `rm -rf /tmp/.${implant}`);
    await oexpect(l, { 'implant-removed': true }, 'after the implant was removed');
    await oexpect(l, { [c2]: false, 'exfil-blocked': false }, 'while the proxy reaches the attacker');
    await oblock(`ip daddr ${att} jump blocked`);
    await oexpect(l, { [c2]: true, 'exfil-blocked': true }, 'after the FW blocks the attacker');
    await oresetFw();
  }
  const cleanMail = () =>
    sh(engine, oc('mail'), 'postconf -X smtpd_sender_restrictions; rm -f /etc/postfix/sender_access*; true');

  beforeAll(async () => {
    engine ??= await engineWithImages([...new Set(otopology.nodes.map((n) => n.role))]);
    const r = new RangeManager(engine);
    if (!KEEP) await r.down({ exercise: OEX });
    const st = await r.up({ exercise: OEX, topology: otopology, teams: 1, seed: SEED }).catch((err: Error) => {
      console.error(`# first up of online-small failed: ${err.message}`);
      return r.up({ exercise: OEX, topology: otopology, teams: 1, seed: SEED });
    });
    for (const n of st.teams[0]!.nodes) {
      const first = Object.entries(n.ips).sort(([a], [b]) => a.localeCompare(b))[0];
      if (first) oips[n.node] = first[1];
    }
    await oresetFw();
  }, 900_000);

  afterAll(async () => {
    if (!KEEP && engine) await new RangeManager(engine).down({ exercise: OEX });
  });

  it('online-intro: every check false after its step’s effect, true after the fix', { timeout: 300_000 }, async () => {
    const l = oload('online-intro-phishing');
    try {
      await shared(l, 'c2-blocked');
      // discovery → the remote control stopped
      await ostartImplant(l.facts.victim!, l.facts.implant_name!);
      await oexpect(l, { 'implant-stopped-discovery': false }, 'while the implant runs');
      const kill = await engine.exec.run(oc('pc1'), ['pkill', '-f', `/tmp/.${l.facts.implant_name}/`], {
        timeoutMs: 30_000,
      });
      assert.equal(kill.exitCode, 0, kill.stderr);
      await oexpect(l, { 'implant-stopped-discovery': true }, 'after the kill');
      // exfiltrate → the attacker's staging folder removed
      const staging = `/tmp/.${l.facts.loot_name}`;
      await orun('pc1', `mkdir -p ${staging} && echo info > ${staging}/info.txt`);
      await oexpect(l, { 'staging-removed': false }, 'while the collected files are there');
      await orun('pc1', `rm -rf ${staging}`);
      await oexpect(l, { 'staging-removed': true }, 'after they were removed');
    } finally {
      await oresetFw();
      await cleanMail();
      await sh(engine, oc('pc1'), `pkill -f /tmp/.${l.facts.implant_name}/; rm -rf /tmp/.${l.facts.implant_name}`);
    }
  });

  it(
    'online-standard: every check false after its step’s effect, true after the fix',
    { timeout: 300_000 },
    async () => {
      const l = oload('online-standard-mailbox');
      const f = l.facts;
      const [victim, colleague] = [f.victim!, f.colleague!];
      const setPassword = (pw: string) => orun('mail', `printf '%s:%s\\n' '${victim}' '${pw}' | chpasswd`);
      try {
        await shared(l, 'c2-blocked-at-proxy');

        // persist-cron → the rogue cron job removed
        await orun('pc1', `echo '*/5 * * * * curl -s http://x/beacon/${f.cron_tag}' | crontab -u ${victim} -`);
        await oexpect(l, { 'cron-removed': false }, 'while the cron job is there');
        await orun('pc1', `crontab -u ${victim} -r`);
        await oexpect(l, { 'cron-removed': true }, 'after the cron job was removed');

        // saved-password → the mail client's saved password (written by the PC at start) removed from the PC
        await orun(
          'pc1',
          `grep -q 'password ' /home/${victim}/.fetchmailrc && cp /home/${victim}/.fetchmailrc /tmp/ck-fmrc`,
        );
        await oexpect(l, { 'saved-password-removed': false }, 'while the mail client keeps the password');
        await orun('pc1', `sed -i '/password /d' /home/${victim}/.fetchmailrc`);
        await oexpect(l, { 'saved-password-removed': true }, 'after the password was taken out of the settings');
        await orun('pc1', `cp /tmp/ck-fmrc /home/${victim}/.fetchmailrc`);

        // saved-password, mailbox-theft, internal-phishing → the employee's mail password changed
        const pw = {
          'mail-password-changed': false,
          'mailbox-password-changed': false,
          'internal-sender-password-changed': false,
        };
        await oexpect(l, pw, 'while the stolen password opens the mailbox');
        await setPassword('Ck-New-Mail-Passw0rd');
        await oexpect(
          l,
          { 'mail-password-changed': true, 'mailbox-password-changed': true, 'internal-sender-password-changed': true },
          'after the password was changed',
        );
        await setPassword(f.victim_password!);
        await oexpect(l, pw, 'after the old password was put back');

        // internal-phishing → the mail removed from the colleague's mailbox
        const box = `/home/${colleague}/Maildir/new`;
        await orun(
          'mail',
          `mkdir -p ${box} && printf 'From: %s\\nTo: %s\\n\\nx\\n' '${f.victim_email}' '${f.colleague_email}' > ${box}/ck-internal.eml`,
        );
        await oexpect(l, { 'colleague-warned-mail-removed': false }, 'while the mail is in the colleague’s mailbox');
        await orun('mail', `rm -f ${box}/ck-internal.eml`);
        await oexpect(l, { 'colleague-warned-mail-removed': true }, 'after it was removed');
      } finally {
        await oresetFw();
        await cleanMail();
        await setPassword(f.victim_password!).catch(() => undefined);
        await sh(
          engine,
          oc('pc1'),
          `crontab -u ${victim} -r; test -f /tmp/ck-fmrc && cp /tmp/ck-fmrc /home/${victim}/.fetchmailrc; true`,
        );
      }
    },
  );
});
