import { test } from 'vitest';
import assert from 'node:assert/strict';
import { containerName, LABEL, parseYamlText, teamFacts } from '../../core/index.js';
import { CheckedTopologySchema, listTopologies, loadTopologyById, type Engine } from '../../orchestrator/index.js';
import {
  AccessDeniedError,
  allowedUsers,
  mayOpen,
  nodeAccounts,
  resolveShell,
  traineeAccess,
  visibleToTrainees,
  type GatewayDeps,
} from './access.js';
import { parseLogin } from './ssh-server.js';
import { AttemptThrottle } from './throttle.js';

test('SSH user names name a team, a node and optionally a user', () => {
  assert.deepEqual(parseLogin('t01+pc1'), { team: 't01', node: 'pc1' });
  assert.deepEqual(parseLogin('t12+web+staff01'), { team: 't12', node: 'web', user: 'staff01' });
  assert.deepEqual(parseLogin('t01+pc1+root'), { team: 't01', node: 'pc1', user: 'root' });
  assert.deepEqual(parseLogin('t01+mn-pc+htanaka'), { team: 't01', node: 'mn-pc', user: 'htanaka' });
  for (const bad of ['pc1', 't1+pc1', 't01+', 't01+PC1', 't01+pc1+', 't01+pc1+a+b', 't01+../x', 'root'])
    assert.equal(parseLogin(bad), undefined, bad);
});

test('trainees open shells in their own team only; instructors anywhere; organizers nowhere', () => {
  const ref = { exercise: 'ex1', team: 't01' };
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex1', team: 't01' }, ref), true);
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex1', team: 't02' }, ref), false);
  assert.equal(mayOpen({ role: 'trainee', subject: 'a', exercise: 'ex2', team: 't01' }, ref), false);
  assert.equal(mayOpen({ role: 'instructor', subject: 'i' }, ref), true);
  assert.equal(mayOpen({ role: 'organizer', subject: 'o' }, ref), false);
  assert.equal(mayOpen(undefined, ref), false);
});

const topo = (nodes: string) =>
  parseYamlText(
    `id: acc
title: Access
domain: corp.example
segments:
  - { name: lan, purpose: LAN, subnet: "10.{team}.2.0/24" }
nodes:
${nodes}`,
    'acc.yaml',
    CheckedTopologySchema,
  );

const base = `  - name: fw
    role: fw
    trainee: { open: true, root: true }
    interfaces: [{ segment: lan, address: 1 }]
  - name: attacker
    role: attacker
    trainee: { open: false, visible: false }
    interfaces: [{ segment: lan, address: 66 }]
  - name: pc1
    role: terminal
    staff: [soumu]
    staffAccounts: true
    trainee: { open: true, root: true }
    accounts: [{ user: admin, password: x, sudo: true }]
    interfaces: [{ segment: lan, address: 21 }]
  - name: kiosk
    role: terminal
    trainee: { open: true, users: [clerk] }
    accounts: [{ user: clerk, password: x }, { user: admin, password: y, sudo: true }]
    interfaces: [{ segment: lan, address: 22 }]
  - name: vendor
    role: terminal
    trainee: { open: false }
    accounts: [{ user: asol, password: x }]
    interfaces: [{ segment: lan, address: 30 }]
  - name: old
    role: terminal
    accounts: [{ user: u1, password: x }]
    interfaces: [{ segment: lan, address: 40 }]
`;

