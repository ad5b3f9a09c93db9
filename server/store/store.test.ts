import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import {
  MIGRATIONS,
  openStore,
  schemaVersion,
  ConflictError,
  ValidationError,
  EXERCISE_STATES,
  type ExerciseState,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'enshu-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const exercise = {
  id: 'sv-unit',
  title: 'unit',
  course: 'A',
  scenario: 's',
  seed: 1,
  speed: 1,
  schedule: {},
  teams: [
    { name: 'A', members: ['alice'] },
    { name: 'B', members: [] },
  ],
};

describe('store', () => {
  it('opens in WAL mode at the latest schema version, and reopening applies nothing twice', () => {
    const s = openStore(dir);
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(schemaVersion(s.db), MIGRATIONS.at(-1)!.version);
    s.close();
    const again = openStore(dir);
    assert.equal(schemaVersion(again.db), MIGRATIONS.at(-1)!.version);
    again.close();
  });

  it('appends validated events with increasing seq and refuses invalid ones', () => {
    const s = openStore(dir);
    const a = s.events.append({ type: 'exercise.created', exercise: 'sv-unit', at: '2026-04-01T09:00:00.000Z' });
    const b = s.events.append({
      type: 'finding.submitted',
      exercise: 'sv-unit',
      team: 't01',
      at: '2026-04-01T09:05:00.000Z',
      id: 'f1',
      by: 'alice',
      technique: 'T1059',
      text: '',
    });
    assert.ok(b.seq > a.seq);
    assert.throws(
      () =>
        s.events.append({ type: 'finding.submitted', exercise: 'sv-unit', team: 'team-one', at: 'yesterday' } as never),
      ValidationError,
    );
    // a batch with one bad event writes none of it
    const before = s.events.list('sv-unit').length;
    assert.throws(
      () =>
        s.events.appendMany([
          { type: 'exercise.started', exercise: 'sv-unit', at: '2026-04-01T09:10:00.000Z' },
          { type: 'exercise.paused', exercise: 'sv-unit', at: 'not a time' },
        ]),
      ValidationError,
    );
    assert.equal(s.events.list('sv-unit').length, before);
    assert.deepEqual(
      s.events.list('sv-unit', a.seq).map((e) => e.seq),
      [b.seq],
    );
    s.close();
  });

  it('walks the exercise state machine and refuses invalid transitions with the allowed ones', () => {
    const s = openStore(dir);
    const x = s.exercises.create(exercise);
    assert.equal(x.state, 'created');
    const teams = s.exercises.teams('sv-unit');
    assert.deepEqual(
      teams.map((t) => t.id),
      ['t01', 't02'],
    );
    assert.deepEqual(teams[0]!.members, ['alice']);
    assert.equal(s.exercises.teamByCode(teams[1]!.joinCode.toLowerCase())?.id, 't02');
    assert.throws(() => s.exercises.create(exercise), ConflictError);
    assert.throws(
      () => s.exercises.transition('sv-unit', 'running'),
      (e: Error) => e instanceof ConflictError && /can become: provisioning, archived/.test(e.message),
    );
    const path: ExerciseState[] = ['provisioning', 'ready', 'running', 'paused', 'running', 'ended', 'archived'];
    for (const to of path) assert.equal(s.exercises.transition('sv-unit', to).state, to);
    for (const to of EXERCISE_STATES) assert.throws(() => s.exercises.transition('sv-unit', to), ConflictError);
    s.close();
  });

  it('keeps tokens as hashes and checks passwords', async () => {
    const s = openStore(dir);
    s.auth.putUser('ito', 'organizer', 'correct horse battery');
    assert.equal(await s.auth.authenticate('ito', 'correct horse battery'), 'organizer');
    assert.equal(await s.auth.authenticate('ito', 'wrong'), undefined);
    assert.equal(await s.auth.authenticate('nobody', 'x'), undefined);
    const token = s.auth.issue({ role: 'trainee', subject: 'alice', exercise: 'sv-unit', team: 't01' });
    assert.deepEqual(s.auth.resolve(token), { role: 'trainee', subject: 'alice', exercise: 'sv-unit', team: 't01' });
    const stored = s.db.prepare('SELECT hash FROM tokens').all() as { hash: string }[];
    assert.ok(stored.every((r) => r.hash !== token));
    assert.equal(s.auth.resolve(token, new Date(Date.now() + 25 * 3600_000)), undefined);
    s.close();
  });

  it('hashes asynchronously, follows users on resolve, and revokes on password/role change, deletion, logout', async () => {
    const s = openStore(dir);
    const told: unknown[] = [];
    s.auth.onRevoke((w) => told.push(w));
    await s.auth.setUser('sato', 'instructor', 'first-password');
    assert.equal(await s.auth.authenticate('sato', 'first-password'), 'instructor');
    assert.equal(await s.auth.authenticate('sato', 'wrong-password'), undefined);
    assert.equal(await s.auth.authenticate('nobody-here', 'first-password'), undefined);
    const a = s.auth.issue({ role: 'instructor', subject: 'sato' });
    // the same password again revokes nothing
    assert.deepEqual(await s.auth.setUser('sato', 'instructor', 'first-password'), { revoked: false });
    assert.ok(s.auth.resolve(a));
    assert.deepEqual(await s.auth.setUser('sato', 'instructor', 'second-password'), { revoked: true });
    assert.equal(s.auth.resolve(a), undefined);
    const b = s.auth.issue({ role: 'instructor', subject: 'sato' });
    await s.auth.setUser('sato', 'organizer', 'second-password');
    assert.equal(s.auth.resolve(b), undefined, 'demoted');
    // a token that names a role the user no longer has resolves to nothing, revoked or not
    assert.equal(s.auth.resolve(s.auth.issue({ role: 'instructor', subject: 'sato' })), undefined);
    const c = s.auth.issue({ role: 'organizer', subject: 'sato' });
    assert.deepEqual(s.auth.resolve(c), { role: 'organizer', subject: 'sato' });
    s.auth.revoke(c);
    assert.equal(s.auth.resolve(c), undefined);
    const d = s.auth.issue({ role: 'organizer', subject: 'sato' });
    assert.equal(s.auth.deleteUser('sato'), true);
    assert.equal(s.auth.deleteUser('sato'), false);
    assert.equal(s.auth.resolve(d), undefined);
    // a trainee token whose team is gone is worth nothing
    assert.equal(
      s.auth.resolve(s.auth.issue({ role: 'trainee', subject: 'x', exercise: 'gone', team: 't01' })),
      undefined,
    );
    assert.deepEqual(told, [{ subject: 'sato' }, { subject: 'sato' }, { token: c }, { subject: 'sato' }]);
    s.close();
  });

  it('reads an exercise as it is after every change, and a caller changing its copy changes nothing', () => {
    const s = openStore(dir);
    const id = 'sv-rows';
    s.exercises.create({ ...exercise, id, schedule: { end: '2026-11-29T12:00:00.000Z' } });
    const first = s.exercises.get(id);
    first.state = 'ended';
    first.schedule.end = 'tampered';
    assert.equal(s.exercises.get(id).state, 'created');
    assert.equal(s.exercises.get(id).schedule.end, '2026-11-29T12:00:00.000Z');
    s.exercises.transition(id, 'provisioning');
    assert.equal(s.exercises.get(id).state, 'provisioning');
    s.exercises.setSpeed(id, 4);
    assert.equal(s.exercises.find(id)?.speed, 4);
    assert.equal(s.exercises.team(id, 't01').name, 'A');
    assert.deepEqual(s.exercises.team(id, 't01').members, ['alice']);
    s.exercises.addMember(id, 't01', 'bob');
    assert.deepEqual(s.exercises.team(id, 't01').members, ['alice', 'bob']);
    s.exercises.team(id, 't01').members.push('mallory');
    s.exercises.teams(id)[0]!.members.push('mallory');
    assert.deepEqual(s.exercises.team(id, 't01').members, ['alice', 'bob'], 'a caller’s copy is its own');
    assert.deepEqual(
      s.exercises.team(id, 't02'),
      s.exercises.teams(id).find((t) => t.id === 't02'),
    );
    s.close();
    // another store on the same file sees what this one wrote
    const again = openStore(dir);
    assert.equal(again.exercises.get(id).speed, 4);
    again.close();
  });
});
