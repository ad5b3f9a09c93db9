/**
 * Visibility, tested the way a cheater would: a course A exercise runs through the real server on
 * the real engine (one team, scenario a-phishing-c2-exfil, the pseudo-attacker at high speed), and a
 * trainee who has nothing but the join code records every REST answer and socket message they get
 * while the attack runs and after — the join snapshot, every delta, and every GET they may call.
 * The answer key is computed with the project's own planner (`planFor`/`groundTruth` with the
 * exercise's seed) and each of its values — the seed, the scenario, step ids, techniques, check ids
 * and titles, facts and indicators — is searched for in the serialized payloads. An organizer's
 * payloads are searched for the teams' join codes the same way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { groundTruth, loadScenario, planFor } from '../../attacker/index.js';
import { RangeManager, topologyForCourse, type Engine } from '../../orchestrator/index.js';
import type { AttackStepEvent, StoredEvent } from '../../protocol/index.js';
import { attackPort, reportingPort, scoringPort } from '../../server/index.js';
import { engineWithImages } from '../helpers/range.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from '../server/helpers.js';

const EX = 'vis-course-a';
const SCENARIO = 'a-phishing-c2-exfil';
/** distinctive: a short seed would be found in any timestamp */
const SEED = 918273645;
const SPEED = 300;
const BUILD_MS = 10 * 60_000;
const ATTACK_MS = 12 * 60_000;
const TRAINEE = 'visitor-one';

const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-visibility-'));
let engine: Engine;
let run: Running;
let admin = '';
let organizer = '';
let trainee = '';
let joinCodes: string[] = [];
const sockets: Client[] = [];
let traineeSocket: Client | undefined;

/** Everything a client received: where it came from and the payload as it arrived. */
interface Received {
  from: string;
  status?: number;
  text: string;
}
const traineeGot: Received[] = [];
const organizerGot: Received[] = [];

