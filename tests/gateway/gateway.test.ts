/**
 * Trainee access on a real range: the SSH gateway with the real OpenSSH client (and ssh2's client
 * for window sizes), and the browser-terminal namespace with a real socket.io client.
 * Two teams; each may reach its own nodes only.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { Server as IoServer } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadTopology, RangeManager, type Engine, type ExerciseStatus } from '../../orchestrator/index.js';
import {
  openStore,
  type Store,
  attachTerminalNamespace,
  gatewayDepsFromStore,
  HOST_KEY_FILE,
  startSshGateway,
  type SshGateway,
} from '../../server/index.js';
import { TERMINAL_NAMESPACE } from '../../protocol/index.js';
import { engineWithImages, freshRange } from '../helpers/range.js';
import { runSsh, writeAskpass } from './ssh-client.js';

const EX = 'ui-gw';
const here = fileURLToPath(new URL('.', import.meta.url));
const topologyFile = join(here, 'gateway-test.yaml');

let engine: Engine;
let ranges: RangeManager;
let status: ExerciseStatus;
/** a node's address in the business segment: tells the two teams' same-named nodes apart */
const ip = (team: string, node: string) =>
  status.teams.find((t) => t.team === team)!.nodes.find((n) => n.node === node)!.ips[`enshu-${EX}-${team}-business`]!;
let store: Store;
let dataDir: string;
let gw: SshGateway;
let http: HttpServer;
let io: IoServer;
let httpPort = 0;
let askpass = '';
const code: Record<string, string> = {};

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'terminal']);
  ({ ranges, status } = await freshRange(engine, EX, loadTopology(topologyFile), 2));
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-ui-gw-'));
  askpass = writeAskpass(dataDir);
  store = openStore(dataDir);
  store.exercises.create({
    id: EX,
    title: 'gateway',
    course: 'A',
    scenario: 'none',
    seed: 1,
    topology: topologyFile,
    speed: 1,
    schedule: {},
    teams: [
      { name: 'one', members: [] },
      { name: 'two', members: [] },
    ],
  });
  for (const t of store.exercises.teams(EX)) code[t.id] = t.joinCode;
  // staff tokens speak for existing staff users only
  store.auth.putUser('ins', 'instructor', 'instructor-pass-1');
  store.auth.putUser('org', 'organizer', 'organizer-pass-1');
  const deps = gatewayDepsFromStore(store, engine);
  gw = await startSshGateway({ deps, dataDir, port: 0, host: '127.0.0.1' });
  http = createServer();
  io = new IoServer(http);
  attachTerminalNamespace(io, deps);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as { port: number }).port;
});

afterAll(async () => {
  await gw?.close();
  io?.close();
  http?.close();
  store?.close();
  // also when bringing the range up failed half-way
  if (engine) await (ranges ?? new RangeManager(engine)).down({ exercise: EX });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** The real OpenSSH client against this process's gateway; the password comes from an askpass script. */
const ssh = (login: string, password: string, command: string[], opts: { input?: string; tty?: boolean } = {}) =>
  runSsh(gw.port, askpass, login, password, command, opts);

describe('SSH gateway with the OpenSSH client', () => {
  test('the join code opens the team’s node as the node’s first user', async () => {
    const r = await ssh('t01+pc1', code.t01!, ['echo', '$(hostname)', '$(id -un)', '$(hostname -i)']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), `pc1 admin ${ip('t01', 'pc1')}`);
  });

  test('the documented <team>+<node>+<user> opens the node as that user', async () => {
    const r = await ssh('t01+pc1+staff01', code.t01!, ['id -un']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), 'staff01');
  });

  test('a named user and the exit status come through; stderr is not lost', async () => {
    const r = await ssh('t02+pc1+staff01', code.t02!, ['id -un; echo oops >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.match(r.out, /staff01/);
    assert.match(r.out + r.err, /oops/);
  });

  test('a node without accounts (the FW) gives root, and commands read stdin', async () => {
    const r = await ssh('t01+fw', code.t01!, ['cat; id -u'], { input: 'from-stdin\n' });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(r.out.trim().split('\n'), ['from-stdin', '0']);
  });

  test('an interactive shell on a pty', async () => {
    const r = await ssh('t01+pc1', code.t01!, [], { tty: true, input: 'echo marker-$((6*7))\nexit\n' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /marker-42/);
  });

  test('team 1’s code does not open team 2’s node, nor unknown nodes or users', async () => {
    for (const login of ['t02+pc1', 't01+nosuch', 't01+pc1+root2', 'pc1', 't01+pc1+visitor']) {
      const r = await ssh(login, code.t01!, ['true']);
      assert.equal(r.code, 255, `${login} must be refused`);
      assert.match(r.err, /Permission denied/);
    }
    assert.equal((await ssh('t01+pc1', 'WRNG-CODE', ['true'])).code, 255);
  });

  test('window size reaches the shell and follows a resize', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const c = new ssh2.Client();
      let buf = '';
      c.on('ready', () => {
        c.shell({ term: 'xterm', cols: 100, rows: 30 }, (err, ch) => {
          if (err) return reject(err);
          ch.on('data', (d: Buffer) => {
            buf += d.toString();
            if (buf.includes('30 100') && !buf.includes('41 120')) {
              ch.setWindow(41, 120, 0, 0);
              ch.write('stty size\n');
            }
            if (buf.includes('41 120')) {
              ch.write('exit\n');
            }
          });
          ch.on('close', () => {
            c.end();
            resolve(buf);
          });
          ch.write('stty size\n');
        });
      });
      c.on('error', reject);
      c.connect({ host: '127.0.0.1', port: gw.port, username: 't02+pc1', password: code.t02! });
    });
    assert.match(out, /30 100/);
    assert.match(out, /41 120/);
  });

  test('the host key is made once and kept across restarts', async () => {
    const key = readFileSync(join(dataDir, HOST_KEY_FILE), 'utf8');
    const seen = async (port: number) =>
      new Promise<string>((resolve, reject) => {
        const c = new ssh2.Client();
        c.on('error', () => undefined);
        c.connect({
          host: '127.0.0.1',
          port,
          username: 'x',
          password: 'y',
          hostVerifier: (k: Buffer) => {
            resolve(k.toString('base64'));
            c.end();
            return false;
          },
        });
        setTimeout(() => reject(new Error('no host key seen')), 5000);
      });
    const before1 = await seen(gw.port);
    await gw.close();
    gw = await startSshGateway({ deps: gatewayDepsFromStore(store, engine), dataDir, port: 0, host: '127.0.0.1' });
    assert.equal(readFileSync(join(dataDir, HOST_KEY_FILE), 'utf8'), key);
    assert.equal(await seen(gw.port), before1);
  });
});

