/**
 * Course B-1 end to end on the local government's three-layer range (lg-three-layer), through the
 * real exercise server (real HTTP, real socket.io, the real attacker and scoring wiring): an
 * instructor creates and builds a one-team B-1 exercise and starts scenario b1-lg-separation at
 * high speed; every step ends as the scenario's branches say on the range as shipped (the vendor's
 * exception lets the disguised payload cross, the forgotten FW rule lets it read the resident
 * register, SMB from the Internet side is refused); the LGWAN copy of the phishing mail is text
 * only; every indicator type the scenario names is found in the team's SOC log with the SOC's own
 * search tool (a process is found on the PC itself, as in course A); a trainee who joined with the
 * team's code submits a finding read from that log, removes the forgotten LGWAN → マイナンバー rule
 * from the FW, files a first report and cleans the Internet-side PC — and the detection, response,
 * reporting and recovery deltas reach the trainee's socket (response and recovery from the check
 * results the server ran in the range, invisibly).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { RangeManager, topologyForCourse, type Engine } from '../../orchestrator/index.js';
import type { ScoreDelta } from '../../protocol/index.js';
import { attackPort, reportingPort, scoringPort } from '../../server/index.js';
import type { GroundTruth } from '../../core/index.js';
import { engineWithImages } from '../helpers/range.js';
import { ADMIN, connect, join, startServer, waitFor, type Client, type Running } from '../server/helpers.js';
import { Soc } from './soc.js';
import { courseHelpers } from './course-helpers.js';

const EX = 'h13-e2e-b1';
const SCENARIO = 'b1-lg-separation';
const SEED = 23;
const SPEED = 300;
const BUILD_MS = 10 * 60_000;
const ATTACK_MS = 12 * 60_000;

const dataDir = mkdtempSync(joinPath(tmpdir(), 'enshu-e2e-b1-'));
const c = (node: string) => `enshu-${EX}-t01-${node}`;
let engine: Engine;
let run: Running;
let admin: string;
let trainee: Client;
let traineeToken = '';
let truth: GroundTruth;
let soc: Soc;
const sockets: Client[] = [];
const deltas: ScoreDelta[] = [];
/** the team's phases as the last snapshot showed them (before any delta on the current socket) */
let latest: Record<string, number> | undefined;
const timings: Record<string, number> = {};

const { log, steps, checks, indicator, until, phaseGrows, turnsTrue } = courseHelpers(() => ({
  exercise: EX,
  team: 't01',
  run,
  trainee,
  traineeToken,
  deltas,
  latest,
  truth,
}));

beforeAll(async () => {
  const topology = topologyForCourse('B-1');
  assert.equal(topology.id, 'lg-three-layer', 'course B-1 runs on the three-layer range');
  engine = await engineWithImages([...new Set(topology.nodes.map((n) => n.role))]);
  await new RangeManager(engine).down({ exercise: EX });
  run = await startServer({
    dataDir,
    engine,
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
    checkIntervalMs: 2000,
    limits: { loginPerMinute: 100, submissionsPerMinute: 100 },
  });
  soc = new Soc(engine, c('soc'));
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await run?.server.close();
  if (engine) await new RangeManager(engine).down({ exercise: EX });
  rmSync(dataDir, { recursive: true, force: true });
  console.error(`# course B-1 e2e timings (s): ${JSON.stringify(timings)}`);
});

