/**
 * `docker-compose up` serves the API: the server image builds from the project's own base image
 * with no registry, starts with the engine socket and a data volume, turns healthy, and answers
 * on loopback only.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, it } from 'vitest';
import { repoRoot } from '../../core/index.js';

const PROJECT = 'sv-compose';
const PASSWORD = 'sv-compose-admin-pass';
let env: NodeJS.ProcessEnv;
let port: number;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

function compose(...args: string[]) {
  const r = spawnSync('docker-compose', ['-p', PROJECT, ...args], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    timeout: 900_000,
  });
  if (r.status !== 0) throw new Error(`docker-compose ${args.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
  return r.stdout;
}

beforeAll(async () => {
  const exports = execFileSync('bash', ['scripts/server-image.sh'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 900_000,
  });
  const vars = Object.fromEntries([...exports.matchAll(/(ENSHU_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  assert.ok(vars.ENSHU_BASE_IMAGE && vars.ENSHU_NODE_IMAGE, exports);
  port = await freePort();
  env = {
    ...process.env,
    ...vars,
    ENSHU_PORT: String(port),
    ENSHU_ADMIN_PASSWORD: PASSWORD,
    ENSHU_SERVER_TAG: 'sv-test',
  };
  compose('down', '-v');
  compose('up', '-d', '--build');
});

afterAll(() => {
  if (env) compose('down', '-v');
});

it('docker-compose up serves the API on loopback, healthy, with the store on its volume', async () => {
  const deadline = Date.now() + 360_000; // a loaded 2-core machine starts tsx slowly
  let health = '';
  while (Date.now() < deadline) {
    const id = compose('ps', '-q', 'server').trim();
    health = id
      ? execFileSync('docker', ['inspect', '-f', '{{.State.Health.Status}}', id], { encoding: 'utf8' }).trim()
      : '';
    if (health === 'healthy') break;
    await new Promise((r) => setTimeout(r, 3000));
  }
  assert.equal(health, 'healthy', compose('logs', '--tail', '50'));
  const url = `http://127.0.0.1:${port}`;
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: 'admin', password: PASSWORD }),
  });
  assert.equal(login.status, 200);
  const { token } = (await login.json()) as { token: string };
  const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await me.json(), { role: 'instructor', subject: 'admin' });
  const health2 = (await (await fetch(`${url}/api/health`)).json()) as { engine: string | null };
  assert.equal(health2.engine, 'unix:///var/run/docker.sock', 'the engine socket is mounted');
  const docs = (await (await fetch(`${url}/api/docs`)).json()) as { paths: Record<string, unknown> };
  assert.ok(docs.paths['/api/exercises']);
  const published = compose('port', 'server', '8080').trim();
  assert.equal(published, `127.0.0.1:${port}`);
  assert.match(compose('exec', '-T', 'server', 'ls', '/data'), /enshu\.sqlite/);
});
