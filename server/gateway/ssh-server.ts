/**
 * The SSH gateway: trainees use their own SSH client. `ssh -p 2222 <team>+<node>[+<user>]@<host>`
 * with the team's join code as password lands on that node of that team (a login shell as the
 * node's user, through the engine's exec — nothing in the range listens for it).
 */
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel, Session } from 'ssh2';
import { createLogger, describeError } from '../../core/index.js';
import { resolveShell, type GatewayDeps, type ShellTarget, type TeamRef } from './access.js';
import { loadOrCreateHostKey } from './host-key.js';
import { AttemptThrottle, type ThrottleLimits } from './throttle.js';
import { orderedQueue } from './in-order.js';

export const DEFAULT_SSH_PORT = 2222;
const FAIL_DELAY_MS = 400;
const log = createLogger('server/ssh');

export interface SshGatewayOptions {
  deps: GatewayDeps;
  dataDir: string;
  port?: number;
  host?: string;
  /** failed logins allowed per source address and per team (default DEFAULT_THROTTLE) */
  throttle?: ThrottleLimits;
}

export interface SshGateway {
  port: number;
  close(): Promise<void>;
}

/** `t01+pc1` or `t01+pc1+staff01` (any user the node has: its accounts, its staff, root). */
export function parseLogin(username: string): { team: string; node: string; user?: string } | undefined {
  const m = /^(t\d{2,3})\+([a-z0-9][a-z0-9_-]{0,40})(?:\+([a-z_][a-z0-9_-]{0,31}))?$/.exec(username);
  if (!m) return undefined;
  return { team: m[1]!, node: m[2]!, ...(m[3] ? { user: m[3] } : {}) };
}

interface Login {
  ref: TeamRef;
  node: string;
  user?: string;
}

