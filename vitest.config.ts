import { defineConfig } from 'vitest/config';

/** The rooms (and the role sources under topologies/) whose tests sit next to the code. */
const ROOMS = ['core', 'protocol', 'orchestrator', 'attacker', 'scoreboard', 'server', 'cli', 'web', 'topologies'];

/**
 * The longest the integration files allow a test (tests/ui/walk.test.ts: a full course A build,
 * the attack and three minutes more: 15 + 6 + 3 min) and a hook (a full range built in a
 * `beforeAll`, up to 15 minutes on a busy engine, plus margin). A hook that hangs costs at most
 * this much of CI's 90 minutes (teardowns bound each step themselves: tests/helpers/teardown.ts);
 * a test that names its own timeout keeps it.
 */
const INTEGRATION_TEST_MS = 24 * 60_000;
const INTEGRATION_HOOK_MS = 20 * 60_000;

export default defineConfig({
  test: {
    // the tests spawn `node bin/enshu.mjs`, open sockets and load native better-sqlite3: real processes
    pool: 'forks',
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ROOMS.map((room) => `${room}/**/*.test.{ts,tsx}`),
          exclude: ['**/node_modules/**', '**/dist/**'],
          pool: 'forks',
          // no engine, but python3 and the YAML loaders are slow on a busy 2-core host
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['tests/**/*.test.ts'],
          // tests/bench/* are benchmarks run by `npm run bench:*`, never tests
          exclude: ['**/node_modules/**', '**/dist/**', 'tests/bench/**'],
          pool: 'forks',
          // one Docker engine and two cores shared by every file: one file at a time, after the unit tests
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          testTimeout: INTEGRATION_TEST_MS,
          hookTimeout: INTEGRATION_HOOK_MS,
        },
      },
    ],
  },
});
