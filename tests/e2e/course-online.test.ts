/**
 * The online courses end to end on their own range (online-small, one trainee), through the real
 * exercise server (real HTTP, socket.io, attacker, checker and scoring): for online-intro and
 * online-standard in turn, an instructor creates a one-trainee exercise with the scenario the
 * course file names, builds the range and starts the attack at high speed; every step succeeds;
 * each indicator type of the scenario is found in the trainee's SOC log with the SOC's own search
 * tool; the trainee submits a finding read from that log, blocks the attacker at the FW, files a
 * first report and cleans the PC — and a delta per phase reaches the trainee's socket.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { loadCourse, RangeManager, topologyForCourse, type Engine } from '../../orchestrator/index.js';
import type { AttackStepEvent, CheckResultEvent, ScoreDelta, StoredEvent } from '../../protocol/index.js';
import { attackPort, reportingPort, scoringPort } from '../../server/index.js';
import type { GroundTruth } from '../../core/index.js';
import { engineWithImages } from '../helpers/range.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from '../server/helpers.js';
import { Soc } from './soc.js';
import { until } from '../helpers/until.js';

const SPEED = 300;
const BUILD_MS = 10 * 60_000;
const ATTACK_MS = 10 * 60_000;
const PHASES = ['detection', 'response', 'reporting', 'recovery'] as const;
type PhaseName = (typeof PHASES)[number];

const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-e2e-online-'));
let engine: Engine;
let run: Running;
let admin = '';
const sockets: Client[] = [];
const timings: Record<string, number> = {};

/** One course's exercise: ids, the log, and the trainee's socket with the deltas it got. */
class CourseRun {
  readonly ex: string;
  trainee!: Client;
  token = '';
  truth!: GroundTruth;
  readonly deltas: ScoreDelta[] = [];
  latest: Record<string, number> | undefined;
  readonly soc: Soc;
  constructor(
    readonly course: string,
    readonly seed: number,
  ) {
    this.ex = `o13-e2e-${course.replace('online-', '')}`;
    this.soc = new Soc(engine, this.c('soc'));
  }
  c(node: string) {
    return `enshu-${this.ex}-t01-${node}`;
  }
  log(): StoredEvent[] {
    return run.server.store.events.list(this.ex);
  }
  steps() {
    return this.log().filter(
      (e): e is AttackStepEvent & { seq: number } => e.type === 'attack.step' && e.team === 't01',
    );
  }
  checks(id: string) {
    return this.log().filter(
      (e): e is CheckResultEvent & { seq: number } => e.type === 'check.result' && e.team === 't01' && e.check === id,
    );
  }
  story() {
    return this.steps()
      .map((e) => `${e.step}=${e.outcome}${e.reason ? ` (${e.reason})` : ''}`)
      .join('; ');
  }
  indicator(step: string, type: string, nth = 0) {
    const v = this.truth.steps.find((s) => s.id === step)?.indicators.filter((i) => i.type === type)[nth]?.value;
    assert.ok(v, `${step} has a ${type} indicator`);
    return v;
  }
  api(path: string, body: unknown) {
    return run.api('POST', `/api/exercises/${this.ex}/teams/t01/${path}`, body, this.token);
  }
  /** the next delta on the trainee's socket in which `phase` grew */
  grows(phase: PhaseName, ms = 120_000): Promise<ScoreDelta> {
    const from = this.deltas.at(-1)?.score.phases[phase] ?? this.latest?.[phase] ?? 0;
    return (
      waitFor(this.trainee, 'score', (d) => d.team === 't01' && d.score.phases[phase] > from, ms) as Promise<ScoreDelta>
    ).catch(async (err: Error) => {
      const now = await run.api<{ score: { phases: Record<string, number> } | null }>(
        'GET',
        `/api/exercises/${this.ex}/teams/t01/score`,
        undefined,
        this.token,
      );
      throw new Error(
        `${err.message}: no ${phase} delta for ${this.course}; score now ${JSON.stringify(now.body.score)}`,
      );
    });
  }
}

beforeAll(async () => {
  const topology = topologyForCourse('online-standard');
  assert.equal(topology.id, 'online-small');
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  run = await startServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    checkIntervalMs: 2000,
    limits: { loginPerMinute: 100, submissionsPerMinute: 100 },
  });
  admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await run?.server.close();
  if (engine)
    for (const c of ['online-intro', 'online-standard'])
      await new RangeManager(engine).down({ exercise: `o13-e2e-${c.replace('online-', '')}` });
  rmSync(dataDir, { recursive: true, force: true });
  console.error(`# online courses e2e timings (s): ${JSON.stringify(timings)}`);
});

/** Ends the course's exercise, then removes its range: a running one's engine watch would bring removed nodes back. */
async function endAndRemove(r: CourseRun): Promise<void> {
  const ended = await run.api('POST', `/api/exercises/${r.ex}/end`, {}, admin);
  assert.equal(ended.status, 200, ended.text);
  await new RangeManager(engine).down({ exercise: r.ex });
}

