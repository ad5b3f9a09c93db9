import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, parseYamlText } from '../../core/index.js';
import { CheckedScenarioSchema, loadScenario } from './load.js';

const scenario = (extra: string) => `id: t
title: { ja: て, en: t }
courses: [B-2]
expectedDuration: 10m
summary: { ja: て, en: t }
facts: { marker: { value: m-1 } }
steps:
  - { id: a, title: { ja: x, en: x }, technique: T1059, tactic: execution, when: { at: 0 }, action: { kind: shell, params: { command: x } } }
${extra}`;

test('injects and the vendor load with their defaults; their references are checked at file:line:col', () => {
  const ok = parseYamlText(
    scenario(`injects:
  - { id: call, when: { after: [a], delay: 2m }, kind: citizen-call, from: 市民, message: { ja: "{{marker}} です", en: x }, expect: { kind: report, within: 30m } }
vendor:
  topics:
    - { id: logs, title: { ja: ログ, en: logs }, answer: { ja: あり, en: yes }, accurate: false }`),
    'x.yaml',
    CheckedScenarioSchema,
  );
  assert.equal(ok.injects[0]!.expect?.within, 1800);
  assert.equal(ok.injects[0]!.expect?.points, 5);
  assert.equal(ok.vendor?.delay, 300);
  assert.equal(ok.vendor?.topics[0]!.accurate, false);
  for (const [extra, re] of [
    [
      'injects:\n  - { id: call, when: { after: [zz] }, kind: management, from: x, message: { ja: x, en: x } }',
      /x\.yaml:10:\d+: injects\.0\.when\.after\.0: no step "zz"/,
    ],
    [
      'injects:\n  - { id: call, when: { at: 1m }, kind: management, from: x, message: { ja: "{{nope}}", en: x } }',
      /injects\.0\.message\.ja: \{\{nope\}\} is not a fact/,
    ],
    ['injects:\n  - { id: call, when: { at: 1m }, kind: tv, from: x, message: { ja: x, en: x } }', /injects\.0\.kind/],
  ] as const)
    assert.throws(
      () => parseYamlText(scenario(extra), 'x.yaml', CheckedScenarioSchema),
      (err: unknown) => err instanceof ConfigError && re.test(err.message),
    );
});

test('the B-2 and C scenarios time their injects after real steps and script the vendor', () => {
  for (const id of ['b2-web-deface-ransomware', 'c-ad-lateral-rd-exfil']) {
    const sc = loadScenario(id);
    assert.ok(sc.injects.length >= 2, id);
    assert.ok(
      sc.injects.some((i) => i.expect?.kind === 'report'),
      `${id}: an inject asks for a report`,
    );
    assert.ok((sc.vendor?.topics.length ?? 0) >= 2, `${id}: vendor topics`);
  }
});
