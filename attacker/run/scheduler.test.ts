/**
 * The scheduler on a fake clock: no timers, no engine. Wall time is a number the test moves;
 * the scenario clock is the runner's own ScenarioClock reading it.
 */
import { describe, test, expect } from 'vitest';
import type { StepState } from '../../protocol/index.js';
import { type PlannedStep, planFor } from '../plan/plan.js';
import { loadScenario } from '../scenario/load.js';
import { ScenarioClock } from './clock.js';
import { Scheduler, settled, takesElse, type ClockReading, type Pass, type Standing } from './scheduler.js';

function planned(id: string, o: Partial<PlannedStep> = {}): PlannedStep {
  return {
    id,
    title: { ja: id, en: id },
    technique: 'T0000',
    tactic: 'execution',
    node: 'attacker',
    kind: 'shell',
    params: {},
    after: [],
    delay: 0,
    jitter: 0,
    plannedOffset: 0,
    else: [],
    impact: false,
    capture: {},
    ...o,
  };
}
const at = (id: string, t: number, o: Partial<PlannedStep> = {}) => planned(id, { at: t, plannedOffset: t, ...o });
const after = (id: string, deps: string[], delay: number, o: Partial<PlannedStep> = {}) =>
  planned(id, { after: deps, delay, ...o });

/** A plan's steps as the runner starts them, with `over` laid on top. */
function states(steps: PlannedStep[], over: Record<string, Partial<StepState>> = {}): Map<string, StepState> {
  return new Map(
    steps.map((p) => [
      p.id,
      {
        id: p.id,
        technique: p.technique,
        tactic: p.tactic,
        node: p.node,
        kind: p.kind,
        status: 'pending' as const,
        plannedOffset: p.plannedOffset,
        branchTaken: false,
        skippedByInstructor: false,
        runs: 0,
        ...over[p.id],
      },
    ]),
  );
}

/** A scenario clock on a wall clock the test moves by hand. */
function fakeClock(speed = 1) {
  let wallMs = 0;
  const clock = new ScenarioClock(speed, () => wallMs);
  return {
    clock,
    advance: (seconds: number) => void (wallMs += seconds * 1000),
    reading: (): ClockReading => ({ now: clock.elapsed(), paused: !clock.running }),
  };
}

const byId = (pass: Pass): Record<string, Standing> => Object.fromEntries(pass.steps.map((s) => [s.id, s]));
const due = (pass: Pass): string[] => pass.steps.filter((s) => s.kind === 'due').map((s) => s.id);
const why = (s: Standing | undefined): string | undefined => (s && 'why' in s ? s.why : undefined);

describe('steps timed by `at`', () => {
  const steps = [at('recon', 10), at('scan', 30), at('late', 90)];
  const scheduler = new Scheduler({ steps });

  test('each is due at its planned offset on the scenario clock, not before', () => {
    const { clock, advance, reading } = fakeClock();
    clock.start();
    const s = states(steps);
    expect(due(scheduler.pass(s, reading()))).toEqual([]);
    advance(9.999);
    expect(due(scheduler.pass(s, reading()))).toEqual([]);
    advance(0.001);
    expect(due(scheduler.pass(s, reading()))).toEqual(['recon']);
    advance(20);
    expect(due(scheduler.pass(s, reading()))).toEqual(['recon', 'scan']);
    expect(byId(scheduler.pass(s, reading())).recon).toEqual({ id: 'recon', kind: 'due', due: 10 });
  });

  test('the planned offset already holds the drawn jitter (a real plan)', () => {
    const plan = planFor(loadScenario('a-phishing-c2-exfil'), { exercise: 'ex', team: 't01', seed: 3 });
    const first = plan.steps.find((p) => p.at !== undefined)!;
    expect(first.plannedOffset).not.toBe(first.at);
    const s = new Map(
      plan.steps.map((p) => [
        p.id,
        { id: p.id, status: 'pending' as const, branchTaken: false, skippedByInstructor: false },
      ]),
    );
    const scheduler = new Scheduler(plan);
    expect(scheduler.dueAt(s, first.id)).toBe(first.plannedOffset);
    expect(byId(scheduler.pass(s, { now: first.plannedOffset - 0.01, paused: false }))[first.id]!.kind).toBe('later');
    expect(byId(scheduler.pass(s, { now: first.plannedOffset, paused: false }))[first.id]!.kind).toBe('due');
  });

  test('steps that ran, or run now, are not looked at again', () => {
    const s = states(steps, { recon: { status: 'running' }, scan: { status: 'succeeded', endClock: 31 } });
    expect(scheduler.pass(s, { now: 40, paused: false }).steps.map((x) => x.id)).toEqual(['late']);
  });
});