export async function startSshGateway(o: SshGatewayOptions): Promise<SshGateway> {
  const hostKey = loadOrCreateHostKey(o.dataDir);
  const throttle = new AttemptThrottle(o.throttle);
  const server = new ssh2.Server({ hostKeys: [hostKey], ident: 'enshu-gateway' }, (client, info) =>
    onClient(client, o.deps, throttle, info.ip),
  );
  server.on('error', (err: Error) => log.error({ err }, `ssh gateway: ${describeError(err)}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? DEFAULT_SSH_PORT, o.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const clients = new Set<Connection>();
  server.on('connection', (c: Connection) => {
    clients.add(c);
    c.on('close', () => clients.delete(c));
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
      }),
  };
}

function onClient(client: Connection, deps: GatewayDeps, throttle: AttemptThrottle, address: string): void {
  let login: Login | undefined;

  /**
   * Checks the code against the team in the user name, and that the node exists, runs and may be
   * opened by the team as that user. Wrong codes count towards the throttle; a throttled caller
   * is refused without a check.
   */
  const check = async (username: string, code: string): Promise<Login | undefined> => {
    const want = parseLogin(username);
    const wait = throttle.wait(address, want?.team);
    if (wait > 0) {
      log.warn({ address, login: username }, `ssh gateway: ${address} throttled for ${wait}s`);
      return undefined;
    }
    const ref = code ? deps.teamByCode(code) : undefined;
    if (!want || !ref || ref.team !== want.team) {
      // a wrong join code (or none for this team) is what the throttle counts
      throttle.failed(address, want?.team);
      return undefined;
    }
    // the right code: no failure counted, even when the node or user is refused
    throttle.succeeded(address, ref.team);
    try {
      await resolveShell(deps, ref, want.node, want.user ? { user: want.user } : {});
    } catch {
      return undefined;
    }
    return { ref, node: want.node, ...(want.user ? { user: want.user } : {}) };
  };

  // password first: clients that follow the server's order (ssh2, PuTTY) use it; keyboard-interactive
  // stays for clients configured to prefer it
  client.on('authentication', (ctx) => {
    const finish = (l: Login | undefined) => {
      if (l) {
        login = l;
        ctx.accept();
        return;
      }
      log.info({ login: ctx.username, method: ctx.method }, `ssh gateway: refused ${ctx.username}`);
      setTimeout(() => ctx.reject(['password', 'keyboard-interactive']), FAIL_DELAY_MS);
    };
    if (ctx.method === 'password') {
      void check(ctx.username, ctx.password).then(finish);
    } else if (ctx.method === 'keyboard-interactive') {
      // OpenSSH tries keyboard-interactive before password whatever the server lists first, so the
      // prompt says "Password": scripted clients (sshpass, expect scripts) answer prompts that do
      ctx.prompt([{ prompt: "Password (the team's join code): ", echo: false }], 'enshu', (answers) => {
        void check(ctx.username, answers[0] ?? '').then(finish);
      });
    } else {
      ctx.reject(['password', 'keyboard-interactive']);
    }
  });

  client.on('ready', () => {
    client.on('session', (accept) => onSession(accept(), deps, login!));
  });
  // a client that drops its connection (ECONNRESET…) is the client's business
  client.on('error', (err: Error) => log.debug({ err }, `ssh gateway: client error: ${describeError(err)}`));
}

function onSession(session: Session, deps: GatewayDeps, login: Login): void {
  let pty: { cols: number; rows: number } | undefined;
  let resize: ((cols: number, rows: number) => void) | undefined;

  session.on('pty', (accept, _reject, info) => {
    pty = { cols: info.cols || 80, rows: info.rows || 24 };
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    pty = { cols: info.cols, rows: info.rows };
    resize?.(info.cols, info.rows);
    accept?.();
  });
  session.on('env', (accept) => accept?.());

  const run = async (channel: ServerChannel, command?: string) => {
    let target: ShellTarget;
    const tty = pty !== undefined;
    try {
      // Without a pty the engine hands back stdout only, so stderr is folded into it.
      const cmd = command === undefined ? undefined : tty ? command : `{ ${command}\n} 2>&1`;
      target = await resolveShell(deps, login.ref, login.node, {
        ...(login.user ? { user: login.user } : {}),
        ...(cmd !== undefined ? { command: cmd } : {}),
      });
    } catch (err) {
      channel.stderr.write(`enshu: ${describeError(err)}\r\n`);
      channel.exit(1);
      channel.end();
      return;
    }
    try {
      const s = await deps.engine.exec.open(target.container, target.argv, { tty, env: target.env });
      if (pty) await s.resize(pty.cols, pty.rows);
      // keystrokes and window changes reach the shell in the order the client sent them (a resize
      // is an engine API call that text typed right after it would otherwise overtake)
      const inOrder = orderedQueue();
      resize = (c, r) => inOrder(() => s.resize(c, r));
      s.stream.pipe(channel, { end: false });
      channel.on('data', (d: Buffer) => inOrder(() => s.stream.write(d)));
      // The client closing its input ends the command's input (e.g. `echo ls | ssh …`).
      channel.on('end', () => {
        if (!tty) inOrder(() => s.stream.end());
      });
      channel.on('close', () => inOrder(() => s.stream.destroy()));
      const code = await s.exited();
      // Let the last output drain before the exit status.
      await new Promise((r) => setImmediate(r));
      channel.exit(code < 0 ? 255 : code);
      channel.end();
      log.info(
        { exercise: login.ref.exercise, team: login.ref.team, node: login.node, exitCode: code },
        `ssh gateway: ${login.ref.exercise}/${login.ref.team}/${login.node} closed (${code})`,
      );
    } catch (err) {
      log.warn(
        { err, exercise: login.ref.exercise, team: login.ref.team, node: login.node },
        `ssh gateway: shell on ${login.ref.team}/${login.node} failed: ${describeError(err)}`,
      );
      channel.stderr.write(`enshu: ${describeError(err)}\r\n`);
      channel.exit(1);
      channel.end();
    }
  };

  session.on('shell', (accept) => {
    void run(accept());
  });
  session.on('exec', (accept, _reject, info) => {
    void run(accept(), info.command);
  });
}
