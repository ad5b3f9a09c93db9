/**
 * Seeded randomness: every value is a hash of (seed, team, purpose), so the same exercise seed
 * gives every team the same plan on every run, and teams differ from each other.
 */
import { createHash } from 'node:crypto';

export function seededUnit(...parts: string[]): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  // 48 bits are plenty and stay exact in a double
  return h.readUIntBE(0, 6) / 2 ** 48;
}

export function seededInt(maxExclusive: number, ...parts: string[]): number {
  return Math.min(maxExclusive - 1, Math.floor(seededUnit(...parts) * maxExclusive));
}

const ALPHABETS = {
  hex: '0123456789abcdef',
  alnum: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  digits: '0123456789',
  lower: 'abcdefghijklmnopqrstuvwxyz',
} as const;

export function seededString(alphabet: keyof typeof ALPHABETS, length: number, ...parts: string[]): string {
  const chars = ALPHABETS[alphabet];
  let out = '';
  for (let i = 0; i < length; i++) out += chars[seededInt(chars.length, ...parts, String(i))];
  return out;
}