describe('`after` dependencies', () => {
  const steps = [
    at('a', 0),
    after('b', ['a'], 30, { jitter: 5 }),
    after('c', ['a', 'b'], 10),
    after('d', ['a'], 10, { jitter: -25 }),
  ];
  const scheduler = new Scheduler({ steps });

  test('a step waits for its predecessors, then for delay + jitter after the last of them ends', () => {
    let s = states(steps, { a: { status: 'running' } });
    let p = byId(scheduler.pass(s, { now: 50, paused: false }));
    expect(p.b).toEqual({ id: 'b', kind: 'blocked', why: 'waits for step a (running)' });
    expect(scheduler.dueAt(s, 'b')).toBeUndefined();

    s = states(steps, { a: { status: 'succeeded', endClock: 12 } });
    p = byId(scheduler.pass(s, { now: 20, paused: false }));
    expect(p.b).toMatchObject({ kind: 'later', due: 47 });
    expect(p.c).toMatchObject({ kind: 'blocked', why: 'waits for step b (waiting)' });
    expect(due(scheduler.pass(s, { now: 47, paused: false }))).toContain('b');

    s = states(steps, { a: { status: 'succeeded', endClock: 12 }, b: { status: 'succeeded', endClock: 60 } });
    expect(scheduler.dueAt(s, 'c')).toBe(70);
  });

  test('a negative jitter never brings a step before its predecessors end', () => {
    const s = states(steps, { a: { status: 'succeeded', endClock: 12 } });
    expect(scheduler.dueAt(s, 'd')).toBe(12);
  });

  test('a predecessor that did not succeed means the step never runs, saying why', () => {
    const s = states(steps, { a: { status: 'failed', endClock: 5, reason: 'exit 1' } });
    const p = byId(scheduler.pass(s, { now: 5, paused: false }));
    expect(p.b).toEqual({ id: 'b', kind: 'never', reason: 'not run: step a was failed (exit 1)' });
    // in the same pass, a step after b hears about a, not a repetition of b's "not run"
    expect(p.c).toEqual({ id: 'c', kind: 'never', reason: 'not run: step b was skipped' });
    expect(scheduler.dueAt(s, 'b')).toBeUndefined();
  });
});

describe('waiting reasons, in words', () => {
  const steps = [
    at('a', 10, { else: ['a-alt'] }),
    after('a-alt', ['a'], 20, { branchOf: 'a' }),
    at('cond', 5, { condition: { step: 'a', outcome: ['succeeded'] } }),
    at('far', 3725),
  ];
  const scheduler = new Scheduler({ steps });
  const s = states(steps);

  test('a countdown while running, the fire time while paused', () => {
    expect(why(byId(scheduler.pass(s, { now: 0, paused: false })).a)).toBe('fires at T+0:10 (in 0:10 scenario time)');
    expect(why(byId(scheduler.pass(s, { now: 3, paused: true })).a)).toBe('paused; fires at T+0:10');
    expect(why(byId(scheduler.pass(s, { now: 65, paused: false })).far)).toBe(
      'fires at T+1:02:05 (in 1:01:00 scenario time)',
    );
  });

  test('a fallback names the step it stands in for; a condition names the step it reads', () => {
    const p = byId(scheduler.pass(s, { now: 6, paused: false }));
    expect(why(p['a-alt'])).toBe('runs only if a is blocked or fails; waits for a (waiting)');
    // its time (T+5) has come, but the step its condition reads has no outcome yet
    expect(p.cond).toEqual({ id: 'cond', kind: 'blocked', why: 'its condition waits for step a', due: 5 });
    expect(scheduler.dueAt(s, 'cond')).toBe(5);
  });

  test('a step waited on is named as the runner will have left it in this pass', () => {
    // pending before the pass; the pass fires it, so what waits for it says "running"
    const chain = [at('x', 0), after('y', ['x'], 0)];
    const p = byId(new Scheduler({ steps: chain }).pass(states(chain), { now: 0, paused: false }));
    expect(p.x!.kind).toBe('due');
    expect(why(p.y)).toBe('waits for step x (running)');
    // while paused nothing fires: x was merely looked at
    const paused = byId(new Scheduler({ steps: chain }).pass(states(chain), { now: 0, paused: true }));
    expect(why(paused.y)).toBe('waits for step x (pending)');
  });
});

