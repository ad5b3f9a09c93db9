/**
 * Every shipped scenario, played to its end on one real cyder-standard team, leaves what its hints
 * and indicators point at in the team's log search (the SOC's `enshu-logs`, which the workspace's
 * log search runs): each indicator a log can carry (address, URL, mail address, account, log text)
 * of every step that succeeded is found, and each hint that sends the team to a log finds there what
 * it describes. Hints that point elsewhere (a page's content, the instructor's key) and host-only
 * indicators (a file, a process, a port) are listed by name, so a new hint or indicator cannot slip by.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { AttackRunner, groundTruth, loadScenario, MemorySink } from '../../attacker/index.js';
import type { GroundTruth } from '../../core/index.js';
import { loadTopologyById, RangeManager, type Engine } from '../../orchestrator/index.js';
import type { AttackStepEvent } from '../../protocol/index.js';
import { engineWithImages } from '../helpers/range.js';
import { Soc, type LogLine } from './soc.js';

const EX = 'ui-scn-logs';
const SEED = 'ui-scn-logs';
const SPEED = 300;
const TEAM = 't01';
const topology = loadTopologyById('cyder-standard');
const LOG_TYPES = new Set(['ip', 'url', 'email', 'account', 'log', 'domain']);
/**
 * Indicators typed as log text that no log carries, each with where the team does find it. Each is
 * a finding of this test that the scenario's author should settle (a type for page content, or a
 * log line that carries it); listed by scenario, step and value so that no other slips by.
 */
const NOT_IN_LOGS: Record<string, string> = {
  'b2-web-deface-ransomware/deface/log': 'the defaced page’s own marker: on the page itself (hint defaced-page)',
};
const HOST_TYPES = new Set(['file', 'process', 'port', 'hash']);

/** What following each hint means in the log search: the query a trainee would run, and what it must show. */
type HintLog =
  | { node: string; grep: (t: GroundTruth, step: string) => string; check?: (lines: LogLine[]) => string | undefined }
  | { notLog: string };
const value = (t: GroundTruth, step: string, type: string) =>
  t.steps.find((s) => s.id === step)!.indicators.find((i) => i.type === type)!.value;
const upOf = (l: LogLine) => Number(/ up=(\d+)$/.exec(l.msg.trim())?.[1] ?? NaN);
const HINTS: Record<string, Record<string, HintLog>> = {
  'a-phishing-c2-exfil': {
    'mail-log': { node: 'mail', grep: (t) => `from=<${value(t, 'phishing-mail', 'email')}>` },
    'proxy-log': {
      node: 'proxy',
      grep: () => `/beacon/${TEAM}-`,
      check: (l) => (l.length >= 3 ? undefined : `only ${l.length} beacon lines: no steady interval to see`),
    },
    'big-post': {
      node: 'proxy',
      grep: () => ' POST http://',
      check: (l) => {
        const biggest = l.reduce((a, b) => (upOf(b) > upOf(a) ? b : a));
        return biggest.msg.includes(`/beacon/x-${TEAM}-`) && upOf(biggest) > 0
          ? undefined
          : `the largest POST (${upOf(biggest)} bytes) is not the exfiltration: ${biggest.msg}`;
      },
    },
  },
  'b2-web-deface-ransomware': {
    'web-404': {
      node: 'web',
      grep: (t) => value(t, 'web-recon', 'log'),
      // the scanner asks for six paths, four of them missing
      check: (l) => {
        const missing = l.filter((x) => /" 40[34] /.test(x.msg)).length;
        return missing >= 3
          ? undefined
          : `${missing} missing-path answers to the scanner: ${l.map((x) => x.msg).join(' | ')}`;
      },
    },
    'defaced-page': { notLog: 'the top page itself (its content and time), on the web server' },
    key: { notLog: 'the instructor holds the decryption key' },
  },
  'c-ad-lateral-rd-exfil': {},
};

let engine: Engine;
let ranges: RangeManager;
let soc: Soc;
const ips: Record<string, string> = {};
const timings: Record<string, number> = {};

beforeAll(async () => {
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  ranges = new RangeManager(engine);
  await ranges.down({ exercise: EX });
  const t0 = Date.now();
  const status = await ranges.up({ exercise: EX, topology, teams: 1, seed: SEED }).catch((err: Error) => {
    console.error(`# first up failed: ${err.message}`);
    return ranges.up({ exercise: EX, topology, teams: 1, seed: SEED });
  });
  timings.up = (Date.now() - t0) / 1000;
  const prefix = `enshu-${EX}-${TEAM}-`;
  for (const n of status.teams[0]!.nodes) {
    const entries = Object.entries(n.ips).sort(([a], [b]) => a.localeCompare(b));
    if (entries[0]) ips[n.node] = entries[0][1];
    for (const [net, addr] of entries) ips[`${n.node}.${net.slice(prefix.length)}`] = addr;
  }
  soc = new Soc(engine, `${prefix}soc`);
}, 900_000);

afterAll(async () => {
  await ranges?.down({ exercise: EX });
  console.error(`# scenario log timings (s): ${JSON.stringify(timings)}`);
});

/** Lines with a literal text, waiting a little for the nodes' logs to reach the SOC. */
async function findIn(grep: string, node?: string): Promise<LogLine[]> {
  for (let i = 0; ; i++) {
    const hits = await soc.search({ grep, ...(node ? { node } : {}) });
    if (hits.length || i === 10) return hits;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

describe('what each shipped scenario’s hints and indicators point at is in the team’s log search', () => {
  for (const id of Object.keys(HINTS)) {
    it(id, { timeout: 600_000 }, async () => {
      const sc = loadScenario(id);
      const truth = groundTruth(sc, { exercise: EX, team: TEAM, seed: SEED, ips });
      const sink = new MemorySink();
      const runner = new AttackRunner({
        engine,
        exercise: EX,
        team: TEAM,
        scenario: sc,
        seed: SEED,
        sink,
        speed: SPEED,
      });
      const t0 = Date.now();
      await runner.start();
      await runner.done();
      timings[id] = (Date.now() - t0) / 1000;
      const steps = sink.events.filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step');
      const succeeded = new Set(steps.filter((e) => e.outcome === 'succeeded').map((e) => e.step));
      try {
        const missing: string[] = [];
        for (const s of truth.steps.filter((x) => succeeded.has(x.id))) {
          for (const i of s.indicators) {
            if (HOST_TYPES.has(i.type) || NOT_IN_LOGS[`${id}/${s.id}/${i.type}`]) continue;
            assert.ok(LOG_TYPES.has(i.type), `${s.id}: indicator type ${i.type} is neither a log nor a host one`);
            if (!(await findIn(i.value)).length) missing.push(`${s.id} ${i.type} "${i.value}"`);
          }
        }
        for (const s of truth.steps) {
          for (const h of s.hints) {
            const how = HINTS[id]![h.id];
            assert.ok(how, `hint ${s.id}/${h.id} ("${h.text.en}") says nothing here about where it leads`);
            if ('notLog' in how || !succeeded.has(s.id)) continue;
            const lines = await findIn(how.grep(truth, s.id), how.node);
            if (!lines.length) missing.push(`hint ${h.id}: nothing with "${how.grep(truth, s.id)}" on ${how.node}`);
            else {
              const why = how.check?.(lines);
              if (why) missing.push(`hint ${h.id}: ${why}`);
            }
          }
        }
        assert.deepEqual(
          missing,
          [],
          `not in the log search; the attack: ${steps.map((e) => `${e.step}=${e.outcome}`).join(', ')}`,
        );
      } finally {
        await runner.stop();
      }
    });
  }
});
