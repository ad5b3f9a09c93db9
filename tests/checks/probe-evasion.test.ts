/**
 * A team has root on its FW. If it drops only the checker's marked packets, a "blocked" check must
 * not pass while the real path stays open: the checker reads the FW's filters each round, fails the
 * team's network checks while a filter can tell its probes apart, and records check.tampered (for
 * instructors) when that starts and ends. A real block of the path passes as before.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { loadTopology, type Engine, type ExerciseStatus, type RangeManager } from '../../orchestrator/index.js';
import type { CheckSpec, GroundTruth } from '../../core/index.js';
import type { EnshuEvent } from '../../protocol/index.js';
import { Checker } from '../../server/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';
import { teardown } from '../helpers/teardown.js';

const EX = 'evasion';
const TEAM = 't01';
const topology = loadTopology(join(import.meta.dirname, 'evasion-range.yaml'));
let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
const fw = `enshu-${EX}-${TEAM}-fw`;

const ipOf = (node: string) => Object.values(status.teams[0]!.nodes.find((n) => n.node === node)!.ips)[0]!;

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ({ ranges, status } = await freshRange(engine, EX, topology, 1));
}, 900_000);

afterAll(() => teardown([['remove the range', () => ranges?.down({ exercise: EX })]]));

describe('the checker against a FW that singles out its probes', () => {
  test('a drop of marked packets only fails the check and is recorded; a real block passes', async () => {
    const target = ipOf('outside');
    const spec: CheckSpec = {
      id: 'outside-blocked',
      kind: 'containment',
      title: { ja: '外部サーバへの通信の遮断', en: 'Traffic to the outside server blocked' },
      node: 'pc',
      probes: [{ kind: 'tcp-blocked', from: 'pc', to: target, port: 80 }],
    };
    const truth: GroundTruth = { scenario: 'evasion', team: TEAM, steps: [], availability: [spec] };
    const events: EnshuEvent[] = [];
    const checker = new Checker({
      engine,
      exercise: EX,
      truths: new Map([[TEAM, truth]]),
      sink: { append: async (e) => (events.push(e), { ...e, seq: events.length }) },
    });
    const lastResult = () => events.filter((e) => e.type === 'check.result').at(-1);
    const tampers = () => events.filter((e) => e.type === 'check.tampered');

    await checker.tick();
    assert.equal(lastResult()?.type === 'check.result' && lastResult()!.passed, false, 'the path is open');
    assert.deepEqual(tampers(), [], 'the range’s own ruleset is no tampering');

    // the cheat: drop what carries the checker's mark, let everything else through
    await sh(engine, fw, 'nft insert rule inet filter forward ip dscp 0x2d drop');
    await checker.tick();
    assert.ok(
      !events.some((e) => e.type === 'check.result' && e.passed),
      `the check must not pass: ${JSON.stringify(events)}`,
    );
    const t = tampers();
    assert.equal(t.length, 1);
    assert.ok(t[0]!.type === 'check.tampered' && !t[0]!.cleared && t[0]!.node === 'fw');
    assert.match(t[0]!.detail, /forward .*reads ip dscp/);
    // the cheat works at the packet level: marked SYNs die at the FW, the real ones get through
    const connect = (tos: number) =>
      sh(
        engine,
        `enshu-${EX}-${TEAM}-pc`,
        `python3 -c "import socket; s = socket.socket(); s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, ${tos}); s.settimeout(3); s.connect(('${target}', 80))"`,
      );
    assert.notEqual((await connect(0xb4)).exitCode, 0, 'a marked connection is dropped by the cheat');
    assert.equal((await connect(0)).exitCode, 0, 'unmarked traffic still flows through the cheating FW');

    // the honest fix: the cheat removed, the outside server blocked for everyone (and logged)
    await sh(
      engine,
      fw,
      `h=$(nft -a list chain inet filter forward | sed -n 's/.*ip dscp 0x2d drop # handle \\([0-9]*\\)/\\1/p'); nft delete rule inet filter forward handle $h; nft insert rule inet filter forward ip daddr ${target} jump blocked`,
    );
    await checker.tick();
    const cleared = tampers().at(-1);
    assert.ok(cleared?.type === 'check.tampered' && cleared.cleared, 'the end of the evasion is recorded');
    const fixed = lastResult();
    assert.ok(fixed?.type === 'check.result' && fixed.passed, `a real block passes: ${JSON.stringify(fixed)}`);
    assert.equal(tampers().length, 2);
  });
});
