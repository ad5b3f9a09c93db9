import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { createLogger } from '../../core/index.js';

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

const log = createLogger('server/ssh');

const parses = (key: string | Buffer): boolean => !(ssh2.utils.parseKey(key) instanceof Error);

/**
 * A new ed25519 pair that ssh2 itself can read back. ssh2 1.17's generator strips leading zero
 * bytes of the public key, so about one pair in 256 is malformed (mscdex/ssh2#1390, #1513) and a
 * gateway started with it fails; such a pair is simply drawn again.
 */
function generateHostKey(): { private: string; public: string } {
  for (let i = 0; i < 16; i++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'enshu gateway' });
    if (parses(pair.private) && parses(pair.public)) return pair;
  }
  throw new Error('could not generate an SSH host key that parses');
}

/** The gateway's host key: generated once into the data directory, so clients see the same key after restarts. */
export function loadOrCreateHostKey(dataDir: string): Buffer {
  const file = join(dataDir, HOST_KEY_FILE);
  if (existsSync(file) && !parses(readFileSync(file))) {
    // written by an earlier version with the generator's bug: the gateway could never start with it
    log.warn(
      { file },
      `the SSH host key in ${file} cannot be read; a new one replaces it (clients will see a new key)`,
    );
  } else if (existsSync(file)) {
    chmodSync(file, 0o600);
    return readFileSync(file);
  }
  mkdirSync(dataDir, { recursive: true });
  const pair = generateHostKey();
  writeFileSync(file, pair.private, { mode: 0o600 });
  writeFileSync(`${file}.pub`, `${pair.public}\n`);
  chmodSync(file, 0o600);
  return readFileSync(file);
}
