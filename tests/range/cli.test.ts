/** The `enshu` CLI as a user meets it: clear one-line errors, JSON for scripts. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { repoRoot } from '../../core/index.js';

function enshu(...args: string[]) {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'enshu.mjs'), ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a bad topology file is one clear line with file:line:col, no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'enshu-cli-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    'id: bad\ntitle: Bad\nsegments:\n  - name: lan\n    purpose: LAN\n    subnet: "10.0.0.0/24"\nnodes: []\n',
  );
  const r = enshu('topology', file);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(`^enshu: ${file.replaceAll('.', '\\.')}:6:13: segments\\.0\\.subnet: must contain \\{team\\}`),
  );
  assert.match(r.stderr, /nodes: a topology needs at least one node/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('the shipped topology checks out', () => {
  const r = enshu('topology', join(repoRoot, 'topologies', 'cyder-standard.yaml'), '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).id, 'cyder-standard');
});

test('usage errors name the missing option', () => {
  const r = enshu('up', '--course', 'A');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /required option '--teams <n>' not specified/);
  const d = enshu('down');
  assert.equal(d.code, 1);
  assert.match(d.stderr, /say which: --exercise <id> or --all/);
});

test('status --json is machine-readable', () => {
  const r = enshu('status', '--exercise', 'no-such-exercise', '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});

test('an engine that does not answer is a clear error', () => {
  const r = enshu('--engine', 'unix:///nonexistent/docker.sock', 'status');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^enshu: no container engine answers at unix:\/\/\/nonexistent\/docker\.sock/);
});
