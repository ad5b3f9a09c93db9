/** IPv4 arithmetic for address planning: small, exact, no dependency. */
export interface Cidr {
  network: number;
  prefix: number;
}

export function parseIPv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(s: string): Cidr | undefined {
  const [addr, len] = s.split('/');
  if (addr === undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const ip = parseIPv4(addr);
  const prefix = Number(len);
  if (ip === undefined || prefix < 8 || prefix > 30) return undefined;
  const network = maskOf(ip, prefix);
  if (network !== ip) return undefined;
  return { network, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIPv4(c.network)}/${c.prefix}`;
}

function maskOf(ip: number, prefix: number): number {
  const size = 2 ** (32 - prefix);
  return ip - (ip % size);
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, ip: number): boolean {
  return ip >= c.network && ip < c.network + size(c);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network < b.network + size(b) && b.network < a.network + size(a);
}

/** Host number n (1-based) inside the subnet; undefined when it is the network or broadcast address or outside. */
export function hostAt(c: Cidr, n: number): number | undefined {
  if (n < 1 || n >= size(c) - 1) return undefined;
  return c.network + n;
}

export function lastUsableHost(c: Cidr): number {
  return size(c) - 2;
}