test('the topology decides per node what a team may open and as whom; instructors may open all', () => {
  const t = topo(base);
  const node = (n: string) => t.nodes.find((x) => x.name === n)!;
  const users = (n: string, who: 'trainee' | 'instructor') =>
    allowedUsers(node(n), nodeAccounts(t, node(n), 't01', 'seed-1'), who);
  const staff = teamFacts('seed-1', 't01', 'corp.example')
    .staff.filter((s) => s.department === 'soumu')
    .map((s) => s.user);
  assert.ok(staff.length > 0);
  // the FW: root only; a staff PC: its own user first, root, then its staff
  assert.deepEqual(users('fw', 'trainee'), ['root']);
  assert.deepEqual(users('pc1', 'trainee'), ['admin', 'root', ...staff]);
  // a node the team uses but does not administer: the listed users, no root
  assert.deepEqual(users('kiosk', 'trainee'), ['clerk']);
  // the attacker, the vendor's PC and a node without a trainee section: nobody
  for (const n of ['attacker', 'vendor', 'old']) assert.deepEqual(users(n, 'trainee'), [], n);
  // instructors: every account and root, everywhere
  assert.deepEqual(users('attacker', 'instructor'), ['root']);
  assert.deepEqual(users('kiosk', 'instructor'), ['clerk', 'admin', 'root']);
  assert.deepEqual(users('pc1', 'instructor'), ['admin', 'root', ...staff]);
  // the attacker is hidden from trainees (also without a trainee section); the vendor is on the map
  assert.equal(visibleToTrainees(node('attacker')), false);
  assert.equal(visibleToTrainees(node('vendor')), true);
  assert.equal(visibleToTrainees(node('old')), true);
  const bare = topo(base.replace('    trainee: { open: false, visible: false }\n', ''));
  assert.equal(visibleToTrainees(bare.nodes.find((n) => n.name === 'attacker')!), false);
  assert.deepEqual(traineeAccess(bare.nodes.find((n) => n.name === 'attacker')!).open, false);
  // without the seed the staff are unknown: only the topology's accounts
  assert.deepEqual(nodeAccounts(t, node('pc1'), 't01'), ['admin']);
});

test('the shipped topologies keep the attacker away from trainees and let them administer the rest', () => {
  for (const id of listTopologies()) {
    const t = loadTopologyById(id);
    for (const n of t.nodes) {
      const a = traineeAccess(n);
      if (n.role === 'attacker') {
        assert.equal(visibleToTrainees(n), false, `${id}/${n.name}`);
        assert.deepEqual(allowedUsers(n, [], 'trainee'), [], `${id}/${n.name}`);
      } else {
        assert.ok(n.trainee, `${id}/${n.name} says what trainees may do`);
        if (a.open) assert.equal(a.root, true, `${id}/${n.name}: the team administers what it may open`);
        // the default user: the node's own, else root (never a staff member on a server)
        const users = allowedUsers(n, nodeAccounts(t, n, 't01', 'seed-1'), 'trainee');
        const ownFirst = n.accounts.map((x) => x.user).find((u) => users.includes(u));
        if (a.open) assert.equal(users[0], ownFirst ?? 'root', `${id}/${n.name}`);
      }
    }
  }
});

test('trainee sections are checked with the line, column and field', () => {
  const bad = (from: string, to: string, re: RegExp) =>
    assert.throws(
      () => topo(base.replace(from, to)),
      (e: Error) => re.test(e.message),
      re.source,
    );
  bad(
    'trainee: { open: false, visible: false }',
    'trainee: { open: true }',
    /acc\.yaml:\d+:\d+: nodes\.1\.trainee\.open: the pseudo-attacker's host is not the team's/,
  );
  bad(
    'trainee: { open: false, visible: false }',
    'trainee: { open: false }',
    /nodes\.1\.trainee\.visible: the pseudo-attacker's host/,
  );
  bad(
    'trainee: { open: true, users: [clerk] }',
    'trainee: { open: true, users: [nobody] }',
    /nodes\.3\.trainee\.users\.0: node kiosk has no account "nobody"/,
  );
  bad(
    'trainee: { open: true, users: [clerk] }',
    'trainee: { open: true, users: [staff] }',
    /nodes\.3\.trainee\.users\.0: node kiosk has no staff accounts/,
  );
  bad(
    'trainee: { open: true, users: [clerk] }',
    'trainee: { open: true, users: [] }',
    /nodes\.3\.trainee\.open: .* log in as nobody/,
  );
  bad(
    'trainee: { open: false }',
    'trainee: { open: false, root: true }',
    /nodes\.4\.trainee\.root: root needs open: true/,
  );
  bad(
    'trainee: { open: false }',
    'trainee: { open: true, visible: false }',
    /nodes\.4\.trainee\.visible: a node trainees may open must be visible/,
  );
  bad(
    'trainee: { open: false }',
    'trainee: { open: false, sudo: true }',
    /acc\.yaml:\d+:\d+: nodes\.4\.trainee: Unrecognized key/,
  );
});

