import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, test } from 'vitest';
import { HOST_KEY_FILE, loadOrCreateHostKey } from './host-key.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-hostkey-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('every generated host key parses (ssh2 draws a malformed ed25519 pair about once in 256)', () => {
  // 600 draws miss a malformed pair with probability (255/256)^600 ≈ 10 %; the bug showed in CI
  for (let i = 0; i < 600; i++) {
    const d = join(dir, `k${i}`);
    const key = loadOrCreateHostKey(d);
    assert.ok(!(ssh2.utils.parseKey(key) instanceof Error), `key ${i} does not parse`);
    assert.equal(statSync(join(d, HOST_KEY_FILE)).mode & 0o777, 0o600);
  }
});

test('the same key after a restart; an unreadable stored key is replaced', () => {
  const d = join(dir, 'restart');
  const first = loadOrCreateHostKey(d);
  assert.deepEqual(loadOrCreateHostKey(d), first);
  writeFileSync(
    join(d, HOST_KEY_FILE),
    '-----BEGIN OPENSSH PRIVATE KEY-----\nbroken\n-----END OPENSSH PRIVATE KEY-----\n',
  );
  const replaced = loadOrCreateHostKey(d);
  assert.ok(!(ssh2.utils.parseKey(replaced) instanceof Error));
  assert.deepEqual(readFileSync(join(d, HOST_KEY_FILE)), replaced);
});
