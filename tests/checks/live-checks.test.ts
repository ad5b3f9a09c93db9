/**
 * The checker's live mode (server/checker/live.ts) on a real range: a PC behind a FW, an outside
 * server. Each fix a trainee makes — a file removed, a process killed, a block rule on the FW — is
 * recorded from a look asked after the fix, while the checker keeps running (no round to wait for);
 * a look that hangs holds up no other check; a FW that drops only the checker's marked packets
 * never lets a network check pass. The watchers are long-lived containers in the nodes' network
 * namespaces: nothing of them in the PC's `ps`, the same few for the whole run, none left after
 * stop(). Latency itself is measured by `npm run bench:checks`, not asserted here.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { LABEL, type CheckSpec, type GroundTruth } from '../../core/index.js';
import { loadTopology, type Engine, type ExerciseStatus, type RangeManager } from '../../orchestrator/index.js';
import type { CheckResultEvent, EnshuEvent } from '../../protocol/index.js';
import { Checker } from '../../server/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';
import { teardown } from '../helpers/teardown.js';
import { until } from '../helpers/until.js';

const EX = process.env.ENSHU_TEST_EXERCISE ?? 'ck-live';
const TEAM = 't01';
const topology = loadTopology(join(import.meta.dirname, 'evasion-range.yaml'));
let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
const c = (node: string) => `enshu-${EX}-${TEAM}-${node}`;
const ipOf = (node: string) => Object.values(status.teams[0]!.nodes.find((n) => n.node === node)!.ips)[0]!;
/** generous: the target is 2 s; this only keeps a broken checker from hanging the file */
const WAIT_MS = 60_000;

const spec = (id: string, probes: CheckSpec['probes']): CheckSpec => ({
  id,
  kind: 'containment',
  title: { ja: id, en: id },
  node: 'pc',
  probes,
});

async function run(node: string, script: string) {
  const r = await sh(engine, c(node), script);
  assert.equal(r.exitCode, 0, `${node}: ${script}: ${r.stdout}${r.stderr}`);
}

const watchers = async () =>
  (await engine.containers.list({ [LABEL.exercise]: EX, [LABEL.kind]: 'check-probe' })).filter(
    (x) => x.state === 'running',
  );

/** the damage the checks look for: a file left, a process running, the path to the outside open */
async function damage() {
  await run(
    'pc',
    `echo x > /tmp/.marker && printf '#!/bin/sh\\nwhile :; do sleep 2; done\\n' > /tmp/enshu-sleeper-x && chmod 755 /tmp/enshu-sleeper-x && (setsid /tmp/enshu-sleeper-x >/dev/null 2>&1 < /dev/null &)`,
  );
  await run('fw', 'nft -f /etc/nftables.conf');
}

function liveChecker(truth: GroundTruth, events: EnshuEvent[], eng: Engine = engine) {
  return new Checker({
    engine: eng,
    exercise: EX,
    truths: new Map([[TEAM, truth]]),
    sink: { append: async (e) => (events.push(e), { ...e, seq: events.length }) },
  });
}

const results = (events: EnshuEvent[], check: string) =>
  events.filter((e): e is CheckResultEvent => e.type === 'check.result' && e.check === check);
const last = (events: EnshuEvent[], check: string) => results(events, check).at(-1);

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ({ ranges, status } = await freshRange(engine, EX, topology, 1));
}, 900_000);

afterAll(() => teardown([['remove the range', () => ranges?.down({ exercise: EX })]]));

