import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, test } from 'vitest';
import { statIn } from './local-stat.js';

/** a container's root as a folder: links inside it must resolve inside it, as the engine resolves them */
const root = mkdtempSync(join(tmpdir(), 'enshu-local-stat-'));
const outside = mkdtempSync(join(tmpdir(), 'enshu-local-stat-host-'));
mkdirSync(join(root, 'etc/postfix'), { recursive: true });
mkdirSync(join(root, 'tmp'));
writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
writeFileSync(join(root, 'etc/postfix/main.cf'), 'x\n');
writeFileSync(join(outside, 'secret'), 'host file\n');
symlinkSync('/etc', join(root, 'tmp/abs'));
symlinkSync('../../../../../../etc', join(root, 'tmp/up'));
symlinkSync(outside, join(root, 'tmp/host'));
symlinkSync('/nonexistent', join(root, 'tmp/dangling'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});
const none = new Set<string>();

test('a path is stat’ed as the archive API does: the folder resolved in the root, the last component not followed', () => {
  const st = statIn(root, none, '/etc/passwd');
  assert.ok(st && st !== 'engine');
  assert.equal(st.name, 'passwd');
  assert.equal(st.size, 26);
  assert.equal(st.dir, false);
  const dir = statIn(root, none, '/etc/postfix');
  assert.ok(dir && dir !== 'engine' && dir.dir && dir.mode >= 2 ** 31, 'a folder carries Go’s directory bit');
  const link = statIn(root, none, '/tmp/abs');
  assert.ok(link && link !== 'engine');
  assert.equal(link.linkTarget, '/etc');
  assert.equal(link.mode & (2 ** 27), 2 ** 27, 'a link is the link itself, with Go’s symlink bit');
  assert.equal(statIn(root, none, '/nope'), undefined);
  assert.equal(statIn(root, none, '/tmp/dangling/x'), undefined);
});

test('links never lead out of the root: absolute links and .. start again at the container’s root', () => {
  const viaAbs = statIn(root, none, '/tmp/abs/passwd');
  assert.ok(viaAbs && viaAbs !== 'engine' && viaAbs.size === 26, 'an absolute link resolves in the root');
  const viaUp = statIn(root, none, '/tmp/up/postfix/main.cf');
  assert.ok(viaUp && viaUp !== 'engine' && viaUp.size === 2, '.. stops at the root');
  assert.equal(statIn(root, none, '/../../etc/passwd') !== undefined, true);
  // a link to a host folder is a path in the container: there is no such folder there
  assert.equal(statIn(root, none, '/tmp/host/secret'), undefined, 'the host’s file is never seen');
});

test('what the engine mounts over the root, and links it follows, are left to the engine', () => {
  const mounts = new Set(['/etc/hostname', '/data']);
  assert.equal(statIn(root, mounts, '/etc/hostname'), 'engine');
  assert.equal(statIn(root, mounts, '/data/x'), 'engine');
  assert.equal(statIn(root, none, '/tmp/abs/'), 'engine');
});
