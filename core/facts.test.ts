import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEPARTMENTS, STAFF_PER_DEPARTMENT, teamFacts } from './facts.js';

test('facts are deterministic for a seed and team', () => {
  const a = teamFacts('seed-1', 't01');
  const b = teamFacts('seed-1', 't01');
  assert.deepEqual(a.staff, b.staff);
  assert.deepEqual(a.documents, b.documents);
  assert.equal(a.secret('pc-admin'), b.secret('pc-admin'));
  assert.equal(a.teamSeed, b.teamSeed);
});

test('each team and each seed gets its own staff, passwords and documents', () => {
  const t1 = teamFacts('seed-1', 't01');
  const t2 = teamFacts('seed-1', 't02');
  const other = teamFacts('seed-2', 't01');
  for (const x of [t2, other]) {
    assert.notDeepEqual(
      x.staff.map((s) => s.password),
      t1.staff.map((s) => s.password),
    );
    assert.notDeepEqual(
      x.staff.map((s) => s.user),
      t1.staff.map((s) => s.user),
    );
    assert.notDeepEqual(
      x.documents.map((d) => d.body),
      t1.documents.map((d) => d.body),
    );
    assert.notEqual(x.secret('pc-admin'), t1.secret('pc-admin'));
    assert.notEqual(x.teamSeed, t1.teamSeed);
  }
});

test('staff are complete and unique: every department staffed, user names valid', () => {
  const f = teamFacts('s', 't07', 'corp.enshu.example');
  assert.equal(f.staff.length, DEPARTMENTS.length * STAFF_PER_DEPARTMENT);
  assert.equal(new Set(f.staff.map((s) => s.user)).size, f.staff.length);
  for (const s of f.staff) {
    assert.match(s.user, /^[a-z][a-z0-9]{1,30}$/);
    assert.match(s.password, /^[A-Z][a-z]+\d{4}[!#$%&+]$/);
    assert.equal(s.email, `${s.user}@corp.enshu.example`);
  }
  for (const d of DEPARTMENTS) assert.equal(f.staff.filter((s) => s.department === d.id).length, STAFF_PER_DEPARTMENT);
});
