/**
 * What a team may open, as whom, and what it can then fix (issue #12), on a real one-team range:
 * the pseudo-attacker's host is neither on the team's map nor open to it (browser terminal, SSH
 * gateway with the real OpenSSH client), root only where the topology allows it, the node's staff
 * users through `<team>+<node>+<user>`, the implant of scenario a-phishing-c2-exfil killed and
 * its files removed as the team, and failed attempts throttled while successes are not.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Request } from 'express';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { containerName, LABEL, teamFacts } from '../../core/index.js';
import { loadTopology, RangeManager, type Engine } from '../../orchestrator/index.js';
import {
  openStore,
  type Store,
  accessRoutes,
  attachTerminalNamespace,
  gatewayDepsFromStore,
  startSshGateway,
  type GatewayDeps,
  type SshGateway,
} from '../../server/index.js';
import { TERMINAL_NAMESPACE, type RangeView } from '../../protocol/index.js';
import { engineWithImages, freshRange, sh } from '../helpers/range.js';
import { runSsh, writeAskpass } from './ssh-client.js';

type ThrottleLimits = NonNullable<Parameters<typeof startSshGateway>[0]['throttle']>;

const EX = 'acc-gw';
const here = fileURLToPath(new URL('.', import.meta.url));
const topologyFile = join(here, 'access-test.yaml');
/** the implant's name and the attachment of scenario a-phishing-c2-exfil, as the attacker would plant them */
const IMPLANT = 'OneDriveSync';
const ATTACHMENT = '請求書_123456.pdf.sh';

let engine: Engine;
let ranges: RangeManager;
let store: Store;
let deps: GatewayDeps;
let dataDir: string;
let askpass = '';
let gw: SshGateway;
let code = '';
/** a 総務課 staff member of team t01 (from the team's facts): a user of pc1 */
let staffUser = '';
const servers: { http: HttpServer; io: IoServer }[] = [];
const gateways: SshGateway[] = [];

const ssh = (login: string, password: string, command: string[], port = gw.port) =>
  runSsh(port, askpass, login, password, command);
const pc1 = () => containerName(EX, 't01', 'pc1');

async function terminalServer(throttle?: ThrottleLimits): Promise<number> {
  const http = createServer();
  const io = new IoServer(http);
  attachTerminalNamespace(io, deps, throttle ? { throttle } : {});
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  servers.push({ http, io });
  return (http.address() as { port: number }).port;
}
let termPort = 0;

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'terminal', 'attacker']);
  ({ ranges } = await freshRange(engine, EX, loadTopology(topologyFile), 1));
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-acc-gw-'));
  askpass = writeAskpass(dataDir);
  store = openStore(dataDir);
  store.exercises.create({
    id: EX,
    title: 'access',
    course: 'A',
    scenario: 'none',
    seed: 1,
    topology: topologyFile,
    speed: 1,
    schedule: {},
    teams: [{ name: 'one', members: [] }],
  });
  code = store.exercises.teams(EX)[0]!.joinCode;
  store.auth.putUser('ins', 'instructor', 'instructor-pass-1');
  deps = gatewayDepsFromStore(store, engine);
  gw = await startSshGateway({ deps, dataDir, port: 0, host: '127.0.0.1' });
  termPort = await terminalServer();
  const nets = await engine.networks.list({ [LABEL.exercise]: EX, [LABEL.team]: 't01' });
  const seed = nets[0]!.labels[LABEL.seed]!;
  staffUser = teamFacts(seed, 't01', 'corp.enshu.example').staff.find((s) => s.department === 'soumu')!.user;
});

afterAll(async () => {
  for (const g of [gw, ...gateways]) await g?.close();
  for (const s of servers) {
    s.io.close();
    s.http.close();
  }
  store?.close();
  if (engine) await (ranges ?? new RangeManager(engine)).down({ exercise: EX });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const trainee = () => store.auth.issue({ role: 'trainee', subject: 'alice', exercise: EX, team: 't01' });
const instructor = () => store.auth.issue({ role: 'instructor', subject: 'ins' });

function connect(auth: Record<string, unknown>, port = termPort): Socket {
  return ioClient(`http://127.0.0.1:${port}${TERMINAL_NAMESPACE}`, {
    auth,
    reconnection: false,
    transports: ['websocket'],
  });
}

/** 'connected', or the refusal's message (and detail) */
function outcome(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    s.on('connect_error', (e: Error & { data?: { detail?: string } }) => {
      s.close();
      resolve(e.data?.detail ? `${e.message}: ${e.data.detail}` : e.message);
    });
    s.on('connect', () => {
      s.close();
      resolve('connected');
    });
  });
}

