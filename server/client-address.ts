/**
 * The client's address as express's `req.ip` works it out (proxy-addr's rule), for the places that
 * see a raw request rather than an express one — the socket.io handshake. Behind a trusted reverse
 * proxy every socket's peer is the proxy, so keying a limit on the peer would put a whole classroom
 * in one bucket; the addresses in X-Forwarded-For are read from the right, as long as each hop is
 * trusted, and the first untrusted one is the client.
 */
export type TrustFn = (addr: string, hop: number) => boolean;

export function clientAddress(remote: string, forwardedFor: string | string[] | undefined, trust: TrustFn): string {
  const xff = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .reverse();
  const hops = [remote, ...xff];
  for (let i = 0; i < hops.length - 1; i++) if (!trust(hops[i]!, i)) return hops[i]!;
  return hops.at(-1)!;
}
