/** Shared set-up for the exercise server tests: a real server on loopback, real HTTP, real sockets. */
import { io, type Socket } from 'socket.io-client';
import { bootstrapAdmin, createExerciseServer, type ExerciseServer, type ServerOptions } from '../../server/index.js';
import { type ClientToServerEvents, type ServerToClientEvents } from '../../protocol/index.js';

export const ADMIN = { user: 'admin', password: 'sv-admin-password' };

export interface Running {
  server: ExerciseServer;
  recovered: Awaited<ReturnType<ExerciseServer['recover']>>;
  url: string;
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T; text: string }>;
}

export async function startServer(o: ServerOptions): Promise<Running> {
  const server = createExerciseServer(o);
  bootstrapAdmin(server.store, { ENSHU_ADMIN_PASSWORD: ADMIN.password });
  const recovered = await server.recover();
  const { url } = await server.listen(0);
  const api: Running['api'] = async (method, path, body, token) => {
    const res = await fetch(url + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed as never, text };
  };
  return { server, url, api, recovered };
}

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** `batch`: one `batch` message a tick, as the web UI asks (server/sockets/outbox.ts) */
export async function connect(url: string, token: string, o: { batch?: boolean } = {}): Promise<Client> {
  const auth = { token, ...(o.batch ? { batch: true } : {}) };
  const s: Client = io(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((res, rej) => {
    s.once('connect', () => res());
    s.once('connect_error', rej);
  });
  return s;
}

export function join(s: Client, exercise: string, team?: string) {
  return new Promise<Parameters<Parameters<ClientToServerEvents['join']>[1]>[0]>((res) =>
    s.emit('join', { exercise, ...(team ? { team } : {}) }, res),
  );
}

/** Resolves with the first `event` matching `pred`, or rejects after `ms`. */
export function waitFor<K extends keyof ServerToClientEvents>(
  s: Client,
  name: K,
  pred: (...a: Parameters<ServerToClientEvents[K]>) => boolean,
  ms = 10_000,
) {
  return new Promise<Parameters<ServerToClientEvents[K]>[0]>((res, rej) => {
    const timer = setTimeout(() => {
      s.off(name, fn as never);
      rej(new Error(`no ${String(name)} within ${ms}ms`));
    }, ms);
    const fn = (...a: Parameters<ServerToClientEvents[K]>) => {
      if (!pred(...a)) return;
      clearTimeout(timer);
      s.off(name, fn as never);
      res(a[0]);
    };
    s.on(name, fn as never);
  });
}