/** Opens a browser terminal, types `script` and returns what it printed once `done` shows. */
async function terminalRun(auth: Record<string, unknown>, script: string, done: RegExp): Promise<string> {
  const s = connect(auth);
  let out = '';
  s.on('output', (d: ArrayBuffer) => {
    out += new TextDecoder().decode(d);
  });
  await new Promise<void>((resolve, reject) => {
    s.on('connect', resolve);
    s.on('connect_error', reject);
  });
  s.emit('input', script);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${done} in ${JSON.stringify(out)}`)), 20_000);
    const check = () => {
      if (done.test(out)) {
        clearTimeout(t);
        resolve();
      }
    };
    s.on('output', check);
    check();
  });
  s.emit('input', 'exit\n');
  s.close();
  return out;
}

describe('the attacker’s host is not the team’s', () => {
  test('the SSH gateway refuses the attacker and the vendor’s PC to the team, as any user', async () => {
    for (const login of ['t01+attacker', 't01+attacker+root', 't01+vendor', 't01+vendor+asol']) {
      const r = await ssh(login, code, ['true']);
      assert.equal(r.code, 255, `${login} must be refused`);
      assert.match(r.err, /Permission denied/);
    }
  });

  test('the browser terminal refuses them to trainees; instructors keep full access', async () => {
    for (const [node, user] of [
      ['attacker', undefined],
      ['attacker', 'root'],
      ['vendor', undefined],
    ] as const) {
      const got = await outcome(
        connect({ token: trainee(), exercise: EX, team: 't01', node, ...(user ? { user } : {}) }),
      );
      assert.match(got, /^forbidden/, `${node} ${user ?? ''}`);
    }
    const ins = instructor();
    assert.equal(await outcome(connect({ token: ins, exercise: EX, team: 't01', node: 'attacker' })), 'connected');
    const out = await terminalRun(
      { token: ins, exercise: EX, team: 't01', node: 'kiosk', user: 'root' },
      'echo "who=$(id -un)"\n',
      /who=root/,
    );
    assert.match(out, /who=root/);
  });

  test('the team’s range view has no attacker (no node, no address); the staff’s view keeps it', async () => {
    const routes = accessRoutes(store, deps);
    const teamRange = routes.find((r) => r.path === '/api/exercises/:exercise/teams/:team/range')!;
    const call = async (principal: ReturnType<typeof store.auth.resolve>) =>
      (await teamRange.handler({
        req: { params: { exercise: EX, team: 't01' }, query: {} } as unknown as Request,
        res: undefined as never,
        principal,
        body: undefined,
        query: {},
      } as never)) as RangeView;
    const mine = await call(store.auth.resolve(trainee()));
    const names = mine.nodes.map((n) => n.node).sort();
    assert.deepEqual(names, ['fw', 'kiosk', 'pc1', 'vendor']);
    const everyIp = mine.nodes.flatMap((n) => Object.values(n.ips));
    const status = (await ranges.status(EX))[0]!.teams[0]!;
    const aIps = Object.values(status.nodes.find((n) => n.node === 'attacker')!.ips);
    assert.ok(aIps.length > 0);
    for (const ip of aIps) assert.ok(!everyIp.includes(ip), `attacker address ${ip} shown to the team`);
    // the users the team may open each node as, the default first
    const users = Object.fromEntries(mine.nodes.map((n) => [n.node, n.users]));
    assert.deepEqual(users.fw, ['root']);
    assert.deepEqual(users.pc1!.slice(0, 2), ['admin', 'root']);
    assert.ok(users.pc1!.includes(staffUser));
    assert.deepEqual(users.kiosk, ['clerk']);
    assert.deepEqual(users.vendor, []);
    const staff = await call(store.auth.resolve(instructor()));
    assert.ok(staff.nodes.some((n) => n.node === 'attacker'));
  });
});

describe('root only where the topology allows it; the node’s users by name', () => {
  test('root on the FW and on the PC the team administers, not on the kiosk', async () => {
    assert.equal((await ssh('t01+fw', code, ['id -u'])).out.trim(), '0');
    assert.equal((await ssh('t01+pc1+root', code, ['id -u'])).out.trim(), '0');
    const kiosk = await ssh('t01+kiosk', code, ['id -un']);
    assert.equal(kiosk.code, 0, kiosk.err);
    assert.equal(kiosk.out.trim(), 'clerk');
    for (const login of ['t01+kiosk+root', 't01+kiosk+admin']) {
      const r = await ssh(login, code, ['true']);
      assert.equal(r.code, 255, `${login} must be refused`);
    }
    assert.match(
      await outcome(connect({ token: trainee(), exercise: EX, team: 't01', node: 'kiosk', user: 'root' })),
      /^forbidden: root is not open to trainees on kiosk/,
    );
  });

  test('a staff user of the node (from the team’s facts) through <team>+<node>+<user> and the terminal', async () => {
    const r = await ssh(`t01+pc1+${staffUser}`, code, ['id -un']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), staffUser);
    const out = await terminalRun(
      { token: trainee(), exercise: EX, team: 't01', node: 'pc1', user: staffUser },
      'echo "who=$(id -un)"\n',
      /who=\w+/,
    );
    assert.match(out, new RegExp(`who=${staffUser}`));
  });
});

describe('the team fixes what the scenario scores', () => {
  /** plants the implant (running as the victim) and the attachment, as a-phishing-c2-exfil leaves them */
  async function plant() {
    const r = await sh(
      engine,
      pc1(),
      `mkdir -p /tmp/.${IMPLANT} /home/${staffUser}/Downloads && cp /bin/sleep /tmp/.${IMPLANT}/${IMPLANT} &&
       chown -R ${staffUser} /tmp/.${IMPLANT} && touch '/home/${staffUser}/Downloads/${ATTACHMENT}' &&
       chown -R ${staffUser} /home/${staffUser}/Downloads &&
       su -s /bin/sh ${staffUser} -c 'nohup /tmp/.${IMPLANT}/${IMPLANT} 3600 >/dev/null 2>&1 &' &&
       sleep 0.5 && pgrep -u ${staffUser} -f '/tmp/.${IMPLANT}/'`,
    );
    assert.equal(r.exitCode, 0, r.stderr);
  }
  /**
   * What the scenario's implant-killed, implant-removed and attachment-removed checks look at:
   * no process under /tmp/.<implant>/ (`[.]`: a shell's own command line must not match), and
   * neither the implant's folder nor the attachment left.
   */
  async function scored() {
    const checks = [
      `! pgrep -f '/tmp/[.]${IMPLANT}/'`,
      `! test -e '/tmp/.${IMPLANT}'`,
      `! test -e '/home/${staffUser}/Downloads/${ATTACHMENT}'`,
    ];
    for (const c of checks) assert.equal((await sh(engine, pc1(), c)).exitCode, 0, c);
  }
  const fix = () =>
    `pkill -f '/tmp/.${IMPLANT}/'; rm -rf '/tmp/.${IMPLANT}' '/home/${staffUser}/Downloads/${ATTACHMENT}'`;

  test('over SSH as root: the implant of another user killed, its files removed', async () => {
    await plant();
    // the node's own user cannot: the implant runs as the victim
    const asAdmin = await ssh('t01+pc1', code, [`pkill -f '/tmp/.${IMPLANT}/'`]);
    assert.notEqual(asAdmin.code, 0);
    const r = await ssh('t01+pc1+root', code, [`${fix()}; echo fixed`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /fixed/);
    await scored();
  });

  test('in the browser terminal as root: the same fix', async () => {
    await plant();
    await terminalRun(
      { token: trainee(), exercise: EX, team: 't01', node: 'pc1', user: 'root' },
      `${fix()}; echo "fixed-$((6*7))"\n`,
      /fixed-42/,
    );
    await scored();
  });

  test('a FW rule changed by the team over SSH', async () => {
    const r = await ssh('t01+fw', code, [
      'nft add rule inet filter forward ip daddr 198.51.100.7 drop && nft -a list chain inet filter forward',
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /198\.51\.100\.7 drop/);
  });
});

describe('throttling', () => {
  const limits: ThrottleLimits = { perAddress: 100, perTeam: 3, windowMs: 60_000 };

  test('the SSH gateway refuses even the right code after too many wrong ones, not after many right ones', async () => {
    const g = await startSshGateway({ deps, dataDir, port: 0, host: '127.0.0.1', throttle: limits });
    gateways.push(g);
    for (let i = 0; i < 6; i++) {
      const ok = await ssh('t01+kiosk', code, ['true'], g.port);
      assert.equal(ok.code, 0, `success ${i}: ${ok.err}`);
    }
    const g2 = await startSshGateway({ deps, dataDir, port: 0, host: '127.0.0.1', throttle: limits });
    gateways.push(g2);
    for (let i = 0; i < 3; i++) assert.equal((await ssh('t01+kiosk', 'WRNG-CODE', ['true'], g2.port)).code, 255);
    const refused = await ssh('t01+kiosk', code, ['true'], g2.port);
    assert.equal(refused.code, 255, 'the right code is refused while throttled');
    // the default gateway has its own count: the class still works there
    assert.equal((await ssh('t01+kiosk', code, ['true'])).code, 0);
  });

  test('the browser terminal refuses a caller after too many bad tokens, not after many good ones', async () => {
    const port = await terminalServer(limits);
    const token = trainee();
    for (let i = 0; i < 6; i++)
      assert.equal(await outcome(connect({ token, exercise: EX, team: 't01', node: 'kiosk' }, port)), 'connected');
    const port2 = await terminalServer(limits);
    for (let i = 0; i < 4; i++)
      assert.equal(
        await outcome(connect({ token: 'not-a-token', exercise: EX, team: 't01', node: 'kiosk' }, port2)),
        'unauthorised: sign in again',
      );
    assert.match(
      await outcome(connect({ token, exercise: EX, team: 't01', node: 'kiosk' }, port2)),
      /^forbidden: too many failed attempts/,
    );
  });
});