describe('the live checker on a real range', () => {
  test('each fix is recorded from a look asked after it, by the same few watchers, unseen in the PC', async () => {
    const outside = ipOf('outside');
    const truth: GroundTruth = {
      scenario: 'live',
      team: TEAM,
      steps: [],
      availability: [
        spec('marker-removed', [{ kind: 'file-absent', node: 'pc', path: '/tmp/.marker' }]),
        spec('sleeper-killed', [{ kind: 'process-absent', node: 'pc', pattern: 'enshu-sleeper-x' }]),
        spec('outside-blocked', [{ kind: 'tcp-blocked', from: 'pc', to: outside, port: 80 }]),
      ],
    };
    await damage();
    const events: EnshuEvent[] = [];
    const checker = liveChecker(truth, events);
    checker.start();
    try {
      for (const id of ['marker-removed', 'sleeper-killed', 'outside-blocked'])
        await until(`${id} seen false`, () => (last(events, id)?.passed === false ? true : undefined), WAIT_MS);
      const seen = new Set((await watchers()).map((w) => w.id));
      assert.equal(seen.size, 2, 'one watcher in the PC’s namespace, one in the FW’s');
      const ps = sh(engine, c('pc'), 'for i in $(seq 1 60); do ps -eo args; echo ---; sleep 0.1; done', 120_000);

      const fixes: [string, string, string][] = [
        ['marker-removed', 'pc', 'rm -f /tmp/.marker'],
        ['sleeper-killed', 'pc', "pkill -f '[e]nshu-sleeper-x'"],
        ['outside-blocked', 'fw', `nft insert rule inet filter forward ip daddr ${outside} jump blocked`],
      ];
      for (const [id, node, script] of fixes) {
        const before = new Date();
        const seenBefore = events.length;
        await run(node, script);
        const fixed = await until(
          `${id} recorded true`,
          () => (last(events, id)?.passed ? last(events, id) : undefined),
          WAIT_MS,
        );
        assert.ok(events.indexOf(fixed!) >= seenBefore, `${id}: recorded after the fix`);
        // stamped when its look was asked: an API look after the fix began; a watcher's answer when
        // the answer before it came (just before the probe was sent, at most one probe period earlier)
        assert.ok(
          Date.parse(fixed!.at) >= before.getTime() - 1000,
          `${id}: stamped ${fixed!.at}, fix began ${before.toISOString()}`,
        );
        assert.equal(results(events, id).length, 2, `${id}: false, then true, nothing between`);
      }
      const lines = (await ps).stdout.split('\n').filter((l) => l && l !== '---' && l !== 'COMMAND');
      assert.ok(
        !lines.some((l) => /python3 -u -c|enshu-probe|enshu-filters|nc -z|proc\/net|@@/.test(l)),
        `no checker process in the PC: ${[...new Set(lines)].join(' | ')}`,
      );
      assert.deepEqual(
        new Set((await watchers()).map((w) => w.id)),
        seen,
        'the same watchers answered every look (no container per look)',
      );
    } finally {
      await checker.stop();
      await run('fw', 'nft -f /etc/nftables.conf');
      await sh(engine, c('pc'), "pkill -f '[e]nshu-sleeper-x'; rm -f /tmp/.marker");
    }
    assert.deepEqual(await watchers(), [], 'no watcher left after stop()');
  }, 300_000);

  test('a look that hangs holds up no other check', async () => {
    const truth: GroundTruth = {
      scenario: 'live',
      team: TEAM,
      steps: [],
      availability: [
        spec('marker-removed', [{ kind: 'file-absent', node: 'pc', path: '/tmp/.marker' }]),
        spec('sleeper-killed', [{ kind: 'process-absent', node: 'pc', pattern: 'enshu-sleeper-x' }]),
      ],
    };
    await damage();
    // a fault put in front of the real engine: the process list never answers until released
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let hanging = 0;
    const faulty: Engine = {
      ...engine,
      containers: engine.containers,
      exec: engine.exec,
      observe: {
        ...engine.observe,
        stat: (x, p) => engine.observe.stat(x, p),
        read: (x, p, o) => engine.observe.read(x, p, o),
        inNetns: (x, s, o) => engine.observe.inNetns(x, s, o),
        follow: (x, s, o, l, e) => engine.observe.follow(x, s, o, l, e),
        top: async (x) => {
          hanging++;
          await held;
          hanging--;
          return engine.observe.top(x);
        },
      },
    };
    const events: EnshuEvent[] = [];
    const checker = liveChecker(truth, events, faulty);
    checker.start();
    try {
      await until(
        'the marker seen',
        () => (last(events, 'marker-removed')?.passed === false ? true : undefined),
        WAIT_MS,
      );
      await run('pc', 'rm -f /tmp/.marker');
      await until('the removal recorded', () => (last(events, 'marker-removed')?.passed ? true : undefined), WAIT_MS);
      assert.ok(hanging > 0, 'the process list was still hanging when the file check recorded its fix');
      const stuck = await until('the hung check to give up', () => last(events, 'sleeper-killed'), WAIT_MS);
      assert.equal(stuck.passed, false);
      assert.match(stuck.detail, /no answer within/);
    } finally {
      release();
      await checker.stop();
      await sh(engine, c('pc'), "pkill -f '[e]nshu-sleeper-x'; rm -f /tmp/.marker");
    }
  }, 300_000);

  test('a FW that drops only the marked probes never lets the check pass; the honest block does', async () => {
    const outside = ipOf('outside');
    const truth: GroundTruth = {
      scenario: 'live',
      team: TEAM,
      steps: [],
      availability: [spec('outside-blocked', [{ kind: 'tcp-blocked', from: 'pc', to: outside, port: 80 }])],
    };
    await run('fw', 'nft -f /etc/nftables.conf');
    const events: EnshuEvent[] = [];
    const checker = liveChecker(truth, events);
    checker.start();
    try {
      await until(
        'the open path seen',
        () => (last(events, 'outside-blocked')?.passed === false ? true : undefined),
        WAIT_MS,
      );
      await run('fw', 'nft insert rule inet filter forward ip dscp 0x2d drop');
      const tampered = await until(
        'the evasion recorded',
        () => events.find((e) => e.type === 'check.tampered' && !e.cleared),
        WAIT_MS,
      );
      assert.match(tampered.type === 'check.tampered' ? tampered.detail : '', /reads ip dscp/);
      // the cheat stands through many of the watcher's probes (once a second): none may pass
      const at = events.length;
      await new Promise((r) => setTimeout(r, 15_000));
      assert.ok(
        !results(events, 'outside-blocked').some((e) => e.passed),
        `the check must not pass while the FW singles out the probes: ${JSON.stringify(events.slice(at))}`,
      );
      await run(
        'fw',
        `h=$(nft -a list chain inet filter forward | sed -n 's/.*ip dscp 0x2d drop # handle \\([0-9]*\\)/\\1/p'); nft delete rule inet filter forward handle $h; nft insert rule inet filter forward ip daddr ${outside} jump blocked`,
      );
      await until(
        'the honest block recorded',
        () => (last(events, 'outside-blocked')?.passed ? true : undefined),
        WAIT_MS,
      );
      assert.ok(
        events.some((e) => e.type === 'check.tampered' && e.cleared),
        'the end of the evasion is recorded',
      );
      const cleared = events.findIndex((e) => e.type === 'check.tampered' && e.cleared);
      const passed = events.findIndex((e) => e.type === 'check.result' && e.passed);
      assert.ok(cleared < passed, 'the check passes only once the FW is honest again');
    } finally {
      await checker.stop();
      await run('fw', 'nft -f /etc/nftables.conf');
    }
  }, 300_000);
});
