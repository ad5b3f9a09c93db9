/**
 * Sessions on sockets follow the user like REST requests do: every event on the main namespace
 * re-checks the handshake's token against the store (`store.auth.resolve`: expired, revoked, user
 * deleted or role changed → refused with a 401 ack and the socket is disconnected), and when tokens
 * are revoked (logout, password change, demotion, deletion) every socket in every namespace
 * (the live rooms and the browser terminals) whose token no longer resolves is disconnected at once.
 */
import type { Namespace, Server, Socket } from 'socket.io';
import { createLogger } from '../../core/index.js';
import type { Store } from '../store/index.js';

const log = createLogger('server/sockets');

const tokenOf = (s: Socket): string | undefined => {
  const t = (s.handshake.auth as { token?: unknown } | undefined)?.token;
  return typeof t === 'string' ? t : undefined;
};

export const REVOKED = { ok: false as const, status: 401, error: 'token revoked or expired: log in again' };

// the server's event maps differ per namespace; this only reads handshakes and disconnects
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyServer = Server<any, any, any, any>;

/** Registers the per-event check and the disconnect-on-revoke; returns what undoes the latter. */
export function guardSessions(io: AnyServer, store: Store, now: () => Date): () => void {
  const valid = (s: Socket) => {
    const t = tokenOf(s);
    return !!t && !!store.auth.resolve(t, now());
  };
  io.on('connection', (socket: Socket) => {
    socket.use((packet, next) => {
      if (valid(socket)) return next();
      const ack = packet.at(-1);
      if (typeof ack === 'function') (ack as (a: typeof REVOKED) => void)(REVOKED);
      socket.disconnect(true);
    });
  });
  return store.auth.onRevoke(() => {
    // namespaces are created by others (the terminal one by the gateway); all of them are checked
    const namespaces = (io as unknown as { _nsps: Map<string, Namespace> })._nsps;
    let n = 0;
    for (const ns of namespaces.values())
      for (const s of ns.sockets.values())
        if (!valid(s)) {
          s.disconnect(true);
          n++;
        }
    if (n) log.info({ sockets: n }, `disconnected ${n} socket(s) whose token was revoked`);
  });
}
