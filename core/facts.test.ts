import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPARTMENTS, STAFF_PER_DEPARTMENT, teamFacts } from './facts.js';
import { loadTopologyById, planTeam } from '../orchestrator/index.js';

test('facts are deterministic for a seed and team', () => {
  const a = teamFacts('seed-1', 't01');
  const b = teamFacts('seed-1', 't01');
  assert.deepEqual(a.staff, b.staff);
  assert.deepEqual(a.documents, b.documents);
  assert.equal(a.secret('pc-admin'), b.secret('pc-admin'));
  assert.equal(a.teamSeed, b.teamSeed);
});

test('each team and each seed gets its own staff, passwords and documents', () => {
  const t1 = teamFacts('seed-1', 't01');
  const t2 = teamFacts('seed-1', 't02');
  const other = teamFacts('seed-2', 't01');
  for (const x of [t2, other]) {
    assert.notDeepEqual(x.staff.map((s) => s.password), t1.staff.map((s) => s.password));
    assert.notDeepEqual(x.staff.map((s) => s.user), t1.staff.map((s) => s.user));
    assert.notDeepEqual(x.documents.map((d) => d.body), t1.documents.map((d) => d.body));
    assert.notEqual(x.secret('pc-admin'), t1.secret('pc-admin'));
    assert.notEqual(x.teamSeed, t1.teamSeed);
  }
});

test('staff are complete and unique: every department staffed, user names valid', () => {
  const f = teamFacts('s', 't07', 'corp.enshu.example');
  assert.equal(f.staff.length, DEPARTMENTS.length * STAFF_PER_DEPARTMENT);
  assert.equal(new Set(f.staff.map((s) => s.user)).size, f.staff.length);
  for (const s of f.staff) {
    assert.match(s.user, /^[a-z][a-z0-9]{1,30}$/);
    assert.match(s.password, /^[A-Z][a-z]+\d{4}[!#$%&+]$/);
    assert.equal(s.email, `${s.user}@corp.enshu.example`);
  }
  for (const d of DEPARTMENTS) assert.equal(f.staff.filter((s) => s.department === d.id).length, STAFF_PER_DEPARTMENT);
});

test('planning threads the seed: staff accounts, secrets and env follow the facts', () => {
  const t = loadTopologyById('online-small');
  const p1 = planTeam(t, 'unit', 't01', 1, { seed: 'S' });
  const again = planTeam(t, 'unit', 't01', 1, { seed: 'S' });
  const p2 = planTeam(t, 'unit', 't02', 2, { seed: 'S' });
  assert.deepEqual(p1.nodes, again.nodes, 'the same seed plans the same range (reset)');
  const facts = teamFacts('S', 't01', t.domain);
  const mail = p1.nodes.find((n) => n.name === 'mail')!;
  assert.deepEqual(mail.accounts.map((a) => [a.user, a.password]), facts.staff.map((s) => [s.user, s.password]));
  const pc = p1.nodes.find((n) => n.name === 'pc1')!;
  assert.equal(pc.accounts.find((a) => a.user === 'admin')!.password, facts.secret('pc-admin'));
  assert.notEqual(p2.nodes.find((n) => n.name === 'pc1')!.accounts[0]!.password, pc.accounts[0]!.password);
  assert.equal(pc.env.ENSHU_SEED, facts.teamSeed);
  assert.equal(planTeam(t, 'unit', 't01', 1).seed, 'unit', 'the exercise id is the default seed');
  // The topology itself is never changed by planning.
  assert.equal(t.nodes.find((n) => n.name === 'mail')!.accounts.length, 0);
});

test('the FW rules render to nftables with the team’s addresses and end in the logged block', () => {
  const t = loadTopologyById('online-small');
  const fw = planTeam(t, 'unit', 't01', 3).nodes.find((n) => n.role === 'fw')!;
  const rules = Buffer.from(fw.env.ENSHU_FW_RULES_B64!, 'base64').toString();
  assert.match(rules, /table inet filter \{/);
  assert.match(rules, /chain forward \{\n\s+type filter hook forward priority 0; policy accept;/);
  assert.match(rules, /ip saddr 10\.3\.2\.0\/24 ip daddr 10\.3\.1\.80 tcp dport 3128 accept comment "web browsing via the proxy"/);
  assert.match(rules, /jump blocked\n  \}/);
  assert.match(rules, /chain blocked \{\n\s+log group 1 prefix "enshu-fw blocked: "\n\s+drop/);
  assert.equal(fw.env.ENSHU_DHCP_RELAY, '10.3.3.67');
});
