import { test } from 'vitest';
import assert from 'node:assert/strict';
import { teamFacts } from '../../core/index.js';
import { loadTopologyById } from './load.js';
import { planTeam } from './plan.js';

test('planning threads the seed: staff accounts, secrets and env follow the facts', () => {
  const t = loadTopologyById('online-small');
  const p1 = planTeam(t, 'unit', 't01', 1, { seed: 'S' });
  const again = planTeam(t, 'unit', 't01', 1, { seed: 'S' });
  const p2 = planTeam(t, 'unit', 't02', 2, { seed: 'S' });
  assert.deepEqual(p1.nodes, again.nodes, 'the same seed plans the same range (reset)');
  const facts = teamFacts('S', 't01', t.domain);
  const mail = p1.nodes.find((n) => n.name === 'mail')!;
  assert.deepEqual(
    mail.accounts.map((a) => [a.user, a.password]),
    facts.staff.map((s) => [s.user, s.password]),
  );
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
  assert.match(
    rules,
    /ip saddr 10\.3\.2\.0\/24 ip daddr 10\.3\.1\.80 tcp dport 3128 accept comment "web browsing via the proxy"/,
  );
  assert.match(rules, /jump blocked\n {2}\}/);
  assert.match(rules, /chain blocked \{\n\s+log group 1 prefix "enshu-fw blocked: "\n\s+drop/);
  assert.equal(fw.env.ENSHU_DHCP_RELAY, '10.3.3.67');
});
