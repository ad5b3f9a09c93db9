/**
 * The range's network services on the real engine, each used the way a person in the range
 * would: one online-small range (fw, attacker, web, dns, proxy, staff PC, mail, dhcp, soc)
 * shared by every case, checked through the network from the node a person would sit at,
 * and every promised log line looked up in the SOC with its search command.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { loadTopologyById, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import { teamFacts } from '../../core/index.js';
import { engineWithImages, sh } from '../helpers/range.js';

const EX = 'rnsvc';
const SEED = 'rn-seed-1';
const topology = loadTopologyById('online-small');
const domain = topology.domain!;
const facts = teamFacts(SEED, 't01', domain);

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;

const c = (node: string) => `enshu-${EX}-t01-${node}`;
const ip = (node: string) => Object.values(status.teams[0]!.nodes.find((n) => n.node === node)!.ips)[0]!;

async function run(node: string, script: string, timeoutMs = 30_000) {
  return sh(engine, c(node), script, timeoutMs);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Lines of the SOC's central log matching the search, as parsed JSON. */
async function socSearch(args: string): Promise<{ node: string; service: string; team: string; msg: string }[]> {
  const r = await run('soc', `enshu-logs --json ${args}`);
  assert.equal(r.exitCode, 0, r.stderr);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

async function inSoc(what: string, args: string, timeoutMs = 20_000) {
  return waitFor(
    `${what} in the SOC`,
    async () => {
      const hits = await socSearch(args);
      return hits.length ? hits : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const t0 = Date.now();
  status = await ranges.up({ exercise: EX, topology, teams: 1, seed: SEED });
  console.error(`# online-small team healthy in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  await ranges?.down({ exercise: EX });
});

describe('online-small range services', () => {
  test('every node is up, each having passed its health check', () => {
    // `up` only returns once every node's health command (the service answering) passed;
    // Docker's own periodic check can lag on a loaded host, so it is not asserted here.
    const t = status.teams[0]!;
    assert.deepEqual(t.nodes.map((n) => n.node).sort(), topology.nodes.map((n) => n.name).sort());
    for (const n of t.nodes) assert.equal(n.state, 'running', `${n.node} running`);
  });

  test('the staff PC resolves organisation and range-Internet names through the dns node', async () => {
    const r = await run('pc1', `getent hosts mail.${domain} news.portal.example; cat /etc/resolv.conf`);
    assert.match(
      r.stdout,
      new RegExp(`^${ip('mail').replaceAll('.', '\\.')}\\s+mail\\.${domain.replaceAll('.', '\\.')}`, 'm'),
    );
    assert.match(r.stdout, new RegExp(`^${ip('attacker').replaceAll('.', '\\.')}\\s+news\\.portal\\.example`, 'm'));
    assert.match(r.stdout, new RegExp(`nameserver ${ip('dns').replaceAll('.', '\\.')}`));
    const unknown = await run('pc1', 'getent hosts no-such-host.example; echo rc=$?');
    assert.match(unknown.stdout, /rc=2/, 'an unknown name is not found');
    // The query itself is evidence in the SOC (BIND's query log).
    await inSoc('the DNS query', `--node dns --grep "news\\.portal\\.example"`);
  });

  test('the staff PC gets a DHCP lease through the FW relay, logged address→host in the SOC', async () => {
    const lease = await waitFor('a DHCP lease on pc1', async () => {
      const r = await run('pc1', "ip -o -4 addr show dev lease0 | awk '{print $4}' | cut -d/ -f1");
      return r.stdout.trim() || undefined;
    });
    const [a, b, c3, d] = lease.split('.').map(Number);
    assert.equal(`${a}.${b}.${c3}`, ip('pc1').split('.').slice(0, 3).join('.'), 'the lease is in the office segment');
    assert.ok(d! >= 100 && d! <= 149, `lease ${lease} is from the pool`);
    const mac = (await run('pc1', 'cat /sys/class/net/lease0/address')).stdout.trim();
    const hits = await inSoc(
      'the DHCPACK',
      `--node dhcp --grep "DHCPACK.* ${lease.replaceAll('.', '\\.')} ${mac} pc1"`,
    );
    assert.equal(hits[0]!.team, 't01');
    // The lease is what the PC sends from: the default route's source address.
    const route = await run('pc1', 'ip route show default');
    assert.match(route.stdout, new RegExp(`src ${lease.replaceAll('.', '\\.')}`));
  });

  test('a range-Internet page comes through the proxy, and its access-log line reaches the SOC', async () => {
    const marker = `rn-${Date.now()}`;
    await run('attacker', `echo payload-${marker} > /srv/payload/${marker}.txt`);
    const r = await run(
      'pc1',
      `curl -sS -m 10 -x http://proxy.${domain}:3128 http://news.portal.example/${marker}.txt`,
    );
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout.trim(), `payload-${marker}`);
    const hits = await inSoc('the proxy access-log line', `--node proxy --service squid --grep ${marker}`);
    assert.match(hits[0]!.msg, /TCP_MISS\/200 .* GET http:\/\/news\.portal\.example\//);
    // The proxy is the only way: straight to the Internet the FW blocks — and logs it.
    const direct = await run('pc1', `curl -sS -m 3 -o /dev/null http://${ip('attacker')}/ ; echo rc=$?`);
    assert.doesNotMatch(direct.stdout, /rc=0/);
    const blocked = await inSoc(
      'the blocked direct request',
      `--node fw --grep "enshu-fw blocked: .*DST=${ip('attacker').replaceAll('.', '\\.')} .*DPT=80 "`,
    );
    assert.equal(blocked[0]!.team, 't01');
  });

  test('mail from the range Internet reaches a staff mailbox, read over IMAP from the PC', async () => {
    const staff = facts.staff[0]!;
    const subject = `rn-mail-${Date.now()}`;
    // The attacker finds the organisation's mail server the way the Internet does: its MX.
    const mx = (await run('attacker', `dig +short MX ${domain} | awk '{print $2}'`)).stdout.trim();
    assert.equal(mx, `mail.${domain}.`);
    const send = await run(
      'attacker',
      `swaks --server ${mx} --to ${staff.email} --from info@news.portal.example --header "Subject: ${subject}" --body "hello ${staff.fullName}" --timeout 20`,
    );
    assert.equal(send.exitCode, 0, send.stdout + send.stderr);
    const mailbox = await waitFor('the message in the IMAP inbox', async () => {
      const r = await run(
        'pc1',
        `curl -sS -m 10 --user '${staff.user}:${staff.password}' 'imap://mail.${domain}/INBOX' -X 'SEARCH SUBJECT ${subject}'`,
      );
      const m = /\* SEARCH (\d+)/.exec(r.stdout);
      return m ? m[1] : undefined;
    });
    const msg = await run(
      'pc1',
      `curl -sS -m 10 --user '${staff.user}:${staff.password}' 'imap://mail.${domain}/INBOX;MAILINDEX=${mailbox}'`,
    );
    assert.match(msg.stdout, new RegExp(`Subject: ${subject}`));
    const wrong = await run(
      'pc1',
      `curl -sS -m 10 --user '${staff.user}:wrong-password' 'imap://mail.${domain}/INBOX'; echo rc=$?`,
    );
    assert.doesNotMatch(wrong.stdout, /rc=0/, 'a wrong password is refused');
    await inSoc('the delivery log line', `--node mail --service postfix --grep "to=<${staff.email}>.*status=sent"`);
  });

  test('a trainee FW rule blocks a flow, the block is logged in the SOC, and removing it restores the flow', async () => {
    const web = ip('web');
    const ok = await run('pc1', `curl -fsS -m 5 -o /dev/null -w '%{http_code}' http://${web}/`);
    assert.equal(ok.stdout, '200');
    const add = await run(
      'fw',
      `nft insert rule inet filter forward ip daddr ${web} tcp dport 80 jump blocked comment rn-block`,
    );
    assert.equal(add.exitCode, 0, add.stderr);
    const cut = await run('pc1', `curl -fsS -m 3 -o /dev/null http://${web}/; echo rc=$?`);
    assert.doesNotMatch(cut.stdout, /rc=0/);
    await inSoc('the blocked web request', `--node fw --grep "blocked: .*DST=${web.replaceAll('.', '\\.')} .*DPT=80 "`);
    const handle = /rn-block.*# handle (\d+)/.exec(
      (await run('fw', 'nft -a list chain inet filter forward')).stdout,
    )?.[1];
    assert.ok(handle, 'the rule is listed with its handle');
    await run('fw', `nft delete rule inet filter forward handle ${handle}`);
    const back = await run('pc1', `curl -fsS -m 5 -o /dev/null -w '%{http_code}' http://${web}/`);
    assert.equal(back.stdout, '200');
  });

  test('every monitored node ships its logs, tagged team/node/service, within seconds', async () => {
    const monitored = topology.nodes.filter((n) => n.role !== 'soc' && n.role !== 'attacker').map((n) => n.name);
    const marker = `rn-ship-${Date.now()}`;
    const t0 = Date.now();
    await Promise.all(monitored.map((n) => run(n, `logger -t rn-probe "${marker} from ${n}"`)));
    const hits = await waitFor(
      'a probe line from every node',
      async () => {
        const h = await socSearch(`--service rn-probe --grep ${marker}`);
        return h.length >= monitored.length ? h : undefined;
      },
      15_000,
    );
    console.error(`# log lines from ${monitored.length} nodes in the SOC after ${Date.now() - t0} ms`);
    for (const n of monitored) {
      const hit = hits.find((h) => h.msg.includes(`from ${n}`));
      assert.ok(hit, `line from ${n}`);
      assert.equal(hit.node, n);
      assert.equal(hit.team, 't01');
      assert.equal(hit.service, 'rn-probe');
    }
    // The web server's access log is shipped too (nginx writes it to syslog as well).
    await run('pc1', `curl -fsS -m 5 -o /dev/null http://${ip('web')}/?${marker}`);
    await inSoc('the web access-log line', `--node web --service nginx_access --grep ${marker}`);
    // The attacker's host is outside the organisation: nothing of it is in the SOC.
    assert.equal((await socSearch('--node attacker')).length, 0);
  });
});
