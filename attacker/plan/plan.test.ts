import { test } from 'vitest';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { teamFacts } from '../../core/index.js';
import { listScenarios, loadScenario } from '../scenario/load.js';
import { planFor } from './plan.js';
import { render, renderDeep } from './template.js';
import { groundTruth } from './truth.js';

const fixtures = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'tests', 'attacker', 'fixtures');
const small = loadScenario(join(fixtures, 'small-scenario.yaml'));

test('the same seed gives the same plan twice; another seed or team gives another', () => {
  const a = planFor(small, { exercise: 'ex', team: 't01', seed: 'abc' });
  const b = planFor(small, { exercise: 'ex', team: 't01', seed: 'abc' });
  assert.deepEqual(a, b);
  assert.deepEqual(JSON.parse(JSON.stringify(a)), a, 'a plan is plain JSON');
  const c = planFor(small, { exercise: 'ex', team: 't01', seed: 'abd' });
  const d = planFor(small, { exercise: 'ex', team: 't02', seed: 'abc' });
  assert.notEqual(a.facts.marker, c.facts.marker);
  assert.notEqual(a.facts.marker, d.facts.marker);
  assert.notDeepEqual(
    a.steps.map((s) => s.plannedOffset),
    c.steps.map((s) => s.plannedOffset),
  );
});

test('schedule: offsets with jitter inside its range, after-steps follow their predecessors', () => {
  for (const seed of ['1', '2', '3', '4', '5']) {
    const p = planFor(small, { exercise: 'ex', team: 't01', seed });
    const at = (id: string) => p.steps.find((s) => s.id === id)!;
    assert.ok(
      at('recon').plannedOffset >= 5 && at('recon').plannedOffset <= 15,
      `recon at ${at('recon').plannedOffset}`,
    );
    assert.ok(Math.abs(at('recon').jitter) <= 5);
    const deface = at('deface');
    assert.equal(deface.plannedOffset, at('recon').plannedOffset + Math.max(0, 30 + deface.jitter));
    assert.equal(at('implant').plannedOffset, at('recon').plannedOffset + 60);
    assert.equal(at('implant-alt').branchOf, 'implant');
    assert.deepEqual(at('implant').else, ['implant-alt']);
    assert.equal(p.plannedEnd, Math.max(...p.steps.map((s) => s.plannedOffset)));
  }
});

test('facts fill the parameters; addresses and captured values wait for the run', () => {
  const p = planFor(small, { exercise: 'ex', team: 't01', seed: 'abc' });
  const implant = p.steps.find((s) => s.id === 'implant')!;
  assert.equal(implant.node, 'pc1', 'logical node names resolve to range nodes');
  assert.equal(implant.params.user, 'staff01');
  assert.ok(['upd-agent', 'sync-helper', 'cache-svc'].includes(implant.params.name as string));
  assert.equal(p.steps.find((s) => s.id === 'recon')!.params.command, 'curl -fsS -m 5 http://{{ip.web}}/ | head -n 3');
  const persist = p.steps.find((s) => s.id === 'persist')!;
  assert.deepEqual((persist.params.args as Record<string, string>).username, 'svc-t01');
});

test('templating: unknown facts are errors, ip.* resolves through logical names and segments', () => {
  const scope = { facts: { a: '1' }, ips: { pc1: '10.1.2.21', 'fw.dmz': '10.1.1.1' }, nodes: { victim: 'pc1' } };
  assert.equal(render('x{{a}}-{{ ip.victim }}-{{ip.fw.dmz}}-{{node.victim}}', scope), 'x1-10.1.2.21-10.1.1.1-pc1');
  assert.throws(() => render('{{b}}', scope), /\{\{b\}\}: no such fact \(known: a\)/);
  assert.throws(() => render('{{ip.web}}', scope), /node "web" has no address/);
  assert.equal(render('{{ip.web}}', scope, { keepUnresolved: true }), '{{ip.web}}');
  assert.deepEqual(renderDeep({ l: ['{{a}}', 2, { x: '{{a}}{{a}}' }] }, scope), { l: ['1', 2, { x: '11' }] });
  assert.throws(() => render('{{pw}}', { facts: {}, deferred: new Set(['pw']) }), /not captured yet/);
});

test('staff, document and secret facts come from the orchestrator’s team facts', () => {
  const scenario = loadScenario('a-phishing-c2-exfil');
  const p = planFor(scenario, { exercise: 'ex', team: 't03', seed: 'seed-9' });
  const org = teamFacts('seed-9', 't03', scenario.domain);
  const victim = org.staff.find((s) => s.user === p.facts.victim)!;
  assert.ok(victim, `victim ${p.facts.victim} is a staff member of the team`);
  assert.equal(p.facts.victim_password, victim.password);
  assert.equal(p.facts.victim_email, victim.email);
  assert.equal(victim.department, 'soumu');
});

test('ground truth: per step indicators and checks from the same facts', () => {
  const t = groundTruth(small, {
    exercise: 'ex',
    team: 't02',
    seed: 'abc',
    ips: { attacker: '10.9.0.66', pc1: '10.9.2.21' },
  });
  const p = planFor(small, { exercise: 'ex', team: 't02', seed: 'abc' });
  assert.equal(t.team, 't02');
  assert.deepEqual(
    t.steps.map((s) => s.id),
    small.steps.map((s) => s.id),
  );
  const lateral = t.steps.find((s) => s.id === 'lateral')!;
  assert.deepEqual(
    lateral.indicators.map((i) => i.value),
    ['admin', 'Accepted password for admin from 10.9.2.21'],
  );
  const deface = t.steps.find((s) => s.id === 'deface')!;
  assert.equal(deface.impact, true);
  assert.equal(deface.recovery[0]!.command, `! grep -q ${p.facts.marker} /var/www/site/index.html`);
  assert.equal(t.steps.find((s) => s.id === 'persist')!.recovery[0]!.node, 'pc2');
  // without addresses, indicators that need one are left out rather than guessed
  const dry = groundTruth(small, { exercise: 'ex', team: 't02', seed: 'abc' });
  assert.deepEqual(dry.steps.find((s) => s.id === 'recon')!.indicators, []);
});

test('every shipped scenario loads, plans and yields ground truth with indicators and checks for each step', () => {
  const list = listScenarios();
  assert.ok(list.length >= 3);
  for (const s of list) {
    const sc = loadScenario(s.id);
    const plan = planFor(sc, { exercise: 'ex', team: 't01', seed: 'x' });
    assert.equal(plan.steps.length, sc.steps.length);
    const truth = groundTruth(sc, { exercise: 'ex', team: 't01', seed: 'x', ips: {} });
    for (const st of sc.steps) {
      assert.ok(st.indicators.length > 0, `${s.id}/${st.id} lists indicators`);
      assert.ok(st.containment.length + st.recovery.length > 0, `${s.id}/${st.id} has a containment or recovery check`);
    }
    assert.ok(truth.availability.length > 0, `${s.id} lists availability checks`);
  }
  assert.deepEqual(
    new Set(list.flatMap((s) => s.courses)).has('A') &&
      new Set(list.flatMap((s) => s.courses)).has('B-2') &&
      new Set(list.flatMap((s) => s.courses)).has('C'),
    true,
  );
});
