/**
 * The range engine on a real Docker engine: two teams, routing through the FW, isolation
 * between teams and from the host, trainee firewall rules, reset and a clean teardown.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LABEL } from '../../core/index.js';
import { loadTopology, type Engine, type ExerciseStatus, type RangeManager } from '../../orchestrator/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';

const EX = 'itrange';
const topology = loadTopology(join(fileURLToPath(new URL('.', import.meta.url)), 'range-test.yaml'));

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
let hostServer: Server;
let hostPort = 0;

const c = (team: string, node: string) => `enshu-${EX}-${team}-${node}`;
const ip = (team: string, node: string, segment: string) =>
  status.teams.find((t) => t.team === team)!.nodes.find((n) => n.node === node)!.ips[`enshu-${EX}-${team}-${segment}`]!;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'web', 'terminal']);
  ({ ranges, status } = await freshRange(engine, EX, topology, 2));
  // A service on the host, listening on every address, that no range container may reach.
  hostServer = createServer((s) => s.end('host-secret\n'));
  await new Promise<void>((r) => hostServer.listen(0, '0.0.0.0', r));
  hostPort = (hostServer.address() as { port: number }).port;
});

afterAll(async () => {
  hostServer?.close();
  await ranges?.down({ exercise: EX });
});

describe('two teams up', () => {
  test('every team is ready with every node running', () => {
    assert.equal(status.teams.length, 2);
    for (const t of status.teams) {
      assert.ok(t.ready, `${t.team} ready`);
      assert.deepEqual(
        t.nodes.map((n) => n.node),
        ['fw', 'outside', 'pc1', 'pc2', 'web'],
      );
      assert.ok(t.nodes.every((n) => n.state === 'running'));
    }
  });

  test('every range network is internal and labelled', async () => {
    const nets = await engine.networks.list({ [LABEL.exercise]: EX });
    assert.equal(nets.length, 6);
    for (const n of nets) {
      assert.equal(n.internal, true, `${n.name} internal`);
      assert.ok(n.labels[LABEL.team] && n.labels[LABEL.exercise] === EX);
      assert.ok((n.bridge ?? '').length <= 15);
    }
  });

  test('nodes route through the FW, and the bridge (host) address is never a node’s', async () => {
    for (const t of status.teams) {
      for (const n of t.nodes) {
        for (const net of t.networks) {
          const hostSide = net.subnet.replace(/\.0\/24$/, '.254');
          assert.ok(!Object.values(n.ips).includes(hostSide), `${t.team}/${n.node} does not hold ${hostSide}`);
        }
      }
      const route = await sh(engine, c(t.team, 'pc1'), 'ip route show default');
      assert.match(route.stdout, new RegExp(`default via ${ip(t.team, 'fw', 'business').replaceAll('.', '\\.')} `));
      const fwRoute = await sh(engine, c(t.team, 'fw'), 'ip route show default');
      assert.equal(fwRoute.stdout.trim(), '', 'the FW has no way out of the range');
    }
  });

  test('a team-1 terminal gets the DMZ web page through the FW', async () => {
    const web = ip('t01', 'web', 'dmz');
    const r = await sh(engine, c('t01', 'pc1'), `curl -fsS -m 5 http://${web}/`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /演習市役所/);
    // The reply really crossed the FW: the web server saw the terminal's own address.
    const log = await sh(engine, c('t01', 'web'), 'cat /var/log/nginx/access.log');
    assert.match(log.stdout, new RegExp(`^${ip('t01', 'pc1', 'business').replaceAll('.', '\\.')} `, 'm'));
    const fromInternet = await sh(
      engine,
      c('t01', 'outside'),
      `curl -fsS -m 5 -o /dev/null -w '%{http_code}' http://${web}/`,
    );
    assert.equal(fromInternet.stdout, '200');
  });

  test('no container of one team reaches any address of the other (every pair, both ways)', async () => {
    for (const [from, to] of [
      ['t01', 't02'],
      ['t02', 't01'],
    ] as const) {
      const targets = status.teams.find((t) => t.team === to)!.nodes.flatMap((n) => Object.values(n.ips));
      assert.equal(targets.length, 7);
      const script =
        targets
          .map(
            (addr) =>
              `(ping -c1 -W1 ${addr} >/dev/null 2>&1 && echo "REACHED ping ${addr}"; for p in 22 80; do nc -z -w1 ${addr} $p 2>/dev/null && echo "REACHED tcp ${addr}:$p"; done) &`,
          )
          .join('\n') + '\nwait; echo done';
      const sources = status.teams.find((t) => t.team === from)!.nodes;
      const results = await Promise.all(sources.map((n) => sh(engine, c(from, n.node), script)));
      results.forEach((r, i) => {
        assert.match(r.stdout, /done/);
        assert.doesNotMatch(r.stdout, /REACHED/, `${from}/${sources[i]!.node} reached ${to}: ${r.stdout}`);
      });
    }
  });

  test('a control: the same probe does reach the own team’s nodes', async () => {
    const r = await sh(engine, c('t01', 'outside'), `nc -z -w1 ${ip('t01', 'pc1', 'business')} 22 && echo REACHED`);
    assert.match(r.stdout, /REACHED/);
  });

  test('no range container reaches the host’s services, even with a route added in the FW', async () => {
    const hostAddrs = (await import('node:os')).networkInterfaces();
    const own = Object.values(hostAddrs)
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const t of status.teams) {
      const bridgeAddrs = t.networks.map((n) => n.subnet.replace(/\.0\/24$/, '.254'));
      const targets = [...bridgeAddrs, ...own.filter((a) => !a.startsWith('10.'))];
      // The FW can change its routes (NET_ADMIN): even pointed at the host, it must be refused.
      const routes = own
        .filter((a) => !a.startsWith('10.'))
        .map((a) => `ip route replace ${a}/32 via ${bridgeAddrs[0]} 2>/dev/null`)
        .join('; ');
      await sh(engine, c(t.team, 'fw'), routes || 'true');
      const script =
        targets
          .map((a) => `(nc -w1 ${a} ${hostPort} </dev/null 2>/dev/null | grep -q host-secret && echo "REACHED ${a}") &`)
          .join('\n') + '\nwait; echo done';
      const results = await Promise.all(t.nodes.map((n) => sh(engine, c(t.team, n.node), script)));
      results.forEach((r, i) => {
        assert.match(r.stdout, /done/);
        assert.doesNotMatch(r.stdout, /REACHED/, `${t.team}/${t.nodes[i]!.node}: ${r.stdout}`);
      });
      // And nothing leaves the machine: no node has a route to an address outside the range.
      const noWayOut = await sh(engine, c(t.team, 'pc1'), 'ip route get 203.0.113.7');
      assert.match(noWayOut.stdout, new RegExp(`via ${ip(t.team, 'fw', 'business').replaceAll('.', '\\.')}`));
      const fw = await sh(engine, c(t.team, 'fw'), 'ip route get 203.0.113.7');
      assert.notEqual(fw.exitCode, 0, 'the FW has no route out');
    }
    // Control: the host service itself answers.
    const { connect } = await import('node:net');
    await new Promise<void>((resolve, reject) => {
      const s = connect(hostPort, '127.0.0.1');
      s.on('data', (b) => {
        assert.match(String(b), /host-secret/);
        s.end();
        resolve();
      });
      s.on('error', reject);
    });
  });

  test('an nftables rule added inside the FW blocks the path it names, and only that path', async () => {
    const web = ip('t01', 'web', 'dmz');
    const add = await sh(
      engine,
      c('t01', 'fw'),
      `nft insert rule inet filter forward ip saddr ${ip('t01', 'pc1', 'business')} ip daddr ${web} tcp dport 80 drop`,
    );
    assert.equal(add.exitCode, 0, add.stderr);
    const blocked = await sh(engine, c('t01', 'pc1'), `curl -fsS -m 3 -o /dev/null http://${web}/`);
    assert.notEqual(blocked.exitCode, 0, 'pc1 → web:80 is blocked');
    const other = await sh(engine, c('t01', 'pc2'), `curl -fsS -m 3 -o /dev/null http://${web}/`);
    assert.equal(other.exitCode, 0, 'pc2 → web:80 still passes');
    const t2 = await sh(engine, c('t02', 'pc1'), `curl -fsS -m 3 -o /dev/null http://${ip('t02', 'web', 'dmz')}/`);
    assert.equal(t2.exitCode, 0, 'team 2 is not affected');
  });

  test('reset puts a node changed by hand back to its image’s clean state', async () => {
    await sh(engine, c('t01', 'web'), 'echo DEFACED > /var/www/site/index.html');
    const before = await sh(engine, c('t01', 'pc2'), `curl -fsS -m 3 http://${ip('t01', 'web', 'dmz')}/`);
    assert.match(before.stdout, /DEFACED/);
    await ranges.reset({ exercise: EX, team: 't01', node: 'web' });
    const after = await sh(engine, c('t01', 'pc2'), `curl -fsS -m 3 http://${ip('t01', 'web', 'dmz')}/`);
    assert.match(after.stdout, /演習市役所/);
    // Resetting the FW drops the trainee's rule again.
    await ranges.reset({ exercise: EX, team: 't01', node: 'fw' });
    const open = await sh(engine, c('t01', 'pc1'), `curl -fsS -m 5 -o /dev/null http://${ip('t01', 'web', 'dmz')}/`);
    assert.equal(open.exitCode, 0, open.stderr);
    await assert.rejects(ranges.reset({ exercise: EX, team: 't01', node: 'nope' }), /no node "nope"/);
    await assert.rejects(ranges.reset({ exercise: EX, team: 't09' }), /team t09 of exercise itrange has no range/);
  });

  test('up again converges without touching healthy nodes (re-adopts by label)', async () => {
    const before = await engine.containers.list({ [LABEL.exercise]: EX });
    await engine.containers.remove(c('t02', 'pc2'));
    const again = await ranges.up({ exercise: EX, topology, teams: 2 });
    const after = await engine.containers.list({ [LABEL.exercise]: EX });
    const ids = (l: typeof before) => new Map(l.map((x) => [x.name, x.id]));
    const b = ids(before);
    const a = ids(after);
    assert.equal(a.size, 10);
    for (const [name, id] of a) {
      if (name === c('t02', 'pc2')) assert.notEqual(id, b.get(name), 'the missing node was recreated');
      else assert.equal(id, b.get(name), `${name} kept`);
    }
    assert.ok(again.teams.every((t) => t.ready));
  });
});

describe('down', () => {
  test('leaves no container, network or host rule behind', async () => {
    const rulesBefore = await ranges.hostRules();
    assert.ok(
      rulesBefore.some((r) => r.includes(`enshu:${EX}`)),
      'rules existed while up',
    );
    const r = await ranges.down({ exercise: EX });
    assert.equal(r.containers, 10);
    assert.equal(r.networks, 6);
    assert.ok(r.hostRules >= 18, `removed ${r.hostRules} rules`);
    assert.equal((await engine.containers.list({ [LABEL.exercise]: EX })).length, 0);
    assert.equal((await engine.networks.list({ [LABEL.exercise]: EX })).length, 0);
    assert.deepEqual(
      (await ranges.hostRules()).filter((l) => l.includes(`enshu:${EX}`)),
      [],
    );
    assert.deepEqual(await ranges.status(EX), []);
  });
});
