#!/usr/bin/env node
// Finds test files and runs them with node's test runner through tsx.
// `unit`: *.test.ts next to the code (no engine needed); `integration`: tests/**/*.test.ts;
// `all`: both. Extra arguments filter files by substring.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const [kind = 'all', ...filters] = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const unitDirs = ['core', 'protocol', 'orchestrator', 'attacker', 'scoreboard', 'server', 'cli', 'web', 'topologies'];
const unit = unitDirs.flatMap((d) => walk(join(root, d)));
const integration = walk(join(root, 'tests'));
let files = kind === 'unit' ? unit : kind === 'integration' ? integration : [...unit, ...integration];
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test files for "${kind}" ${filters.join(' ')}`);
  process.exit(1);
}
console.error(`running ${files.length} test file(s):\n  ${files.map((f) => relative(root, f)).join('\n  ')}`);
const res = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_NO_WARNINGS: '1' } },
);
process.exit(res.status ?? 1);
