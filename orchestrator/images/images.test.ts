import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { hostDebianMirror } from './mirror.js';
import { hashContext } from './hash.js';

function aptDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'enshu-apt-'));
  mkdirSync(join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('the mirror comes from deb822 sources, skipping the security archive', () => {
  delete process.env.ENSHU_DEBIAN_MIRROR;
  const dir = aptDir({
    'sources.list.d/debian.sources': [
      'Types: deb',
      '# a comment',
      'URIs: http://mirror.invalid/debian-security',
      'Suites: bookworm-security',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://mirror.invalid/debian/',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
    ].join('\n'),
  });
  assert.equal(hostDebianMirror(dir), 'http://mirror.invalid/debian');
});

test('the mirror comes from one-line sources.list too', () => {
  const dir = aptDir({ 'sources.list': '# x\ndeb [arch=amd64] http://archive.invalid/debian bookworm main contrib\n' });
  assert.equal(hostDebianMirror(dir), 'http://archive.invalid/debian');
});

test('no mirror is a clear error', () => {
  assert.throws(() => hostDebianMirror(aptDir({})), /no Debian mirror found/);
});

test('the context hash changes with content and mode, not with time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enshu-ctx-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM x\n');
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'a'), 'one');
  const h1 = hashContext(dir, ['base:1']);
  assert.equal(hashContext(dir, ['base:1']), h1);
  assert.notEqual(hashContext(dir, ['base:2']), h1, 'a new base makes a new tag');
  writeFileSync(join(dir, 'conf', 'a'), 'two');
  const h2 = hashContext(dir, ['base:1']);
  assert.notEqual(h2, h1);
  chmodSync(join(dir, 'conf', 'a'), 0o755);
  assert.notEqual(hashContext(dir, ['base:1']), h2);
});
