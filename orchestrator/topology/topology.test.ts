import { test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlText, loadYamlFile, ConfigError, teamId, teamNumber } from '../../core/index.js';
import { CheckedTopologySchema, loadTopology, loadTopologyById } from './load.js';
import { bridgeName, planTeam } from './plan.js';

const here = fileURLToPath(new URL('.', import.meta.url));

const good = `
id: mini
title: Mini
segments:
  - name: inet
    purpose: Internet
    subnet: "10.{team}.0.0/24"
  - name: lan
    purpose: LAN
    subnet: "172.20.{team}.0/24"
nodes:
  - name: fw
    role: fw
    interfaces:
      - { segment: inet, address: 1 }
      - { segment: lan, address: 1 }
  - name: pc
    role: terminal
    gateway: fw
    interfaces:
      - { segment: lan, address: "172.20.{team}.50" }
`;

function parse(text: string) {
  return parseYamlText(text, 'mini.yaml', CheckedTopologySchema);
}

function expectError(text: string, pattern: RegExp) {
  assert.throws(
    () => parse(text),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
      assert.match((err as Error).message, pattern);
      return true;
    },
  );
}

test('a valid topology plans each team into its own subnets', () => {
  const t = parse(good);
  const a = planTeam(t, 'ex1', 't01', 1);
  const b = planTeam(t, 'ex1', 't02', 2);
  assert.deepEqual(
    a.networks.map((n) => n.subnet),
    ['10.1.0.0/24', '172.20.1.0/24'],
  );
  assert.deepEqual(
    b.networks.map((n) => n.subnet),
    ['10.2.0.0/24', '172.20.2.0/24'],
  );
  const pc = b.nodes.find((n) => n.name === 'pc')!;
  assert.equal(pc.interfaces[0]!.ip, '172.20.2.50');
  assert.equal(pc.gatewayIp, '172.20.2.1', 'gateway is the FW address on the shared segment');
  assert.equal(pc.containerName, 'enshu-ex1-t02-pc');
  assert.equal(b.networks[0]!.name, 'enshu-ex1-t02-inet');
  // Docker gives the last usable address to the host bridge; it is never a node's.
  assert.equal(a.networks[1]!.hostGateway, '172.20.1.254');
  assert.ok(a.nodes.every((n) => n.interfaces.every((i) => i.ip !== '172.20.1.254')));
});

test('bridge names fit Linux interface names and differ per team and segment', () => {
  const names = new Set<string>();
  for (const team of ['t01', 't02', 't99'])
    for (const seg of ['inet', 'lan']) names.add(bridgeName('a-long-exercise-id', team, seg));
  assert.equal(names.size, 6);
  for (const n of names) assert.ok(n.length <= 15, n);
});

test('team ids', () => {
  assert.equal(teamId(1), 't01');
  assert.equal(teamId(12), 't12');
  assert.equal(teamNumber('t07'), 7);
  assert.throws(() => teamNumber('team7'), /not a team id/);
});

test('syntax errors point at file:line:col', () => {
  assert.throws(
    () => loadYamlFile(join(here, 'fixtures', 'bad-syntax.yaml'), CheckedTopologySchema),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match((err as Error).message, /bad-syntax\.yaml:\d+:\d+: YAML syntax/);
      assert.doesNotMatch((err as Error).message, /\n\s+at /, 'no stack trace in the message');
      return true;
    },
  );
});

test('a missing file is a clear error', () => {
  assert.throws(() => loadTopology('/nonexistent/x.yaml'), /x\.yaml: cannot read file \(ENOENT\)/);
});

test('schema errors name the line, column and field', () => {
  expectError(good.replace('role: terminal', 'role: 42'), /mini\.yaml:18:11: nodes\.1\.role: Expected string/);
  expectError(
    good.replace('"10.{team}.0.0/24"', '"10.0.0.0/24"'),
    /mini\.yaml:7:13: segments\.0\.subnet: must contain \{team\}/,
  );
  expectError(good.replace('title: Mini\n', ''), /mini\.yaml:\d+:\d+: title: Required/);
  expectError(
    good.replace('    gateway: fw\n', '    gateway: fw\n    colour: blue\n'),
    /nodes\.1: Unrecognized key\(s\) in object: 'colour'/,
  );
});

test('cross references are checked', () => {
  expectError(
    good.replace('{ segment: lan, address: "172', '{ segment: wan, address: "172'),
    /nodes\.1\.interfaces\.0\.segment: unknown segment "wan" \(known: inet, lan\)/,
  );
  expectError(
    good.replace('gateway: fw', 'gateway: router'),
    /mini\.yaml:19:14: nodes\.1\.gateway: unknown gateway node "router"/,
  );
  expectError(good.replace('name: pc', 'name: fw'), /nodes\.1\.name: duplicate node name "fw"/);
  expectError(
    good.replace('"172.20.{team}.50"', '1'),
    /nodes\.1\.interfaces\.0\.address: address already used by node fw/,
  );
  expectError(good.replace('"172.20.{team}.50"', '254'), /is the host bridge address of segment lan/);
  expectError(good.replace('"172.20.{team}.50"', '"172.21.{team}.50"'), /is not a usable address of 172\.20\.1\.0\/24/);
  expectError(good.replace('"172.20.{team}.50"', '255'), /host number 255 is outside 172\.20\.1\.0\/24/);
  expectError(
    good.replace(
      '      - { segment: inet, address: 1 }\n      - { segment: lan, address: 1 }',
      '      - { segment: inet, address: 1 }',
    ),
    /nodes\.1\.gateway: gateway fw shares no segment with pc/,
  );
});

test('a team slot beyond the address space is refused at planning', () => {
  const t = parse(good);
  assert.throws(
    () => planTeam(t, 'ex1', 't01', 300),
    /segment inet: subnet "10\.\{team\}\.0\.0\/24" gives no valid network for team slot 300/,
  );
  assert.throws(() => planTeam(t, 'Bad_Id', 't01', 1), /exercise id "Bad_Id"/);
});

test('the shipped topologies load', () => {
  const t = loadTopologyById('cyder-standard');
  assert.ok(t.nodes.some((n) => n.role === 'fw'));
  assert.throws(() => loadTopologyById('nope'), /unknown topology "nope" \(known: .*cyder-standard/);
});
