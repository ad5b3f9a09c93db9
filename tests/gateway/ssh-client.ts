/** The real OpenSSH client against a gateway in this process (async: the gateway answers from here). */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the askpass script that hands ssh the password from the environment. */
export function writeAskpass(dir: string): string {
  const file = join(dir, 'askpass.sh');
  writeFileSync(file, '#!/bin/sh\nprintf "%s\\n" "$ENSHU_TEST_SSH_PASS"\n', { mode: 0o700 });
  return file;
}

export function runSsh(
  port: number,
  askpass: string,
  login: string,
  password: string,
  command: string[],
  opts: { input?: string; tty?: boolean } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const args = [
    '-p',
    String(port),
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    '-o',
    'PubkeyAuthentication=no',
    '-o',
    'ConnectTimeout=10',
    '-o',
    'NumberOfPasswordPrompts=1',
    ...(opts.tty ? ['-tt'] : []),
    `${login}@127.0.0.1`,
    ...command,
  ];
  const env = {
    ...process.env,
    SSH_ASKPASS: askpass,
    SSH_ASKPASS_REQUIRE: 'force',
    ENSHU_TEST_SSH_PASS: password,
    DISPLAY: ':0',
  };
  return new Promise((resolve) => {
    const p = spawn('ssh', args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill(), 30_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
    p.stdin.end(opts.input ?? '');
  });
}