describe('speed and pause on the scenario clock', () => {
  const steps = [at('early', 10), at('later', 100)];
  const scheduler = new Scheduler({ steps });

  test('a speed change moves the scenario clock faster; due times stay in scenario seconds', () => {
    const { clock, advance, reading } = fakeClock(1);
    clock.start();
    advance(5);
    let pass = scheduler.pass(states(steps), reading());
    expect(due(pass)).toEqual([]);
    expect(pass.nextDue).toBe(10);
    expect(clock.wallMsUntil(pass.nextDue!)).toBe(5000);
    clock.setSpeed(10);
    expect(clock.wallMsUntil(pass.nextDue!)).toBe(500);
    advance(1); // ×10: 10 scenario seconds
    pass = scheduler.pass(states(steps), reading());
    expect(reading().now).toBe(15);
    expect(due(pass)).toEqual(['early']);
    expect(pass.nextDue).toBe(100);
    expect(clock.wallMsUntil(pass.nextDue!)).toBe(8500);
    expect(why(byId(pass).later)).toBe('fires at T+1:40 (in 1:25 scenario time)');
  });

  test('pause stops the clock: nothing comes due however long the wall clock runs', () => {
    const { clock, advance, reading } = fakeClock(60);
    clock.start();
    advance(0.1); // T+6
    clock.pause();
    advance(3600);
    expect(reading()).toEqual({ now: 6, paused: true });
    const pass = scheduler.pass(states(steps), reading());
    expect(due(pass)).toEqual([]);
    expect(why(byId(pass).early)).toBe('paused; fires at T+0:10');
    expect(clock.wallMsUntil(pass.nextDue!)).toBe(Infinity);
    clock.start();
    advance(0.1); // T+12
    expect(due(scheduler.pass(states(steps), reading()))).toEqual(['early']);
  });

  test('a step whose time came during a pause is due, and fires only once resumed', () => {
    const pass = scheduler.pass(states(steps), { now: 10, paused: true });
    expect(byId(pass).early).toEqual({ id: 'early', kind: 'due', due: 10 });
  });
});

