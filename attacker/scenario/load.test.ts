import { test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, NotFoundError, parseYamlText } from '../../core/index.js';
import { findAtomicTest, fillAtomic, loadAtomic, unsupportedReason } from '../actions/atomic.js';
import { CheckedScenarioSchema, loadScenario } from './load.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'tests', 'attacker', 'fixtures');

test('a broken scenario file names every problem at file:line:col', () => {
  const file = join(fixtures, 'bad-scenario.yaml');
  assert.throws(
    () => loadScenario(file),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const m = err.message;
      assert.match(m, /bad-scenario\.yaml:14:47: steps\.0\.action\.params\.command: \{\{usr\}\} is not a fact/);
      assert.match(
        m,
        /bad-scenario\.yaml:20:21: steps\.1\.action\.kind: unknown action kind "teleport" \(known: shell, /,
      );
      assert.match(m, /steps wait for each other in a cycle: (one → two → one|two → one → two)/);
      return true;
    },
  );
});

const base = (steps: string) => `id: t
title: { ja: て, en: t }
courses: [A]
expectedDuration: 1m
summary: { ja: て, en: t }
steps:
${steps}`;

test('schema errors point at the field: technique, tactic, durations, references, action parameters', () => {
  const cases: [string, RegExp][] = [
    [
      `  - { id: a, title: { ja: x, en: x }, technique: X1, tactic: execution, when: { at: 0 }, action: { kind: shell, params: { command: x } } }`,
      /x\.yaml:7:\d+: steps\.0\.technique: must be an ATT&CK technique id/,
    ],
    [
      `  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: hacking, when: { at: 0 }, action: { kind: shell, params: { command: x } } }`,
      /steps\.0\.tactic: Invalid enum value/,
    ],
    [
      `  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: execution, when: { at: soon }, action: { kind: shell, params: { command: x } } }`,
      /steps\.0\.when/,
    ],
    [
      `  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: execution, when: { after: [zz] }, action: { kind: shell, params: { command: x } } }`,
      /steps\.0\.when\.after\.0: no step "zz"/,
    ],
    [
      `  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: execution, when: { at: 0 }, action: { kind: ssh, params: { host: h, user: u, command: x } } }`,
      /steps\.0\.action\.params: give a password or a privateKey/,
    ],
    [
      `  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: execution, when: { at: 0 }, else: [b], action: { kind: persist, params: { mechanism: cron } } }`,
      /steps\.0\.else\.0: no step "b"[\s\S]*steps\.0\.action\.params\.(user|command): Required/,
    ],
  ];
  for (const [yaml, re] of cases) {
    assert.throws(
      () => parseYamlText(base(yaml), 'x.yaml', CheckedScenarioSchema),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, re);
        return true;
      },
    );
  }
});

test('an unknown scenario id lists the known ones', () => {
  assert.throws(
    () => loadScenario('nope'),
    (err: unknown) =>
      err instanceof NotFoundError && /no scenario "nope" \(known: .*a-phishing-c2-exfil/.test(err.message),
  );
});

test('Atomic Red Team files: linux sh/bash tests run, the rest say why not', () => {
  const cron = loadAtomic(join(fixtures, 'T1053.003.yaml'));
  const t1 = findAtomicTest(cron.atomic_tests, 1)!;
  assert.equal(unsupportedReason(t1), undefined);
  assert.equal(
    fillAtomic(t1.executor.command!, t1, { command: '/tmp/x.sh' }),
    'crontab -l > /tmp/notevil\necho "* * * * * /tmp/x.sh" > /tmp/persistevil && crontab /tmp/persistevil\n',
  );
  const users = loadAtomic(join(fixtures, 'T1136.001.yaml'));
  assert.match(
    unsupportedReason(findAtomicTest(users.atomic_tests, 'Create a new user in PowerShell')!)!,
    /supports windows, not linux/,
  );
  assert.match(
    unsupportedReason(findAtomicTest(users.atomic_tests, 'Create a user account on a MacOS system')!)!,
    /supports macos, not linux/,
  );
  assert.equal(
    findAtomicTest(users.atomic_tests, '40d8eabd-e394-46f6-8785-b9bfa1d011d2')!.name,
    'Create a user account on a Linux system',
  );
  const keys = loadAtomic(join(fixtures, 'T1098.004.yaml'));
  assert.equal(keys.atomic_tests[0]!.input_arguments, undefined, 'a test without input_arguments loads');
  assert.throws(() => fillAtomic('echo #{nothing}', t1, {}), /needs input argument nothing/);
});
