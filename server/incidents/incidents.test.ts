import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { attackPort } from '../wiring.js';
import { openStore } from '../store/index.js';
import { traineeEvent } from '../visibility/index.js';
import type { StoredEvent } from '../../protocol/index.js';
import { attachIncidents } from './index.js';
import { incidentItems } from './view.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-incidents-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A B-2 exercise at ×600 on a real store, with a clock the test moves. */
function setup() {
  const store = openStore(mkdtempSync(join(dir, 'x-')));
  let now = Date.parse('2026-11-29T10:00:00Z');
  const clock = () => new Date(now);
  store.exercises.create({
    id: 'inc',
    title: 'incidents',
    course: 'B-2',
    scenario: 'b2-web-deface-ransomware',
    seed: 5,
    speed: 600,
    schedule: {},
    teams: [
      { name: 'A', members: [] },
      { name: 'B', members: [] },
    ],
  });
  for (const s of ['provisioning', 'ready', 'running'] as const) store.exercises.transition('inc', s, clock());
  const inc = attachIncidents({ store, now: clock, attack: attackPort() });
  const step = (id: string, endClock: number) =>
    store.events.append({
      type: 'attack.step',
      exercise: 'inc',
      team: 't01',
      at: clock().toISOString(),
      scenario: 'b2-web-deface-ransomware',
      step: id,
      technique: 'T1491.002',
      tactic: 'impact',
      startedAt: clock().toISOString(),
      endedAt: clock().toISOString(),
      outcome: 'succeeded',
      evidence: '',
      impact: false,
      endClock,
    });
  return { store, inc, step, advance: (ms: number) => (now += ms), list: () => store.events.list('inc') };
}

describe('incidents', () => {
  it('a scenario inject goes out once its step succeeded and its delay passed, once', async () => {
    const { inc, step, advance, list } = setup();
    step('deface', 600);
    inc.injects.consider('inc', 't01');
    assert.equal(list().filter((e) => e.type === 'inject.sent').length, 0, 'not before its delay (3m at ×600)');
    advance(400);
    inc.injects.consider('inc', 't01');
    inc.injects.consider('inc', 't01');
    const sent = list().filter((e) => e.type === 'inject.sent');
    assert.equal(sent.length, 1);
    assert.ok(sent[0]!.type === 'inject.sent' && sent[0]!.id === 'sc-citizen-call' && sent[0]!.team === 't01');
    await inc.close();
  });

  it('an instructor inject reaches every team; a trainee sees no expected reaction, only its due time', async () => {
    const { inc, list } = setup();
    const sent = inc.injects.send(
      'inc',
      {
        teams: 'all',
        kind: 'management',
        from: '部長',
        message: { ja: '報告せよ' },
        expect: { kind: 'report', withinMinutes: 30 },
      },
      'admin',
    );
    assert.deepEqual(
      sent.map((s) => s.team),
      ['t01', 't02'],
    );
    const e = list().find((x) => x.type === 'inject.sent' && x.team === 't02')!;
    assert.ok(e.type === 'inject.sent' && e.message.en === '報告せよ' && e.expect?.withinMinutes === 30);
    const seen = traineeEvent(e, 't02', (s) => s)!;
    assert.ok(!('expect' in seen) && !('by' in seen));
    assert.equal(
      traineeEvent(e, 't01', (s) => s),
      undefined,
      'another team’s inject',
    );
    const [item] = incidentItems(list(), 't02', { role: 'trainee', subject: 'x', exercise: 'inc', team: 't02' });
    assert.ok(item?.type === 'inject.sent' && item.dueAt === '2026-11-29T10:30:00.000Z' && !('expect' in item));
    assert.throws(() =>
      inc.injects.send('inc', { teams: ['t09'], kind: 'other', from: 'x', message: { ja: 'y' } }, 'a'),
    );
    await inc.close();
  });

  it('the vendor answers a topic with the scenario’s text after its delay; a trainee is not told it is wrong', async () => {
    const { inc, advance, list } = setup();
    assert.deepEqual(
      inc.vendor.topics('inc', 't01').map((t) => t.id),
      ['maint-account', 'web-changes', 'backup'],
    );
    const { id } = inc.vendor.ask('inc', 't01', 'sato', { topic: 'backup', question: 'バックアップは？' });
    assert.throws(() => inc.vendor.ask('inc', 't01', 'sato', { topic: 'nope' }), /no topic/);
    inc.vendor.consider('inc', 't01');
    assert.equal(list().filter((e) => e.type === 'vendor.answered').length, 0, 'late: 40m at ×600 is 4 s');
    advance(4_100);
    inc.vendor.consider('inc', 't01');
    const a = list().find((e): e is StoredEvent & { type: 'vendor.answered' } => e.type === 'vendor.answered')!;
    assert.equal(a.id, id);
    assert.equal(a.accurate, false);
    assert.match(a.answer.ja, /毎晩取得/);
    const seen = traineeEvent(a, 't01', (s) => s)!;
    assert.ok(seen.type === 'vendor.answered' && seen.accurate === true);
    await inc.close();
  });

  it('a trainee sees an alert without its rule or matched lines, staff with both', () => {
    const { store, list } = setup();
    store.events.append({
      type: 'soc.alert',
      exercise: 'inc',
      team: 't01',
      at: '2026-11-29T10:00:05Z',
      id: 'soc-1',
      rule: 'web-shell-request',
      title: { ja: 'Webシェルの疑い', en: 'Possible web shell' },
      severity: 'high',
      node: 'web',
      count: 1,
      evidence: ['2026-11-29T10:00:04Z web nginx_access: 10.1.0.66 - - "GET /.x.cgi?c=aWQ="'],
      since: '2026-11-29T10:00:04Z',
    });
    const e = list().find((x) => x.type === 'soc.alert')!;
    const seen = traineeEvent(e, 't01', (s) => s)!;
    assert.ok(seen.type === 'soc.alert' && seen.rule === '' && !Object.hasOwn(seen, 'evidence') && seen.since);
    assert.ok(!JSON.stringify(seen).includes('10.1.0.66'));
    const [staff] = incidentItems(list(), 't01', { role: 'instructor', subject: 'admin' });
    assert.ok(staff?.type === 'soc.alert' && staff.rule === 'web-shell-request' && staff.evidence?.length === 1);
  });
});