describe('skipped steps and else branches', () => {
  test('an instructor skip lets what waits go on, timed from the skip', () => {
    const steps = [at('a', 0, { else: ['a-alt'] }), after('a-alt', ['a'], 5, { branchOf: 'a' }), after('b', ['a'], 10)];
    const s = states(steps, {
      a: { status: 'skipped', skippedByInstructor: true, endClock: 40, reason: 'skipped by the instructor' },
    });
    const p = byId(new Scheduler({ steps }).pass(s, { now: 40, paused: false }));
    expect(p.b).toMatchObject({ kind: 'later', due: 50 });
    expect(p['a-alt']).toEqual({ id: 'a-alt', kind: 'never', reason: 'branch not taken: a skipped' });
  });

  test('a fallback runs after its step fails, and what follows goes on once the fallback succeeds', () => {
    const steps = [
      at('beacon', 0, { else: ['beacon-alt'] }),
      after('beacon-alt', ['beacon'], 20, { branchOf: 'beacon' }),
      after('whoami', ['beacon'], 30),
    ];
    const scheduler = new Scheduler({ steps });
    let s = states(steps, { beacon: { status: 'blocked', branchTaken: true, endClock: 8 } });
    let p = byId(scheduler.pass(s, { now: 10, paused: false }));
    expect(p['beacon-alt']).toMatchObject({ kind: 'later', due: 28 });
    expect(why(p.whoami)).toBe('waits for else branch beacon-alt of beacon');

    s = states(steps, {
      beacon: { status: 'blocked', branchTaken: true, endClock: 8 },
      'beacon-alt': { status: 'succeeded', endClock: 31 },
    });
    expect(scheduler.dueAt(s, 'whoami')).toBe(61);

    s = states(steps, {
      beacon: { status: 'blocked', branchTaken: true, endClock: 8 },
      'beacon-alt': { status: 'failed', endClock: 31 },
    });
    p = byId(scheduler.pass(s, { now: 31, paused: false }));
    expect(p.whoami).toEqual({
      id: 'whoami',
      kind: 'never',
      reason: 'not run: step beacon was blocked and no else branch succeeded',
    });
  });

  test('a succeeded step does not take its branch', () => {
    const steps = [at('a', 0, { else: ['a-alt'] }), after('a-alt', ['a'], 20, { branchOf: 'a' }), after('b', ['a'], 1)];
    const s = states(steps, { a: { status: 'succeeded', endClock: 3 } });
    const p = byId(new Scheduler({ steps }).pass(s, { now: 3, paused: false }));
    expect(p['a-alt']).toEqual({ id: 'a-alt', kind: 'never', reason: 'branch not taken: a succeeded' });
    expect(p.b).toMatchObject({ kind: 'later', due: 4 });
  });

  test('a step that never runs takes its else branch within the same pass', () => {
    // x failed → a is not run → a's fallback is due at once, and b waits for that fallback
    const steps = [
      at('x', 0),
      after('a', ['x'], 0, { else: ['a-alt'] }),
      after('a-alt', ['a'], 0, { branchOf: 'a' }),
      after('b', ['a'], 5),
    ];
    const s = states(steps, { x: { status: 'failed', endClock: 7 } });
    const pass = new Scheduler({ steps }).pass(s, { now: 9, paused: false });
    expect(pass.steps).toEqual([
      { id: 'a', kind: 'never', reason: 'not run: step x was failed' },
      { id: 'a-alt', kind: 'due', due: 9 },
      { id: 'b', kind: 'blocked', why: 'waits for else branch a-alt of a' },
    ]);
    expect(pass.nextDue).toBeUndefined();
  });

  test('whether a step’s else branch runs: the first end decides; replays and the instructor never take it', () => {
    const p = { else: ['alt'] };
    const fresh = { branchTaken: false, skippedByInstructor: false };
    expect(takesElse(p, fresh, { outcome: 'blocked' })).toBe(true);
    expect(takesElse(p, fresh, { outcome: 'skipped' })).toBe(true);
    expect(takesElse(p, fresh, { outcome: 'succeeded' })).toBe(false);
    expect(takesElse({ else: [] }, fresh, { outcome: 'failed' })).toBe(false);
    expect(takesElse(p, fresh, { outcome: 'failed', replay: true })).toBe(false);
    expect(
      takesElse(p, { branchTaken: true, skippedByInstructor: false }, { outcome: 'succeeded', replay: true }),
    ).toBe(true);
    expect(takesElse(p, { branchTaken: true, skippedByInstructor: false }, { outcome: 'succeeded' })).toBe(true);
    expect(takesElse(p, { branchTaken: false, skippedByInstructor: true }, { outcome: 'skipped' })).toBe(false);
  });
});

describe('the next due time', () => {
  test('the earliest step waiting for its time only; none when nothing is timed', () => {
    const steps = [
      at('a', 50),
      at('b', 20),
      at('c', 5, { condition: { step: 'a', outcome: ['succeeded'] } }),
      after('d', ['a'], 1),
    ];
    const scheduler = new Scheduler({ steps });
    expect(scheduler.pass(states(steps), { now: 0, paused: false }).nextDue).toBe(20);
    expect(
      scheduler.pass(states(steps, { b: { status: 'succeeded', endClock: 21 } }), { now: 21, paused: false }).nextDue,
    ).toBe(50);
    // all that is left waits on other steps: no time to wake up for
    expect(
      scheduler.pass(states(steps, { a: { status: 'running' }, b: { status: 'succeeded', endClock: 21 } }), {
        now: 55,
        paused: false,
      }).nextDue,
    ).toBeUndefined();
  });

  test('a restored attack reruns the steps whose time had come but that have no outcome', () => {
    const steps = [at('a', 0), after('b', ['a'], 10), after('c', ['b'], 10), at('d', 500)];
    const scheduler = new Scheduler({ steps });
    const s = states(steps, { a: { status: 'succeeded', endClock: 4 } });
    expect(scheduler.overdue(s, 100)).toEqual(['b']);
    expect(scheduler.overdue(s, 1000)).toEqual(['b', 'd']);
    expect(scheduler.overdue(s, 13)).toEqual([]);
  });

  test('the attack is settled when every step has an outcome', () => {
    expect(settled([{ status: 'succeeded' }, { status: 'skipped' }, { status: 'blocked' }, { status: 'failed' }])).toBe(
      true,
    );
    expect(settled([{ status: 'succeeded' }, { status: 'waiting' }])).toBe(false);
    expect(settled([{ status: 'running' }])).toBe(false);
  });
});
