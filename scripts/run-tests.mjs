#!/usr/bin/env node
// Runs the tests with vitest (projects in vitest.config.ts).
// `unit`: *.test.ts(x) next to the code (no engine needed); `integration`: tests/**/*.test.ts,
// one file at a time on the real engine; `all` (the default): both, the unit tests first.
// Further arguments go to vitest as they are: plain words filter files by a substring of their
// path (as before), options such as --reporter=verbose or -t 'test name' are vitest's own.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const KINDS = ['unit', 'integration', 'all'];
const args = process.argv.slice(2);
const kind = KINDS.includes(args[0] ?? '') ? args.shift() : 'all';

const vitest = join(dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs');
const projects = kind === 'all' ? [] : ['--project', kind];
const res = spawnSync(process.execPath, [vitest, 'run', ...projects, ...args], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, NODE_NO_WARNINGS: '1' },
});
if (res.error) console.error(`could not start vitest: ${res.error.message}`);
process.exit(res.status ?? 1);