const log = (): StoredEvent[] => run.server.store.events.list(EX);
const attackSteps = () =>
  log().filter((e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step' && e.team === 't01');

function record(into: Received[], s: Client, who: string) {
  s.onAny((name: string, ...args: unknown[]) =>
    into.push({ from: `${who} socket ${name}`, text: JSON.stringify(args) }),
  );
}

async function get(into: Received[], token: string, path: string) {
  const r = await run.api('GET', path, undefined, token);
  into.push({ from: `GET ${path}`, status: r.status, text: r.text });
  return r;
}

/** Every GET a trainee of t01 may try (staff-only ones answer 403; the answer is recorded anyway). */
async function traineeSweep() {
  const base = `/api/exercises/${EX}`;
  for (const p of [
    '/api/me',
    '/api/exercises',
    base,
    `${base}/events`,
    `${base}/scores`,
    `${base}/teams/t01`,
    `${base}/teams/t01/score`,
    `${base}/teams/t01/hints`,
    `${base}/teams/t01/timeline`,
    `${base}/results`,
    `${base}/results?format=csv`,
    '/api/stats',
  ])
    await get(traineeGot, trainee, p);
  // the socket snapshot, again, on a fresh join
  if (traineeSocket) {
    const ack = await join(traineeSocket, EX, 't01');
    traineeGot.push({ from: 'trainee socket join ack', text: JSON.stringify(ack) });
  }
}

async function organizerSweep() {
  const base = `/api/exercises/${EX}`;
  for (const p of [
    '/api/exercises',
    base,
    `${base}/events`,
    `${base}/scores`,
    `${base}/teams/t01`,
    `${base}/teams/t01/score`,
    `${base}/teams/t01/hints`,
    `${base}/teams/t01/timeline`,
    `${base}/results`,
    `${base}/results?format=csv`,
    '/api/stats',
    '/api/stats?format=csv',
  ])
    await get(organizerGot, organizer, p);
}

/** `value` as a whole token (not inside a longer word or number) in `text`. */
function containsToken(text: string, value: string): boolean {
  const esc = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${esc}($|[^A-Za-z0-9_])`).test(text);
}

/** The answer key of t01: what a trainee must never read, each with what it is. */
function answerKey(): Map<string, string> {
  const scenario = loadScenario(SCENARIO);
  const plan = planFor(scenario, { exercise: EX, team: 't01', seed: SEED });
  // the planner's truth without the range's addresses, and the server's (the same planner, with them)
  const planned = groundTruth(scenario, { exercise: EX, team: 't01', seed: SEED });
  const served = run.server.service.truths(EX).get('t01');
  assert.ok(served, 'the server has t01’s ground truth');
  assert.deepEqual(
    served.steps.map((s) => s.id),
    planned.steps.map((s) => s.id),
    'the server plans what the planner plans',
  );
  const key = new Map<string, string>();
  const add = (v: string | undefined, what: string) => {
    if (!v) return;
    // short numbers (ports like 443) are in every timestamp and log position: they are not a secret
    if (/^\d+$/.test(v) && v.length < 6) return;
    if (v.length < 3) return;
    key.set(v, what);
  };
  add(String(SEED), 'the seed');
  add(SCENARIO, 'the scenario id');
  for (const [k, v] of Object.entries(plan.facts)) if (k !== 'exercise' && k !== 'team') add(v, `fact ${k}`);
  for (const s of plan.steps) {
    add(s.id, 'a step id');
    add(s.technique, `the technique of ${s.id}`);
  }
  for (const truth of [planned, served]) {
    for (const s of truth.steps) {
      add(s.technique, `the technique of ${s.id}`);
      for (const i of s.indicators) add(i.value, `indicator ${i.type} of ${s.id}`);
      for (const c of [...s.containment, ...s.recovery]) {
        add(c.id, `check id of ${s.id}`);
        add(c.title.en, `check title of ${c.id}`);
        add(c.title.ja, `check title of ${c.id}`);
      }
    }
    for (const c of truth.availability) {
      add(c.id, 'availability check id');
      add(c.title.en, `check title of ${c.id}`);
      add(c.title.ja, `check title of ${c.id}`);
    }
  }
  // what the attack actually recorded: its evidence and captured facts
  for (const e of attackSteps()) {
    if (e.evidence.length >= 8) add(e.evidence, `evidence of ${e.step}`);
    for (const [k, v] of Object.entries(e.captured ?? {})) add(v, `captured ${k} of ${e.step}`);
  }
  return key;
}

beforeAll(async () => {
  const topology = topologyForCourse('A');
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  await new RangeManager(engine).down({ exercise: EX });
  run = await startServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    checkIntervalMs: 2000,
    rescoreIntervalMs: 2000,
    limits: { loginPerMinute: 100, submissionsPerMinute: 100 },
  });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await run?.server.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('what a trainee and an organizer can read of a running course A exercise', () => {
  it(
    'an instructor creates and builds the exercise; a trainee joins with the code, an organizer logs in',
    { timeout: 2 * BUILD_MS + 60_000 },
    async () => {
      admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
      const created = await run.api<{ teams: { joinCode: string }[] }>(
        'POST',
        '/api/exercises',
        { id: EX, course: 'A', scenario: SCENARIO, seed: SEED, speed: SPEED, teams: [{ name: 'Blue', members: [] }] },
        admin,
      );
      assert.equal(created.status, 201, created.text);
      joinCodes = created.body.teams.map((t) => t.joinCode);
      assert.equal(
        (await run.api('POST', '/api/users', { name: 'ito', role: 'organizer', password: 'organizer-pass-1' }, admin))
          .status,
        200,
      );
      organizer = (
        await run.api<{ token: string }>('POST', '/api/auth/login', { user: 'ito', password: 'organizer-pass-1' })
      ).body.token;
      const joined = await run.api<{ token: string }>('POST', '/api/auth/join', { code: joinCodes[0], name: TRAINEE });
      trainee = joined.body.token;
      assert.ok(trainee, joined.text);

      // both listen from before the build: the exercise's state changes and the build's progress
      const t = await connect(run.url, trainee);
      sockets.push(t);
      traineeSocket = t;
      record(traineeGot, t, 'trainee');
      const ack = await join(t, EX, 't01');
      assert.ok(ack.ok);
      traineeGot.push({ from: 'trainee socket join ack', text: JSON.stringify(ack) });
      const o = await connect(run.url, organizer);
      sockets.push(o);
      record(organizerGot, o, 'organizer');
      const oack = await join(o, EX);
      assert.ok(oack.ok);
      organizerGot.push({ from: 'organizer socket join ack', text: JSON.stringify(oack) });

      let state = '';
      for (let attempt = 1; attempt <= 2 && state !== 'ready'; attempt++) {
        const ready = waitFor(
          o,
          'exercise',
          (x) => x.id === EX && (x.state === 'ready' || x.state === 'created'),
          BUILD_MS,
        );
        assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
        state = (await ready).state;
      }
      assert.equal(state, 'ready', 'the range was built');
    },
  );

  it(
    'runs the attack while the trainee submits, buys a hint and reads everything they may',
    { timeout: ATTACK_MS + 120_000 },
    async () => {
      assert.equal((await run.api('POST', `/api/exercises/${EX}/start`, {}, admin)).status, 200);
      const api = (path: string, body: unknown) =>
        run.api('POST', `/api/exercises/${EX}/teams/t01/${path}`, body, trainee);
      const answers = (r: { status: number; text: string }, what: string) => {
        traineeGot.push({ from: `POST ${what}`, status: r.status, text: r.text });
        return r;
      };
      assert.equal(
        answers(await api('findings', { indicatorType: 'ip', value: '198.51.100.77', text: 'odd traffic' }), 'finding')
          .status,
        200,
      );
      assert.equal(answers(await api('actions', { what: 'watched the proxy log' }), 'action').status, 200);
      let bought = false;
      const end = Date.now() + ATTACK_MS;
      while (!log().some((e) => e.type === 'attack.finished' && e.team === 't01')) {
        assert.ok(Date.now() < end, 'the attack finished in time');
        await traineeSweep();
        if (!bought) {
          const hints = await get(traineeGot, trainee, `/api/exercises/${EX}/teams/t01/hints`);
          const steps = (hints.body as { steps: { step: string; hints: { id: string; got?: string }[] }[] }).steps;
          const pick = steps.find((s) => s.hints.some((h) => !h.got));
          if (pick) {
            const r = answers(
              await api('hints/buy', { step: pick.step, hint: pick.hints.find((h) => !h.got)!.id }),
              'hint purchase',
            );
            assert.equal(r.status, 200, r.text);
            bought = true;
          }
        }
        await new Promise((r) => setTimeout(r, 4000));
      }
      assert.ok(bought, 'the trainee bought a hint of a step the attack had reached');
      const report = await api('reports', {
        kind: 'first',
        language: 'en',
        fields: {
          occurredAt: 'this morning',
          affected: 'one office computer',
          cause: 'under investigation',
          outlook: 'today',
          alternatives: 'use the phone desk',
          actions: 'we disconnected the computer',
        },
      });
      assert.equal(answers(report, 'report').status, 200, report.text);
      // a few checker and rescoring rounds after the attack: their deltas reach the sockets too
      await new Promise((r) => setTimeout(r, 8000));
      await traineeSweep();
      await organizerSweep();
    },
  );

  it('gives the trainee no seed, scenario, step, technique, check, fact or evidence of their answer key', () => {
    const key = answerKey();
    assert.ok(key.size > 30, `an answer key of ${key.size} values`);
    assert.ok(traineeGot.length > 50, `the trainee received ${traineeGot.length} payloads`);
    const leaks: string[] = [];
    for (const r of traineeGot)
      for (const [value, what] of key)
        if (containsToken(r.text, value))
          leaks.push(`${what} (${JSON.stringify(value)}) in ${r.from}: ${r.text.slice(0, 300)}`);
    console.error(`# visibility: ${traineeGot.length} trainee payloads searched for ${key.size} answer-key values`);
    assert.deepEqual(leaks.slice(0, 20), [], `${leaks.length} leaks`);
    // nor the attacker's events, checks, runner state, or a ranking the course hides
    for (const r of traineeGot) {
      for (const word of [
        '"attack.',
        '"check.result"',
        '"runners"',
        '"evidence"',
        '"technique"',
        '"rank"',
        '"seed"',
        '"scenario"',
      ])
        assert.ok(!r.text.includes(word), `${word} in ${r.from}: ${r.text.slice(0, 300)}`);
    }
    // the staff-only routes refused them, and the timeline was their own lanes
    for (const r of traineeGot.filter((x) => /results|stats/.test(x.from))) assert.equal(r.status, 403, r.from);
    const timeline = traineeGot.filter((x) => x.from.endsWith('/timeline'));
    assert.ok(timeline.length && timeline.every((x) => x.status === 200 && !x.text.includes('"lane":"attack"')));
  });

  it('still gives the trainee what the workspace needs: their score, report deadlines, hints', () => {
    const deltas = traineeGot.filter((r) => r.from === 'trainee socket score');
    assert.ok(deltas.length > 0, 'score deltas reached the trainee');
    const impact = attackSteps().find((e) => e.outcome === 'succeeded' && e.impact);
    const snap = JSON.parse(traineeGot.filter((r) => r.from === 'trainee socket join ack').at(-1)!.text) as {
      snapshot: { deadlines: { firstReportDue?: string }; scores: { team: string; detail?: unknown[] }[] };
    };
    assert.ok(snap.snapshot.scores[0]?.team === 't01' && snap.snapshot.scores[0].detail?.length, 'own breakdown');
    if (impact) {
      // the report clock starts at the incident: the first attack step a team could notice (#14)
      const incident = attackSteps().find((e) => e.outcome !== 'skipped')!;
      const due = snap.snapshot.deadlines.firstReportDue;
      assert.ok(due && due > incident.at, `the first report is due after the incident (${due})`);
      assert.ok(
        traineeGot.some((r) => r.from === 'trainee socket deadlines'),
        'a deadlines delta',
      );
    }
    const bought = traineeGot.find((r) => r.from === 'POST hint purchase')!;
    assert.match(bought.text, /"type":"hint.bought"/);
  });

  it('refuses a trainee a hint named by its step id: only their own reference to a reached step buys', async () => {
    // every step has run now; a step id (rather than the trainee's reference) is refused all the same
    const r = await run.api(
      'POST',
      `/api/exercises/${EX}/teams/t01/hints/buy`,
      { step: 'exfiltrate', hint: 'big-post' },
      trainee,
    );
    assert.equal(r.status, 403, r.text);
  });

  it('gives the organizer results, scores and timelines but no join code', () => {
    assert.ok(organizerGot.length > 10);
    for (const r of organizerGot) {
      assert.ok(!r.text.includes('"joinCode"'), `a joinCode field in ${r.from}`);
      for (const code of joinCodes) assert.ok(!containsToken(r.text, code), `join code ${code} in ${r.from}`);
    }
    for (const r of organizerGot.filter((x) => x.from.startsWith('GET')))
      assert.equal(r.status, 200, `${r.from}: ${r.text}`);
  });

  it('opens the after-action timeline to the trainee once the exercise has ended (course A allows it)', async () => {
    assert.equal((await run.api('POST', `/api/exercises/${EX}/end`, {}, admin)).status, 200);
    const tl = await run.api<{ entries: { lane: string }[] }>(
      'GET',
      `/api/exercises/${EX}/teams/t01/timeline`,
      undefined,
      trainee,
    );
    assert.equal(tl.status, 200, tl.text);
    assert.ok(
      tl.body.entries.some((e) => e.lane === 'attack'),
      'the attack lane is open now',
    );
    // the rest stays closed: the exercise, snapshot and events are still the trainee's projection
    for (const p of [`/api/exercises/${EX}`, `/api/exercises/${EX}/teams/t01`, `/api/exercises/${EX}/events`]) {
      const r = await run.api('GET', p, undefined, trainee);
      assert.ok(!r.text.includes(String(SEED)) && !r.text.includes('"attack.'), p);
    }
  });
});