describe('browser terminal namespace', () => {
  const connect = (auth: Record<string, unknown>) =>
    ioClient(`http://127.0.0.1:${httpPort}${TERMINAL_NAMESPACE}`, {
      auth,
      reconnection: false,
      transports: ['websocket'],
    });
  const trainee = (team: string) => store.auth.issue({ role: 'trainee', subject: `alice-${team}`, exercise: EX, team });

  async function refusal(s: Socket): Promise<string> {
    return new Promise((resolve) => {
      s.on('connect_error', (e) => {
        s.close();
        resolve(e.message);
      });
      s.on('connect', () => {
        s.close();
        resolve('connected');
      });
    });
  }

  test('a trainee opens a shell on their team’s node, types, resizes and sees the output', async () => {
    const s = connect({ token: trainee('t01'), exercise: EX, team: 't01', node: 'pc1', cols: 90, rows: 20 });
    let out = '';
    const seen = (re: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${re} in ${JSON.stringify(out)}`)), 15_000);
        const check = () => {
          if (re.test(out)) {
            clearTimeout(t);
            s.off('output', check);
            resolve();
          }
        };
        s.on('output', check);
        check();
      });
    s.on('output', (d: ArrayBuffer) => {
      out += new TextDecoder().decode(d);
    });
    await new Promise<void>((resolve, reject) => {
      s.on('connect', resolve);
      s.on('connect_error', reject);
    });
    s.emit('input', 'echo "$(id -un)@$(hostname) at $(hostname -i)"; stty size\n');
    await seen(new RegExp(`admin@pc1 at ${ip('t01', 'pc1').replace(/\./g, '\\.')}`));
    await seen(/20 90/);
    s.emit('resize', { cols: 132, rows: 40 });
    s.emit('input', 'stty size\n');
    await seen(/40 132/);
    const exit = new Promise<number>((resolve) => s.on('exit', resolve));
    s.emit('input', 'exit 0\n');
    assert.equal(await exit, 0);
    s.close();
  });

  test('team 2’s trainee cannot open team 1’s node; bad tokens and unknown nodes are refused', async () => {
    assert.equal(
      await refusal(connect({ token: trainee('t02'), exercise: EX, team: 't01', node: 'pc1' })),
      'forbidden',
    );
    assert.equal(
      await refusal(connect({ token: 'not-a-token', exercise: EX, team: 't01', node: 'pc1' })),
      'unauthorised',
    );
    assert.equal(
      await refusal(connect({ token: trainee('t01'), exercise: EX, team: 't01', node: 'nosuch' })),
      'forbidden',
    );
    assert.equal(await refusal(connect({ token: trainee('t01'), exercise: EX, team: 't01' })), 'bad-request');
    const organizer = store.auth.issue({ role: 'organizer', subject: 'org' });
    assert.equal(await refusal(connect({ token: organizer, exercise: EX, team: 't01', node: 'pc1' })), 'forbidden');
  });

  test('an instructor may open any team’s node', async () => {
    const token = store.auth.issue({ role: 'instructor', subject: 'ins' });
    assert.equal(await refusal(connect({ token, exercise: EX, team: 't02', node: 'fw' })), 'connected');
  });
});