describe('course B-1 on the three-layer range, through the exercise server', () => {
  it(
    'an instructor creates a one-team exercise, provisions the full range and a trainee joins with the code',
    { timeout: 2 * BUILD_MS + 60_000 },
    async () => {
      admin = (await run.api<{ token: string }>('POST', '/api/auth/login', ADMIN)).body.token;
      const created = await run.api(
        'POST',
        '/api/exercises',
        {
          id: EX,
          course: 'B-1',
          scenario: SCENARIO,
          seed: SEED,
          speed: SPEED,
          teams: [{ name: 'Blue', members: ['sato'] }],
        },
        admin,
      );
      assert.equal(created.status, 201, created.text);
      const staff = await connect(run.url, admin);
      sockets.push(staff);
      assert.ok((await join(staff, EX)).ok);
      const failures: string[] = [];
      staff.on('progress', (p) => p.status === 'failed' && failures.push(`${p.node ?? ''} ${p.message}`));
      const t0 = Date.now();
      // On a host loaded by other ranges a health check can miss its deadline; the instructor then
      // builds again, which converges (healthy nodes stay). Once, and the first failure is reported.
      let state = '';
      for (let attempt = 1; attempt <= 2 && state !== 'ready'; attempt++) {
        const ready = waitFor(
          staff,
          'exercise',
          (x) => x.id === EX && (x.state === 'ready' || x.state === 'created'),
          BUILD_MS,
        );
        assert.equal((await run.api('POST', `/api/exercises/${EX}/provision`, {}, admin)).status, 202);
        state = (await ready).state;
        timings[`provision${attempt}`] = (Date.now() - t0) / 1000;
        if (state !== 'ready') console.error(`# provisioning attempt ${attempt} failed: ${failures.join('; ')}`);
      }
      assert.equal(state, 'ready', `provisioning failed: ${failures.join('; ')}`);
      const [status] = await new RangeManager(engine).status(EX);
      assert.equal(status!.teams[0]!.nodes.length, topologyForCourse('B-1').nodes.length);

      const { teams } = (
        await run.api<{ teams: { id: string; joinCode: string }[] }>('GET', `/api/exercises/${EX}`, undefined, admin)
      ).body;
      traineeToken = (
        await run.api<{ token: string }>('POST', '/api/auth/join', { code: teams[0]!.joinCode, name: 'sato' })
      ).body.token;
      assert.ok(traineeToken);
      trainee = await connect(run.url, traineeToken);
      sockets.push(trainee);
      trainee.on('score', (d) => deltas.push(d));
      const snap = await join(trainee, EX, 't01');
      assert.ok(snap.ok);
    },
  );

  it(
    'runs scenario b1-lg-separation end to end at high speed: every step as its branches say',
    { timeout: ATTACK_MS + 60_000 },
    async () => {
      const t0 = Date.now();
      const started = await run.api('POST', `/api/exercises/${EX}/start`, {}, admin);
      assert.equal(started.status, 200, started.text);
      await until(
        'attack.finished',
        () => log().find((e) => e.type === 'attack.finished' && e.team === 't01'),
        ATTACK_MS,
      );
      timings.attack = (Date.now() - t0) / 1000;
      const outcomes = Object.fromEntries(steps().map((e) => [e.step, e.outcome]));
      const reasons = steps()
        .map((e) => `${e.step}: ${e.outcome} ${e.reason ?? ''}`)
        .join('\n');
      // the range as shipped: the vendor's exception is there (the payload crosses and runs on
      // LGWAN), the forgotten rule too (the register is read); SMB from the Internet side is refused
      assert.deepEqual(
        outcomes,
        {
          'phishing-mail': 'succeeded',
          'user-opens': 'succeeded',
          'c2-beacon': 'succeeded',
          'upload-credential': 'succeeded',
          'payload-upload': 'succeeded',
          'payload-opened': 'succeeded',
          'mynumber-access': 'succeeded',
          'smb-to-lgwan': 'failed',
          'collect-inquiries': 'succeeded',
          exfiltrate: 'succeeded',
        },
        reasons,
      );
      truth = run.server.service.truths(EX).get('t01')!;
      assert.ok(truth, 'the team has ground truth');
    },
  );

  it('the LGWAN copy of the phishing mail is text only; the macro attachment stayed in quarantine', async () => {
    const victim = indicator('user-opens', 'account');
    const attachment = indicator('phishing-mail', 'file');
    const read = (node: string) =>
      engine.exec.run(
        c(node),
        [
          'python3',
          '-c',
          `import email, email.policy, glob, sys
for f in glob.glob('/home/${victim}/Maildir/*/*'):
    m = email.message_from_binary_file(open(f, 'rb'), policy=email.policy.default)
    if '情報セキュリティ対策状況調査' in str(m['Subject']):
        print('ATT', *[a.get_filename() for a in m.iter_attachments()], '|', m.get('X-Enshu-Sanitized', '-'))`,
        ],
        { timeoutMs: 60_000 },
      );
    const outside = await read('inet-mail');
    assert.match(
      outside.stdout,
      new RegExp(`ATT ${attachment} \\| -`),
      `the original on the Internet side: ${outside.stderr}`,
    );
    const inside = await read('mail');
    assert.match(
      inside.stdout,
      /^ATT \|\s+text-only/m,
      `LGWAN got a copy without attachments: ${inside.stdout}${inside.stderr}`,
    );
    const q = await engine.exec.run(c('sanitizer'), ['ls', '/srv/sanitizer/quarantine'], { timeoutMs: 60_000 });
    assert.ok(q.stdout.includes(attachment), `the attachment is in quarantine: ${q.stdout}`);
  });

  it('leaves the scenario’s indicators in the team’s SOC log, per indicator type', { timeout: 180_000 }, async () => {
    const attackerIp = indicator('phishing-mail', 'ip');
    assert.match(
      attackerIp,
      /^10\.\d+\.0\.66$/,
      'the attacker address is the team’s own (ground truth from the live range)',
    );
    const types = new Set(truth.steps.flatMap((s) => s.indicators.map((i) => i.type)));
    const seen = new Set<string>();
    const find = async (type: string, what: string, o: { grep: string; node?: string }) => {
      seen.add(type);
      return soc.find(what, o);
    };
    // email and domain: the look-alike sender, as the Internet mail server logged it
    const sender = indicator('phishing-mail', 'email');
    await find('email', 'the phishing sender', { grep: `from=<${sender}>`, node: 'inet-mail' });
    await find('domain', 'the look-alike domain', { grep: indicator('phishing-mail', 'domain'), node: 'inet-mail' });
    // ip: the sending host at the Internet mail server, and the C2 in the proxy's log
    await find('ip', 'the sending host', { grep: `[${attackerIp}]`, node: 'inet-mail' });
    await find('ip', 'the C2 address at the proxy', { grep: attackerIp, node: 'proxy' });
    // url: the beacon and the exfiltration, as the proxy logged them
    await find('url', 'the beacon URL', { grep: indicator('c2-beacon', 'url'), node: 'proxy' });
    await find('url', 'the exfiltration URL', { grep: indicator('exfiltrate', 'url'), node: 'proxy' });
    // port: the C2's port in the proxy's log, SMB's in the FW's blocked line
    await find('port', 'the C2 port at the proxy', { grep: `:${indicator('c2-beacon', 'port')}/`, node: 'proxy' });
    const smb = await find('port', 'the refused SMB attempt', { grep: indicator('smb-to-lgwan', 'log'), node: 'fw' });
    assert.ok(
      smb.some((l) => l.msg.includes(`DPT=${indicator('smb-to-lgwan', 'port')} `)),
      'the FW logged SMB refused',
    );
    // log: the lines the scenario names, verbatim, for every step that happened
    for (const s of truth.steps)
      for (const i of s.indicators.filter(
        (x) => x.type === 'log' && steps().some((e) => e.step === s.id && e.outcome !== 'skipped'),
      ))
        await find('log', `log indicator of ${s.id}`, { grep: i.value });
    // file and account: the attachment the clerk opened, as the Internet-side PC logged it …
    const opened = await find('file', 'the opened attachment', {
      grep: indicator('user-opens', 'file'),
      node: 'inet-pc',
    });
    assert.match(opened[0]!.msg, new RegExp(`user=${indicator('user-opens', 'account')} `));
    seen.add('account');
    // … the payload opened on the LGWAN PC, the upload account at the sanitizer, the clerk at 住民記録
    const payload = truth.steps
      .find((s) => s.id === 'payload-opened')!
      .indicators.find((i) => i.type === 'file')!.value;
    await find('file', 'the payload opened on LGWAN', { grep: payload, node: 'pc1' });
    await find('account', 'the upload account used', {
      grep: `Accepted password for ${indicator('upload-credential', 'account')} `,
      node: 'sanitizer',
    });
    await find('account', 'the clerk exporting the register', {
      grep: `user=${indicator('mynumber-access', 'account')} `,
      node: 'juki',
    });
    // process: on the PC itself (the SOC holds no process list), as an analyst would look
    const ps = await engine.exec.run(c('inet-pc'), ['ps', '-eo', 'args'], { timeoutMs: 60_000 });
    assert.ok(ps.stdout.includes(indicator('c2-beacon', 'process')), 'the implant runs on the Internet-side PC');
    seen.add('process');
    assert.deepEqual(
      [...types].filter((t) => !seen.has(t)),
      [],
      'every indicator type of the scenario was looked up',
    );
  });

  it(
    'scores a trainee live: finding, the forgotten FW rule removed, first report, clean-up — a delta per phase',
    { timeout: 600_000 },
    async () => {
      // a fresh socket: under heavy load a long-idle one may have missed its heartbeat
      trainee.close();
      trainee = await connect(run.url, traineeToken);
      sockets.push(trainee);
      deltas.length = 0;
      trainee.on('score', (d) => deltas.push(d));
      const snap = await join(trainee, EX, 't01');
      assert.ok(snap.ok);
      const mine = snap.snapshot.scores.find((x) => x.team === 't01');
      if (mine) latest = mine.phases;
      const api = (path: string, body: unknown) =>
        run.api('POST', `/api/exercises/${EX}/teams/t01/${path}`, body, traineeToken);

      // detection: the sender, read from the SOC's mail log as a trainee would
      const line = (await soc.search({ grep: 'from=<', node: 'inet-mail' })).find((l) =>
        l.msg.includes(indicator('phishing-mail', 'email')),
      )!;
      const sender = /from=<([^>]+)>/.exec(line.msg)![1]!;
      const detection = phaseGrows('detection');
      const f = await api('findings', { indicatorType: 'email', value: sender, text: '県を装ったメールの送信元' });
      assert.equal(f.status, 200, f.text);
      await detection;

      // response (security management): the LGWAN → マイナンバー rule left from a migration is still
      // in the FW; the trainee finds it by its comment and removes it
      assert.equal(
        checks('mynumber-rule-removed').at(-1)?.passed,
        false,
        'LGWAN reached the resident register before the fix',
      );
      const listed = await engine.exec.run(c('fw'), ['nft', '-a', 'list', 'chain', 'inet', 'filter', 'forward'], {
        timeoutMs: 120_000,
      });
      const handle = /tcp dport 80 accept comment "住基システム更改[^"]*" # handle (\d+)/.exec(listed.stdout)?.[1];
      assert.ok(handle, `the forgotten rule is in the FW: ${listed.stdout}`);
      const fixedAfter = log().at(-1)?.seq ?? 0;
      const response = phaseGrows('response');
      const nft = await engine.exec.run(
        c('fw'),
        ['nft', 'delete', 'rule', 'inet', 'filter', 'forward', 'handle', handle],
        {
          timeoutMs: 120_000,
        },
      );
      assert.equal(nft.exitCode, 0, nft.stderr);
      assert.equal(
        (await api('actions', { node: 'fw', what: 'LGWAN接続系から住民記録システムへの不要な許可ルールを削除' }))
          .status,
        200,
      );
      await response;
      // the containment check turned true after the fix
      await turnsTrue('mynumber-rule-removed', fixedAfter);

      // reporting: a first report in the guideline's shape
      const reporting = phaseGrows('reporting');
      const r = await api('reports', {
        kind: 'first',
        language: 'ja',
        fields: {
          occurredAt: '本日 午前',
          affected: '総務課のインターネット接続系の端末1台、住民からの問い合わせ一覧（約40件）',
          cause: '県を装ったメールの添付ファイルが開かれ、外部と通信する不正なプログラムが動いたため',
          outlook: '本日中に端末を復旧し、県と住民の皆様へ改めてお知らせします',
          alternatives: '問い合わせは電話と窓口で受け付けます',
          actions: '外部への通信と層の間の不要な通信を止め、端末を調べています',
        },
      });
      assert.equal(r.status, 200, r.text);
      await reporting;

      // recovery: the trainee stops the implant and removes it and the attachment from the PC; the
      // recovery checks turn true only after that, and the recovery points reach the trainee's socket
      const implant = indicator('c2-beacon', 'process');
      const cleanedAfter = log().at(-1)?.seq ?? 0;
      const recovery = phaseGrows('recovery');
      for (const id of ['implant-removed', 'attachment-removed'])
        assert.notEqual(checks(id).at(-1)?.passed, true, `${id} was not true before the trainee cleaned the PC`);
      // pkill without a shell around it: a shell's command line would hold the pattern and be killed too
      const kill = await engine.exec.run(c('inet-pc'), ['pkill', '-f', implant], { timeoutMs: 120_000 });
      assert.equal(kill.exitCode, 0, `the implant was running: ${kill.stderr}`);
      const clean = await engine.exec.run(
        c('inet-pc'),
        ['rm', '-rf', implant.slice(0, implant.lastIndexOf('/')), indicator('user-opens', 'file')],
        { timeoutMs: 120_000 },
      );
      assert.equal(clean.exitCode, 0, clean.stderr);
      assert.equal((await api('recoveries', { what: '不正プログラムと添付ファイルを削除' })).status, 200);
      // each recovery check turned true after the cleanup
      for (const id of ['implant-removed', 'attachment-removed']) await turnsTrue(id, cleanedAfter);
      const score = (await recovery).score.phases;
      for (const p of ['detection', 'response', 'reporting', 'recovery'] as const)
        assert.ok(
          score[p]! > 0,
          `${p} scored: ${JSON.stringify(score)}; deltas: ${JSON.stringify(deltas.map((d) => [d.cause, d.score.phases]))}`,
        );
    },
  );
});
