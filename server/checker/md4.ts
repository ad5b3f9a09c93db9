/**
 * MD4 (RFC 1320), for Samba's NT password hash (MD4 of the UTF-16LE password): Node's OpenSSL 3
 * no longer offers it. Not for anything else.
 */
export function md4(data: Buffer): Buffer {
  const len = data.length;
  const padded = Buffer.alloc((((len + 8) >> 6) + 1) * 64);
  data.copy(padded);
  padded[len] = 0x80;
  padded.writeUInt32LE((len * 8) >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(len / 0x20000000), padded.length - 4);
  let [a, b, c, d] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  const rotl = (x: number, n: number) => (x << n) | (x >>> (32 - n));
  const F = (x: number, y: number, z: number) => (x & y) | (~x & z);
  const G = (x: number, y: number, z: number) => (x & y) | (x & z) | (y & z);
  const H = (x: number, y: number, z: number) => x ^ y ^ z;
  for (let off = 0; off < padded.length; off += 64) {
    const X = Array.from({ length: 16 }, (_, i) => padded.readUInt32LE(off + i * 4));
    const [aa, bb, cc, dd] = [a, b, c, d];
    const r1 = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + F(q, r, s) + X[k]!) | 0, sh);
    const r2 = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + G(q, r, s) + X[k]! + 0x5a827999) | 0, sh);
    const r3 = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + H(q, r, s) + X[k]! + 0x6ed9eba1) | 0, sh);
    for (const k of [0, 4, 8, 12]) {
      a = r1(a, b, c, d, k, 3);
      d = r1(d, a, b, c, k + 1, 7);
      c = r1(c, d, a, b, k + 2, 11);
      b = r1(b, c, d, a, k + 3, 19);
    }
    for (const k of [0, 1, 2, 3]) {
      a = r2(a, b, c, d, k, 3);
      d = r2(d, a, b, c, k + 4, 5);
      c = r2(c, d, a, b, k + 8, 9);
      b = r2(b, c, d, a, k + 12, 13);
    }
    for (const k of [0, 2, 1, 3]) {
      a = r3(a, b, c, d, k, 3);
      d = r3(d, a, b, c, k + 8, 9);
      c = r3(c, d, a, b, k + 4, 11);
      b = r3(b, c, d, a, k + 12, 15);
    }
    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }
  const out = Buffer.alloc(16);
  [a, b, c, d].forEach((v, i) => out.writeUInt32LE(v >>> 0, i * 4));
  return out;
}

/** Samba's NT hash of a password, upper-case hex as pdbedit prints it. */
export function ntHash(password: string): string {
  return md4(Buffer.from(password, 'utf16le')).toString('hex').toUpperCase();
}