/** Create, build (once more if a loaded host made a health check miss), join; start; wait for the end. */
async function playThrough(r: CourseRun): Promise<Record<string, string>> {
  await new RangeManager(engine).down({ exercise: r.ex });
  const scenario = loadCourse(r.course).scenarios[0]!;
  // the binding: another course's scenario is refused with a message naming what this course plays
  const wrong = await run.api(
    'POST',
    '/api/exercises',
    { id: `${r.ex}-x`, course: r.course, scenario: 'a-phishing-c2-exfil', teams: 1 },
    admin,
  );
  assert.equal(wrong.status, 400, wrong.text);
  assert.match(wrong.text, new RegExp(`not for course ${r.course}.*plays ${scenario}`));
  const created = await run.api(
    'POST',
    '/api/exercises',
    { id: r.ex, course: r.course, scenario, seed: r.seed, speed: SPEED, teams: [{ name: 'Solo', members: ['kato'] }] },
    admin,
  );
  assert.equal(created.status, 201, created.text);
  const staff = await connect(run.url, admin);
  sockets.push(staff);
  assert.ok((await join(staff, r.ex)).ok);
  const failures: string[] = [];
  staff.on('progress', (p) => p.status === 'failed' && failures.push(`${p.node ?? ''} ${p.message}`));
  const t0 = Date.now();
  let state = '';
  for (let attempt = 1; attempt <= 2 && state !== 'ready'; attempt++) {
    const ready = waitFor(
      staff,
      'exercise',
      (x) => x.id === r.ex && (x.state === 'ready' || x.state === 'created'),
      BUILD_MS,
    );
    assert.equal((await run.api('POST', `/api/exercises/${r.ex}/provision`, {}, admin)).status, 202);
    state = (await ready).state;
    if (state !== 'ready')
      console.error(`# ${r.course}: provisioning attempt ${attempt} failed: ${failures.join('; ')}`);
  }
  assert.equal(state, 'ready', `provisioning failed: ${failures.join('; ')}`);
  timings[`${r.course}.provision`] = (Date.now() - t0) / 1000;

  const { teams } = (
    await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${r.ex}`, undefined, admin)
  ).body;
  r.token = (
    await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[0]!.joinCode, name: 'kato' })
  ).body.token;
  assert.ok(r.token);

  const t1 = Date.now();
  const started = await run.api('POST', `/api/exercises/${r.ex}/start`, {}, admin);
  assert.equal(started.status, 200, started.text);
  await until(
    `${r.course}: attack.finished (so far: ${r.story()})`,
    () => r.log().find((e) => e.type === 'attack.finished' && e.team === 't01'),
    ATTACK_MS,
  );
  timings[`${r.course}.attack`] = (Date.now() - t1) / 1000;
  r.truth = run.server.service.truths(r.ex).get('t01')!;
  assert.ok(r.truth, 'the trainee has ground truth');
  return Object.fromEntries(r.steps().map((e) => [e.step, e.outcome]));
}

/** The indicator types every online scenario leaves in the SOC log: mail, PC, proxy. */
async function commonIndicators(r: CourseRun, exfilStep: string) {
  const attackerIp = r.indicator('phishing-mail', 'ip');
  assert.match(attackerIp, /^10\.\d+\.0\.66$/, 'the attacker address is the range’s own');
  await r.soc.find('the phishing sender (email)', {
    grep: `from=<${r.indicator('phishing-mail', 'email')}>`,
    node: 'mail',
  });
  await r.soc.find('the sending host (ip)', { grep: `[${attackerIp}]`, node: 'mail' });
  await r.soc.find('the C2 at the proxy (ip)', { grep: attackerIp, node: 'proxy' });
  await r.soc.find('the beacon (url)', { grep: r.indicator('c2-beacon', 'url'), node: 'proxy' });
  await r.soc.find('the exfiltration (url)', { grep: r.indicator(exfilStep, 'url'), node: 'proxy' });
  const opened = await r.soc.find('the opened attachment (file)', {
    grep: r.indicator('user-opens', 'file'),
    node: 'pc1',
  });
  assert.match(opened[0]!.msg, new RegExp(`user=${r.indicator('user-opens', 'account')} `), 'the account (account)');
  // log: every line the scenario names, verbatim
  for (const s of r.truth.steps)
    for (const i of s.indicators.filter((x) => x.type === 'log'))
      await r.soc.find(`log indicator of ${s.id}`, { grep: i.value });
}

/** Finding → FW block → first report → clean PC: a delta per phase on the trainee's socket. */
async function scoreEveryPhase(r: CourseRun, c2Check: string) {
  r.trainee = await connect(run.url, r.token);
  sockets.push(r.trainee);
  r.trainee.on('score', (d) => r.deltas.push(d));
  const snap = await join(r.trainee, r.ex, 't01');
  assert.ok(snap.ok);
  r.latest = snap.snapshot.scores.find((x) => x.team === 't01')?.phases;
  const attackerIp = r.indicator('phishing-mail', 'ip');

  // detection: the sender, as the SOC's mail log shows it
  const line = (await r.soc.search({ grep: 'from=<', node: 'mail' })).find((l) =>
    l.msg.includes(r.indicator('phishing-mail', 'email')),
  )!;
  const sender = /from=<([^>]+)>/.exec(line.msg)![1]!;
  const detection = r.grows('detection');
  const f = await r.api('findings', { indicatorType: 'email', value: sender, text: '不審なメールの送信元' });
  assert.equal(f.status, 200, f.text);
  await detection;

  // response: the attacker blocked at the FW
  assert.equal(r.checks(c2Check).at(-1)?.passed, false, 'the C2 answered before the block');
  const response = r.grows('response');
  const nft = await engine.exec.run(
    r.c('fw'),
    ['nft', 'insert', 'rule', 'inet', 'filter', 'forward', 'ip', 'daddr', attackerIp, 'jump', 'blocked'],
    { timeoutMs: 120_000 },
  );
  assert.equal(nft.exitCode, 0, nft.stderr);
  assert.equal((await r.api('actions', { node: 'fw', what: `FWで ${attackerIp} 宛ての通信を遮断` })).status, 200);
  await response;

  // reporting: a first report in the guideline's shape
  const reporting = r.grows('reporting');
  const rep = await r.api('reports', {
    kind: 'first',
    language: 'ja',
    fields: {
      occurredAt: '本日 午前',
      affected: '総務課の端末1台',
      cause: '偽のメールの添付ファイルが開かれ、外部と通信する不正なプログラムが動いたため',
      outlook: '本日中に端末を復旧する見込み',
      alternatives: '業務は別の端末で続けられます',
      actions: '外部への通信を止め、端末を調べています',
    },
  });
  assert.equal(rep.status, 200, rep.text);
  await reporting;

  // recovery: the implant stopped and removed, the attachment deleted
  const recovery = r.grows('recovery');
  const implant = r.indicator('c2-beacon', 'process');
  await engine.exec.run(r.c('pc1'), ['pkill', '-f', implant], { timeoutMs: 120_000 });
  const clean = await engine.exec.run(
    r.c('pc1'),
    ['rm', '-rf', implant.slice(0, implant.lastIndexOf('/')), r.indicator('user-opens', 'file')],
    { timeoutMs: 120_000 },
  );
  assert.equal(clean.exitCode, 0, clean.stderr);
  assert.equal((await r.api('recoveries', { what: '不正プログラムと添付ファイルを削除' })).status, 200);
  const score = (await recovery).score.phases;
  for (const p of PHASES) assert.ok(score[p]! > 0, `${r.course}: ${p} scored: ${JSON.stringify(score)}`);
}

describe('the online courses on their own range, through the exercise server', () => {
  it(
    'online-intro: the guided phishing scenario runs end to end, indicators in the SOC log, a delta per phase',
    { timeout: 2 * BUILD_MS + ATTACK_MS + 600_000 },
    async () => {
      const r = new CourseRun('online-intro', 31);
      const outcomes = await playThrough(r);
      assert.deepEqual(
        outcomes,
        {
          'phishing-mail': 'succeeded',
          'user-opens': 'succeeded',
          'c2-beacon': 'succeeded',
          discovery: 'succeeded',
          exfiltrate: 'succeeded',
        },
        r.story(),
      );
      // the guided questions are hints of every step, free
      assert.ok(r.truth.steps.flatMap((s) => s.hints).every((h) => h.cost === 0));
      await commonIndicators(r, 'exfiltrate');
      await scoreEveryPhase(r, 'c2-blocked');
      await endAndRemove(r);
    },
  );

  it(
    'online-standard: persistence, mailbox theft, internal phishing and exfiltration, indicators in the SOC log, a delta per phase',
    { timeout: 2 * BUILD_MS + ATTACK_MS + 600_000 },
    async () => {
      const r = new CourseRun('online-standard', 37);
      const outcomes = await playThrough(r);
      assert.deepEqual(
        outcomes,
        {
          'phishing-mail': 'succeeded',
          'user-opens': 'succeeded',
          'c2-beacon': 'succeeded',
          'persist-cron': 'succeeded',
          'saved-password': 'succeeded',
          'mailbox-theft': 'succeeded',
          'internal-phishing': 'succeeded',
          exfiltrate: 'succeeded',
        },
        r.story(),
      );
      await commonIndicators(r, 'exfiltrate');
      // account: the victim's mailbox opened over IMAP (log indicator above); email: the victim's own
      // address sending to the colleague, from inside
      const victimMail = r.indicator('internal-phishing', 'email', 0);
      const colleague = r.indicator('internal-phishing', 'email', 1);
      await r.soc.find('the internal phishing sender (email)', { grep: `from=<${victimMail}>`, node: 'mail' });
      await r.soc.find('the internal phishing recipient (email)', { grep: `to=<${colleague}>`, node: 'mail' });
      // file: the cron job and the saved password are where the truth says
      const cron = await engine.exec.run(r.c('pc1'), ['cat', r.indicator('persist-cron', 'file')], {
        timeoutMs: 60_000,
      });
      assert.match(cron.stdout, new RegExp(r.indicator('persist-cron', 'url').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      await scoreEveryPhase(r, 'c2-blocked-at-proxy');
      await endAndRemove(r);
    },
  );
});
