import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { findEvasion, findProxyEvasion } from './tamper.js';

/** real dumps of the FW image's filters: the range's own ruleset, and with one evading rule each */
const fx = JSON.parse(readFileSync(new URL('./fixtures/fw-filters.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;
const idleTc = 'qdisc noqueue 0: root refcnt 2 \nqdisc noqueue 0: root refcnt 2 ';
const dump = (o: { nft?: string; legacy?: string; tc?: string; xdp?: string }) =>
  `@@nft\n${o.nft ?? fx.clean}\n\n@@legacy\n${o.legacy ?? ''}\n@@tc\n${o.tc ?? idleTc}\n@@xdp\n${o.xdp ?? ''}\n@@end\n`;

test('the range’s own ruleset, its mark rule included, is trusted', () => {
  assert.equal(findEvasion(dump({})), undefined);
});

test('a team rule that reads the mark in any form makes the probes untrusted', () => {
  assert.match(findEvasion(dump({ nft: fx.dscp! }))!, /forward .*reads ip dscp/);
  assert.match(findEvasion(dump({ nft: fx.priority }))!, /meta priority/);
  assert.match(findEvasion(dump({ nft: fx.raw }))!, /@nh,8,8/);
  assert.match(findEvasion(dump({ nft: fx.xt }))!, /iptables match dscp/);
  assert.match(findEvasion(dump({ legacy: fx.legacy }))!, /legacy iptables rule: -A FORWARD -m tos/);
  assert.match(findEvasion(dump({ tc: fx.tc }))!, /traffic control: qdisc clsact/);
  assert.match(findEvasion(dump({ xdp: '7: eth0: <UP> mtu 1500 xdp qdisc noqueue' }))!, /XDP/);
});

test('a "blocked" chain that lets marked and unmarked packets part ways is evasion, a copy of the range rule too', () => {
  const doc = JSON.parse(fx.clean!) as { nftables: Record<string, unknown>[] };
  const withRule = (rule: Record<string, unknown>) =>
    JSON.stringify({ nftables: [...doc.nftables, { rule: { family: 'inet', table: 'filter', ...rule } }] });
  const acceptInBlocked = withRule({ chain: 'blocked', handle: 20, expr: [{ accept: null }] });
  assert.match(findEvasion(dump({ nft: acceptInBlocked }))!, /"accept" in the "blocked" chain/);
  const copied = withRule({
    chain: 'forward',
    handle: 21,
    comment: 'enshu scoring checks, not logged',
    expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'dscp' } }, right: 45 } }, { drop: null }],
  });
  assert.match(findEvasion(dump({ nft: copied }))!, /forward \(handle 21\) reads ip dscp/);
  // an ordinary block of the C2 (what a team should do) is no evasion
  const block = withRule({
    chain: 'forward',
    handle: 22,
    expr: [
      { match: { op: '==', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '10.1.0.66' } },
      { jump: { target: 'blocked' } },
    ],
  });
  assert.equal(findEvasion(dump({ nft: block })), undefined);
});

test('filters that could not be read are not trusted', () => {
  assert.match(findEvasion('@@nft\n')!, /could not be read/);
  assert.match(findEvasion(dump({ nft: 'nft: permission denied' }))!, /ruleset could not be read/);
});

test('squid: a rule for the proxy’s own address alone singles out the probe; the range’s and an honest block do not', () => {
  const shipped = readFileSync(new URL('../../topologies/roles/proxy/squid.conf', import.meta.url), 'utf8');
  assert.equal(findProxyEvasion([shipped]), undefined, 'the shipped squid.conf');
  const withLine = (line: string) =>
    shipped.replace('http_access allow localnet', `${line}\nhttp_access allow localnet`);
  assert.equal(
    findProxyEvasion([withLine('acl c2 dst 10.1.0.66\nhttp_access deny c2')]),
    undefined,
    'a deny for every client',
  );
  assert.match(findProxyEvasion([withLine('acl c2 dst 10.1.0.66\nhttp_access deny c2 localhost')])!, /localhost/);
  assert.match(
    findProxyEvasion([withLine('acl me src 127.0.0.0/8\nacl c2 dst 10.1.0.66\nhttp_access allow c2 !me')])!,
    /\(me\)/,
  );
  assert.match(findProxyEvasion([withLine('http_access deny healthprobe')])!, /healthprobe/);
  assert.match(findProxyEvasion([shipped, 'acl x src "/etc/squid/who"\nhttp_access deny x'])!, /\(x\)/);
});
