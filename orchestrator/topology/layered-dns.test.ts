import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadTopologyById } from './load.js';
import { planTeam } from './plan.js';

const records = (env: Record<string, string>) =>
  Buffer.from(env.ENSHU_DNS_RECORDS_B64 ?? '', 'base64')
    .toString()
    .split('\n')
    .filter(Boolean);

test('B-1: each layer has its own DNS, which names only that layer (split by who asks it)', () => {
  const t = loadTopologyById('lg-three-layer');
  const plan = planTeam(t, 'unit', 't01', 7, { seed: 'S' });
  const node = (name: string) => plan.nodes.find((n) => n.name === name)!;
  const [dmz, lgwan, mn] = ['dns', 'lgwan-dns', 'mn-dns'].map((n) => records(node(n).env));
  const d = 'city.enshu.example';
  // the Internet side: its own nodes, the Internet mail server as MX, and the range's Internet
  assert.ok(dmz!.includes(`inet-pc.${d} A 10.7.2.21`), dmz!.join('\n'));
  assert.ok(dmz!.includes(`${d} MX 10 inet-mail.${d}`));
  assert.ok(dmz!.includes('news.portal.example A 10.7.0.66'));
  for (const hidden of ['pc1', 'file', 'mail', 'juki', 'sanitizer'])
    assert.ok(!dmz!.some((l) => l.startsWith(`${hidden}.${d} `)), `the DMZ DNS does not name ${hidden}`);
  // LGWAN: its servers, the sanitizer at its LGWAN address, its own mail as MX, nothing outside
  assert.ok(lgwan!.includes(`sanitizer.${d} A 10.7.3.11`), lgwan!.join('\n'));
  assert.ok(lgwan!.includes(`${d} MX 10 mail.${d}`));
  assert.ok(lgwan!.includes(`file.${d} A 10.7.3.10`));
  assert.ok(!lgwan!.some((l) => /news\.portal|inet-|juki|mn-pc/.test(l)), lgwan!.join('\n'));
  // My Number: only itself
  assert.deepEqual(mn!.map((l) => l.split(' ')[0]).sort(), [`juki.${d}`, `mn-dns.${d}`, `mn-pc.${d}`]);
  // who asks whom: LGWAN staff PCs (and the DHCP leases they take) the LGWAN DNS, juki the My Number one
  assert.equal(node('pc1').env.ENSHU_DNS, '10.7.3.53');
  assert.equal(node('dhcp').env.ENSHU_DNS, '10.7.3.53');
  assert.equal(node('juki').env.ENSHU_DNS, '10.7.4.53');
  assert.equal(node('inet-pc').env.ENSHU_DNS, '10.7.1.53');
});

test('one DNS server still names every node (cyder-standard unchanged)', () => {
  const t = loadTopologyById('cyder-standard');
  const plan = planTeam(t, 'unit', 't01', 2, { seed: 'S' });
  const dns = records(plan.nodes.find((n) => n.role === 'dns')!.env);
  for (const n of plan.nodes.filter((x) => x.role !== 'attacker'))
    assert.ok(
      dns.some((l) => l.startsWith(`${n.name}.corp.enshu.example A ${n.interfaces[0]!.ip}`)),
      `${n.name} is named`,
    );
});
