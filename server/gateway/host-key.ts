import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';

export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

/** The gateway's host key: generated once into the data directory, so clients see the same key after restarts. */
export function loadOrCreateHostKey(dataDir: string): Buffer {
  const file = join(dataDir, HOST_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment: 'enshu gateway' });
    writeFileSync(file, pair.private, { mode: 0o600 });
    writeFileSync(`${file}.pub`, `${pair.public}\n`);
  }
  chmodSync(file, 0o600);
  return readFileSync(file);
}
