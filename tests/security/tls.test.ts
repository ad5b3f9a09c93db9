/**
 * TLS: `enshu serve --tls-cert/--tls-key` serves HTTPS and WSS (socket.io) on one port, with a
 * self-signed certificate made here by the openssl CLI and trusted by the clients as their CA.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { repoRoot } from '../../core/index.js';
import { SCENARIO, secureServer, type Client, type Secured } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-sec-tls-'));
const CERT = join(dir, 'cert.pem');
const KEY = join(dir, 'key.pem');
let ca: string;

beforeAll(() => {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      KEY,
      '-out',
      CERT,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  ca = readFileSync(CERT, 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GET over HTTPS, verifying the server against the test's own certificate. */
function httpsGet(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((res, rej) => {
    const req = request(url, { ca }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body, headers: r.headers }));
    });
    req.on('error', rej);
    req.end();
  });
}

describe('TLS in process', () => {
  let run: Secured;
  let url: string;
  beforeAll(async () => {
    run = await secureServer('tls', { tls: { cert: readFileSync(CERT), key: readFileSync(KEY) } });
    url = run.url.replace('127.0.0.1', 'localhost');
    await new Promise((r) => setTimeout(r, 0));
  });
  afterAll(async () => run?.stop());

  test('answers HTTPS with HSTS and a wss: CSP; plain HTTP on the port gets nothing useful', async () => {
    assert.match(run.url, /^https:\/\//);
    const res = await httpsGet(`${url}/api/health`);
    assert.equal(res.status, 200, res.body);
    assert.match(String(res.headers['strict-transport-security']), /max-age=/);
    assert.match(String(res.headers['content-security-policy']), /connect-src 'self' wss:\/\/localhost:/);
    await assert.rejects(fetch(run.url.replace('https:', 'http:') + '/api/health'));
  });

  test('a socket.io client connects over WSS, joins its room and gets the snapshot', async () => {
    // straight into the store: the helpers' fetch does not trust the test certificate
    run.server.store.exercises.create({
      id: 'tls-ex',
      title: 'tls',
      course: 'A',
      scenario: SCENARIO,
      seed: 1,
      speed: 1,
      schedule: {},
      teams: [{ name: 'Blue', members: [] }],
    });
    const codes = { t01: run.server.store.exercises.team('tls-ex', 't01').joinCode };
    const joined = await new Promise<{ token: string }>((res, rej) => {
      const req = request(
        `${url}/api/auth/join`,
        { method: 'POST', ca, headers: { 'content-type': 'application/json' } },
        (r) => {
          let b = '';
          r.on('data', (c: Buffer) => (b += c.toString()));
          r.on('end', () => (r.statusCode === 200 ? res(JSON.parse(b) as { token: string }) : rej(new Error(b))));
        },
      );
      req.on('error', rej);
      req.end(JSON.stringify({ code: codes.t01, name: 'tina' }));
    });
    const s: Client = io(url, {
      auth: { token: joined.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ca,
    });
    try {
      await new Promise<void>((res, rej) => {
        s.once('connect', () => res());
        s.once('connect_error', rej);
      });
      const ack = await new Promise<{ ok: boolean }>((res) =>
        s.emit('join', { exercise: 'tls-ex', team: 't01' }, res as never),
      );
      assert.equal(ack.ok, true);
      // an untrusted certificate is refused by the client
      const untrusting: Client = io(url, {
        auth: { token: joined.token },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      await assert.rejects(
        new Promise<void>((res, rej) => {
          untrusting.once('connect', () => res());
          untrusting.once('connect_error', rej);
        }),
      );
      untrusting.close();
    } finally {
      s.close();
    }
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('enshu serve --tls-cert --tls-key', () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill('SIGTERM');
  });

  test('the CLI serves HTTPS on its port', async () => {
    const port = await freePort();
    const data = join(dir, 'data');
    child = spawn(
      process.execPath,
      [
        join(repoRoot, 'bin', 'enshu.mjs'),
        '--engine',
        'unix:///nonexistent/enshu-test.sock',
        'serve',
        '--port',
        String(port),
        '--data-dir',
        data,
        '--no-ssh',
        '--tls-cert',
        CERT,
        '--tls-key',
        KEY,
      ],
      {
        env: {
          ...process.env,
          ENSHU_ADMIN_PASSWORD: 'tls-admin-password',
          ENSHU_LOG_FORMAT: 'json',
          ENSHU_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
    const deadline = Date.now() + 30_000;
    while (!log.includes('enshu server on')) {
      if (Date.now() > deadline || child.exitCode !== null) assert.fail(`the server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(log, new RegExp(`enshu server on https://127\\.0\\.0\\.1:${port}`));
    assert.doesNotMatch(log, /WITHOUT TLS/);
    const res = await httpsGet(`https://localhost:${port}/api/health`);
    assert.equal(res.status, 200, res.body);
    const stopped = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await stopped;
    child = undefined;
  });

  test('--tls-cert without --tls-key is refused', () => {
    let out = '';
    try {
      execFileSync(
        process.execPath,
        [
          join(repoRoot, 'bin', 'enshu.mjs'),
          '--engine',
          'unix:///nonexistent/x.sock',
          'serve',
          '--no-ssh',
          '--port',
          '1',
          '--tls-cert',
          CERT,
        ],
        {
          stdio: 'pipe',
          env: { ...process.env, ENSHU_ADMIN_PASSWORD: 'tls-admin-password' },
        },
      );
    } catch (err) {
      out = String((err as { stderr?: Buffer }).stderr);
    }
    assert.match(out, /--tls-cert and --tls-key go together/);
  });

  test('a short ENSHU_ADMIN_PASSWORD stops enshu serve before it listens, with a clear message', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(repoRoot, 'bin', 'enshu.mjs'),
        '--engine',
        'unix:///nonexistent/x.sock',
        'serve',
        '--no-ssh',
        '--port',
        '1',
      ],
      { encoding: 'utf8', env: { ...process.env, ENSHU_ADMIN_PASSWORD: 'short' }, timeout: 60_000 },
    );
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ENSHU_ADMIN_PASSWORD has 5 characters; it needs at least 10/);
  });
});
