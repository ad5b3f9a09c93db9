/**
 * Browser terminals: a socket.io namespace that opens a tty shell on one node of the caller's own
 * team (instructors: any team) and streams it both ways. Each connection is one shell; a client
 * that reconnects gets a fresh login shell on the same node.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import { z } from 'zod';
import { createLogger, describeError, NotFoundError } from '../../core/index.js';
import type { ExecSession } from '../../orchestrator/index.js';
import { AccessDeniedError, mayOpen, resolveShell, type GatewayDeps, type ShellTarget } from './access.js';
import {
  TERMINAL_NAMESPACE,
  type TerminalClientEvents,
  type TerminalError,
  type TerminalServerEvents,
} from '../../protocol/index.js';
import { orderedQueue } from './in-order.js';
import { AttemptThrottle, type ThrottleLimits } from './throttle.js';

const AuthSchema = z.object({
  token: z.string().min(1).max(200),
  exercise: z.string().min(1).max(40),
  team: z.string().regex(/^t\d{2,3}$/),
  node: z.string().min(1).max(60),
  user: z.string().min(1).max(32).optional(),
  cols: z.number().int().min(10).max(500).default(80),
  rows: z.number().int().min(5).max(200).default(24),
});
const SizeSchema = z.object({ cols: z.number().int().min(10).max(500), rows: z.number().int().min(5).max(200) });
const log = createLogger('server/terminal');

interface Data {
  target: ShellTarget;
  cols: number;
  rows: number;
  who: string;
}
type TermSocket = Socket<TerminalClientEvents, TerminalServerEvents, Record<string, never>, Data>;

function refuse(code: TerminalError, detail: string): Error {
  return Object.assign(new Error(code), { data: { detail } });
}

export interface TerminalNamespaceOptions {
  /** failed handshakes (bad token, another team) allowed per source address and per team */
  throttle?: ThrottleLimits;
}

export function attachTerminalNamespace(io: Server, deps: GatewayDeps, o: TerminalNamespaceOptions = {}): Namespace {
  const throttle = new AttemptThrottle(o.throttle);
  const ns = io.of(TERMINAL_NAMESPACE) as unknown as Namespace<
    TerminalClientEvents,
    TerminalServerEvents,
    Record<string, never>,
    Data
  >;

  ns.use((socket, next) => {
    const a = AuthSchema.safeParse(socket.handshake.auth);
    if (!a.success) return next(refuse('bad-request', 'give token, exercise, team and node'));
    const address = socket.handshake.address;
    const wait = throttle.wait(address, a.data.team);
    if (wait > 0) {
      log.warn({ address, team: a.data.team }, `terminal: ${address} throttled for ${wait}s`);
      return next(refuse('forbidden', `too many failed attempts: try again in ${wait} s`));
    }
    const p = deps.principal(a.data.token);
    if (!p) {
      throttle.failed(address, a.data.team);
      return next(refuse('unauthorised', 'sign in again'));
    }
    const ref = { exercise: a.data.exercise, team: a.data.team };
    // The team check is the server's: a trainee's token names one team, whatever the client asks.
    if (!mayOpen(p, ref)) {
      throttle.failed(address, a.data.team);
      return next(refuse('forbidden', `team ${a.data.team} is not your team`));
    }
    throttle.succeeded(address, a.data.team);
    const as = p.role === 'instructor' ? 'instructor' : 'trainee';
    resolveShell(deps, ref, a.data.node, { ...(a.data.user ? { user: a.data.user } : {}), as }).then(
      (target) => {
        socket.data = { target, cols: a.data.cols, rows: a.data.rows, who: `${p.role}:${p.subject}` };
        next();
      },
      (err: unknown) => {
        if (err instanceof AccessDeniedError) next(refuse('forbidden', describeError(err)));
        else if (err instanceof NotFoundError) next(refuse('not-found', describeError(err)));
        else next(refuse('not-found', describeError(err)));
      },
    );
  });

  ns.on('connection', (socket: TermSocket) => {
    void serve(socket, deps);
  });
  return ns as unknown as Namespace;
}

async function serve(socket: TermSocket, deps: GatewayDeps): Promise<void> {
  const { target, cols, rows, who } = socket.data;
  // Keystrokes and resizes that arrive while the shell is still starting are kept, not dropped.
  const early: (string | { cols: number; rows: number })[] = [];
  let session: ExecSession | undefined;
  let gone = false;
  // Keystrokes and resizes reach the shell in the order they were sent: a resize is an engine API
  // call, so text typed right after it (`stty size`, a full-screen editor) would otherwise beat it.
  const inOrder = orderedQueue();
  const resize = (size: unknown) => {
    const s = SizeSchema.safeParse(size);
    if (!s.success) return;
    const sess = session;
    if (sess) inOrder(() => sess.resize(s.data.cols, s.data.rows));
    else early.push(s.data);
  };
  socket.on('input', (d) => {
    if (typeof d !== 'string' || d.length > 65536) return;
    const sess = session;
    if (sess) inOrder(() => sess.stream.write(d));
    else early.push(d);
  });
  socket.on('resize', resize);
  socket.on('disconnect', () => {
    gone = true;
    if (!session) return;
    // Ending the shell's input makes a login shell exit; destroy frees the engine connection.
    const s = session;
    inOrder(() => {
      s.stream.end();
      setTimeout(() => s.stream.destroy(), 1000).unref();
    });
  });
  try {
    session = await deps.engine.exec.open(target.container, target.argv, { tty: true, env: target.env });
  } catch (err) {
    log.warn(
      { err, who, container: target.container },
      `terminal: ${who} could not open ${target.container}: ${describeError(err)}`,
    );
    socket.emit('output', new TextEncoder().encode(`\r\nenshu: ${describeError(err)}\r\n`));
    socket.emit('exit', 1);
    socket.disconnect(true);
    return;
  }
  if (gone) {
    session.stream.end();
    session.stream.destroy();
    return;
  }
  await session.resize(cols, rows);
  log.info(
    { who, container: target.container, user: target.user },
    `terminal: ${who} opened ${target.container} as ${target.user}`,
  );
  const s = session;
  s.stream.on('data', (d: Buffer) => socket.emit('output', d));
  for (const x of early.splice(0)) {
    if (typeof x === 'string') inOrder(() => s.stream.write(x));
    else inOrder(() => s.resize(x.cols, x.rows));
  }
  const code = await s.exited();
  if (socket.connected) {
    socket.emit('exit', code);
    socket.disconnect(true);
  }
}