test('failed attempts are throttled per address and per team; successes are not counted', () => {
  let now = 1_000_000;
  const th = new AttemptThrottle({ perAddress: 5, perTeam: 3, windowMs: 60_000 }, () => now);
  // any number of successes: never throttled
  for (let i = 0; i < 50; i++) {
    assert.equal(th.wait('10.0.0.1', 't01'), 0);
    th.succeeded('10.0.0.1', 't01');
  }
  // three wrong codes for t02 are allowed, the fourth is over the limit
  for (let i = 0; i < 3; i++) {
    assert.equal(th.wait('10.0.0.9', 't02'), 0);
    th.failed('10.0.0.9', 't02');
  }
  assert.equal(th.wait('10.0.0.9', 't02'), 0);
  th.failed('10.0.0.9', 't02');
  assert.ok(th.wait('10.0.0.9', 't02') > 0);
  // the team is throttled from any address that has not got in for it…
  assert.ok(th.wait('10.0.0.7', 't02') > 0);
  // …but not where the team already works, nor for other teams
  th.succeeded('192.168.1.1', 't02');
  assert.equal(th.wait('192.168.1.1', 't02'), 0);
  assert.equal(th.wait('10.0.0.9', 't03'), 0);
  // one address failing for many teams hits the address limit; its own team's seats behind the NAT stay in
  th.succeeded('10.0.0.50', 't05');
  for (const t of ['t03', 't04', 't06', 't07', 't08', 't09']) th.failed('10.0.0.50', t);
  assert.ok(th.wait('10.0.0.50', 't10') > 0);
  assert.equal(th.wait('10.0.0.50', 't05'), 0);
  // the window ends, the block ends
  now += 61_000;
  assert.equal(th.wait('10.0.0.9', 't02'), 0);
  assert.equal(th.wait('10.0.0.50', 't10'), 0);
});

test('resolveShell: trainees get what the topology allows, never the attacker; instructors everything', async () => {
  const t = topo(base);
  const asked: string[] = [];
  const engine = {
    containers: {
      inspect: (name: string) => {
        asked.push(name);
        return Promise.resolve({ state: 'running', labels: { [LABEL.exercise]: 'ex1', [LABEL.team]: 't01' } });
      },
    },
    networks: { list: () => Promise.resolve([{ labels: { [LABEL.seed]: 'seed-1' } }]) },
  } as unknown as Engine;
  const deps: GatewayDeps = {
    engine,
    teamByCode: () => undefined,
    principal: () => undefined,
    topology: () => t,
  };
  const ref = { exercise: 'ex1', team: 't01' };
  const open = (node: string, opts: Parameters<typeof resolveShell>[3] = {}) => resolveShell(deps, ref, node, opts);
  const refused = async (node: string, opts: Parameters<typeof resolveShell>[3], re: RegExp) =>
    assert.rejects(open(node, opts), (e: Error) => e instanceof AccessDeniedError && re.test(e.message));
  await refused('attacker', {}, /no node "attacker"/);
  await refused('attacker', { user: 'root' }, /no node "attacker"/);
  await refused('vendor', {}, /not open to trainees/);
  await refused('old', {}, /not open to trainees/);
  await refused('kiosk', { user: 'root' }, /root is not open to trainees on kiosk/);
  await refused('kiosk', { user: 'admin' }, /no user "admin"/);
  // the attacker's and closed nodes are refused before the engine is asked
  const kiosk = containerName('ex1', 't01', 'kiosk');
  assert.deepEqual(asked, [kiosk, kiosk]);
  assert.equal((await open('kiosk')).user, 'clerk');
  assert.equal((await open('fw')).user, 'root');
  assert.equal((await open('pc1')).user, 'admin');
  assert.equal((await open('pc1', { user: 'root' })).user, 'root');
  const staff = teamFacts('seed-1', 't01', 'corp.example').staff.find((s) => s.department === 'soumu')!.user;
  const s = await open('pc1', { user: staff, command: 'pkill -f /tmp/.x/' });
  assert.deepEqual(s.argv, ['su', '-', staff, '-w', 'ENSHU_COMMAND', '-c', 'eval "$ENSHU_COMMAND"']);
  // the command is not on any command line (pkill -f would match the shell running it)
  assert.equal(s.env.ENSHU_COMMAND, 'pkill -f /tmp/.x/');
  assert.ok(!s.argv.join(' ').includes('/tmp/.x/'));
  // instructors: the attacker's host and root anywhere
  assert.equal((await open('attacker', { as: 'instructor' })).user, 'root');
  assert.equal((await open('kiosk', { as: 'instructor', user: 'root' })).user, 'root');
});
