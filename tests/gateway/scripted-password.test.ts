/**
 * A scripted client logs in to the SSH gateway the way `sshpass` does: it runs the real OpenSSH
 * client with its default settings (no PreferredAuthentications) on a pseudo-terminal, waits for a
 * prompt containing "assword" and types the team's join code. OpenSSH asks keyboard-interactive
 * before password, so this works only because the gateway's prompt says "Password"; it used to
 * hang at "Team join code:". The client is a small Python pty script (sshpass's own logic).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTopology, RangeManager, type Engine } from '../../orchestrator/index.js';
import { openStore, type Store, gatewayDepsFromStore, startSshGateway, type SshGateway } from '../../server/index.js';
import { engineWithImages, freshRange } from '../helpers/range.js';

const EX = 'ui-gw-pass';
const topologyFile = join(fileURLToPath(new URL('.', import.meta.url)), 'gateway-test.yaml');

/** sshpass in a few lines: answer the first prompt with "assword" in it, print the rest */
const SSHPASS = `import os, pty, sys, select, time
pw = os.environ["ENSHU_PW"].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp("ssh", ["ssh"] + sys.argv[1:])
buf, sent, end = b"", False, time.time() + 40
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    buf += data
    if sent and b"assword" in buf:
        # asked again: the code was wrong (sshpass exits 5 here)
        os.kill(pid, 9)
        sys.stdout.write("[asked again]\\n")
        sys.exit(5)
    if not sent and b"assword" in buf:
        os.write(fd, pw + b"\\n")
        sent = True
        sys.stdout.write("[prompt] " + buf.decode(errors="replace").strip().splitlines()[-1] + "\\n")
        buf = b""
sys.stdout.write(buf.decode(errors="replace"))
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if sent else 99)
`;

let engine: Engine;
let ranges: RangeManager;
let store: Store;
let dataDir = '';
let gw: SshGateway;
let code = '';

beforeAll(async () => {
  engine = await engineWithImages(['fw', 'terminal']);
  ({ ranges } = await freshRange(engine, EX, loadTopology(topologyFile), 1));
  dataDir = mkdtempSync(join(tmpdir(), 'enshu-gw-pass-'));
  writeFileSync(join(dataDir, 'sshpass.py'), SSHPASS);
  store = openStore(dataDir);
  store.exercises.create({
    id: EX,
    title: 'scripted password',
    course: 'A',
    scenario: 'none',
    seed: 1,
    topology: topologyFile,
    speed: 1,
    schedule: {},
    teams: [{ name: 'one', members: [] }],
  });
  code = store.exercises.teams(EX)[0]!.joinCode;
  gw = await startSshGateway({ deps: gatewayDepsFromStore(store, engine), dataDir, port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await gw?.close();
  store?.close();
  if (engine) await (ranges ?? new RangeManager(engine)).down({ exercise: EX });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

function scripted(login: string, password: string, command: string): Promise<{ code: number | null; out: string }> {
  const args = [
    '-p',
    String(gw.port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'NumberOfPasswordPrompts=1',
    `${login}@127.0.0.1`,
    command,
  ];
  return new Promise((resolve) => {
    const p = spawn('python3', [join(dataDir, 'sshpass.py'), ...args], {
      env: { ...process.env, ENSHU_PW: password, SSH_ASKPASS: '', DISPLAY: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, out });
    });
  });
}

describe('a scripted password client (sshpass-style) with OpenSSH’s defaults', () => {
  test('answers the password prompt and runs the command on the team’s node', { timeout: 90_000 }, async () => {
    const r = await scripted('t01+pc1', code, 'echo "on $(hostname) as $(id -un)"');
    assert.match(r.out, /\[prompt\] .*Password \(the team's join code\):/, r.out);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /on pc1 as /, r.out);
  });

  test('a wrong code is refused, not left waiting', { timeout: 90_000 }, async () => {
    const r = await scripted('t01+pc1', 'WRONG-CODE', 'true');
    assert.equal(r.code, 5, `asked again after the wrong code, as sshpass reports it: ${r.out}`);
  });
});
