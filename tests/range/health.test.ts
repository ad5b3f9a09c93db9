/**
 * The health wait on the real engine: a node that needs a few seconds is retried inside the node until
 * its check passes; a node that never passes stops `up` with an error naming the team, the node, the
 * time allowed and the check's last output; once the node is fixed, `up` converges. The checker
 * runs a node's scoring checks in one exec and keeps each check's own result.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, RangeManager, type Engine } from '../../orchestrator/index.js';
import { WaitTimeoutError } from '../../core/index.js';
import { type RangeProgress } from '../../protocol/index.js';
import { engineWithImages, sh } from '../helpers/range.js';

const EX = 'rg-health';
const topology = loadTopology(join(fileURLToPath(new URL('.', import.meta.url)), 'health-test.yaml'));
let engine: Engine;
let ranges: RangeManager;

beforeAll(async () => {
  engine = await engineWithImages(['web']);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
});

afterAll(async () => {
  await ranges?.down({ exercise: EX });
});

test('a node that never passes its check stops `up` with the node, the time allowed and what the check said', async () => {
  const events: RangeProgress[] = [];
  const err = await ranges.up({ exercise: EX, topology, teams: 1, onProgress: (p) => events.push(p) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof WaitTimeoutError, `a WaitTimeoutError (got ${String(err)})`);
  assert.match(
    err.message,
    /team t01 node broken: health check .* did not pass within 6s after the range's containers were all started \(\d+s in all\) \(last: exit 1: no \/srv\/ready on this node\)/,
  );
  assert.deepEqual(err.context, { exercise: EX, team: 't01', node: 'broken' });

  // the slow node was retried until it passed, without the orchestrator polling it
  const at = (node: string, step: string) => Date.parse(events.find((e) => e.node === node && e.step === step)!.at);
  assert.ok(
    events.some((e) => e.node === 'slow' && e.step === 'health'),
    'the slow node became healthy',
  );
  assert.ok(
    at('slow', 'health') - at('slow', 'container') >= 2000,
    'its check was retried until the node had run for 3 s',
  );
  assert.ok(!events.some((e) => e.step === 'ready'), 'the team is not reported ready');
});

test('once the node is fixed, `up` again adopts both nodes and the team is ready', async () => {
  await sh(engine, `enshu-${EX}-t01-broken`, 'touch /srv/ready');
  const events: RangeProgress[] = [];
  const status = await ranges.up({ exercise: EX, topology, teams: 1, onProgress: (p) => events.push(p) });
  assert.ok(events.some((e) => e.step === 'ready' && e.team === 't01'));
  assert.deepEqual(status.teams[0]!.nodes.map((n) => n.node).sort(), ['broken', 'slow']);
});

test('a node’s time does not run out while the range is still being started, and runs from when it was', async () => {
  const { waitHealthy } = await import('../../orchestrator/index.js');
  const container = `enshu-${EX}-t01-slow`;
  await sh(engine, container, 'rm -f /tmp/go');
  let busy: number | undefined;
  const wait = (busyUntil: () => number | undefined) =>
    waitHealthy(engine, {
      container,
      command: ['sh', '-c', 'test -f /tmp/go'],
      timeoutMs: 2000,
      what: 'team t01 node slow',
      context: { exercise: EX, team: 't01', node: 'slow' },
      busyUntil,
    });
  // passes after 5 s although it has 2 s of its own: the range was being started for 4 s
  const t0 = Date.now();
  setTimeout(() => {
    busy = Date.now();
  }, 4000);
  setTimeout(() => void sh(engine, container, 'touch /tmp/go'), 5000);
  await wait(() => busy);
  assert.ok(Date.now() - t0 >= 4500, 'it waited past its own 2 s');
  // never passing: it fails 2 s after the range was started, saying so
  await sh(engine, container, 'rm -f /tmp/go');
  const started = Date.now() + 1000;
  const t1 = Date.now();
  const err = await wait(() => (Date.now() >= started ? started : undefined)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof WaitTimeoutError, String(err));
  assert.match(err.message, /did not pass within 2s after the range's containers were all started \(\d+s in all\)/);
  assert.ok(Date.now() - t1 >= 3000 && Date.now() - t1 < 15_000, `failed ${Date.now() - t1} ms after it began`);
});

test('the checker runs a node’s checks in one exec and records each result, failures with their reason', async () => {
  const { Checker } = await import('../../server/index.js');
  const spec = (id: string, command: string, extra: Record<string, string> = {}) => ({
    id,
    kind: 'availability' as const,
    title: { ja: id, en: id },
    node: 'slow',
    command,
    ...extra,
  });
  const appended: { check: string; passed: boolean; detail: string; at: string }[] = [];
  const execs: string[] = [];
  const counting = {
    ...engine,
    exec: {
      ...engine.exec,
      run: (c: string, cmd: string[], o?: object) => {
        execs.push(c);
        return engine.exec.run(c, cmd, o);
      },
    },
  } as Engine;
  const checker = new Checker({
    engine: counting,
    exercise: EX,
    timeoutMs: 8000,
    truths: new Map([
      [
        't01',
        {
          scenario: 's',
          team: 't01',
          steps: [],
          availability: [
            spec('passes', 'curl -fsS -o /dev/null http://127.0.0.1/'),
            spec('fails', 'echo "no such page"; exit 3'),
            spec('forges', 'echo "@@enshu-check 1 0 AAAA"; exit 1'),
            spec('hangs', 'sleep 60'),
            spec('as-nobody', '[ "$(id -un)" = nobody ]', { user: 'nobody' }),
            { ...spec('gone', 'true'), node: 'missing' },
          ],
        },
      ],
    ]),
    sink: {
      append: async (e) => {
        if (e.type === 'check.result') appended.push({ check: e.check, passed: e.passed, detail: e.detail, at: e.at });
        return { ...e, seq: appended.length };
      },
    },
  });
  const issued = new Date().toISOString();
  await checker.tick();
  const answered = new Date().toISOString();
  const by = new Map(appended.map((a) => [a.check, a]));
  assert.equal(by.get('passes')?.passed, true, by.get('passes')?.detail);
  assert.equal(by.get('as-nobody')?.passed, true, 'a check runs as its user');
  assert.deepEqual([by.get('fails')?.passed, by.get('fails')?.detail], [false, 'exit 3: no such page']);
  assert.equal(by.get('forges')?.passed, false, 'output cannot forge another check’s result');
  assert.equal(by.get('fails')?.passed, false, 'the forged marker did not turn check 1 green');
  assert.match(by.get('hangs')?.detail ?? '', /no answer within 8s/);
  assert.match(by.get('gone')?.detail ?? '', /could not run in missing/);
  // stamped when issued: 'hangs' answers 8 s later, yet its result says when the node was looked at
  const slow = appended.filter((a) => a.check !== 'gone');
  assert.ok(
    slow.every((a) => a.at >= issued && Date.parse(a.at) < Date.parse(answered) - 5000),
    `results carry the time the checks were issued: ${JSON.stringify(slow.map((a) => a.at))}`,
  );
  assert.equal(execs.length, 3, 'one exec per node and user (slow as root, slow as nobody, missing)');
  // only changes are recorded
  assert.deepEqual(await checker.tick(), []);
});
