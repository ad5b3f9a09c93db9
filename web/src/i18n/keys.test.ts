import { test } from 'vitest';
import assert from 'node:assert/strict';
import { en } from './en.js';
import { ja } from './ja.js';

// The type makes ja.ts hold every English key; this also catches keys only Japanese has (left over
// after a rename) and words docs/terminology.md rules out.
test('the ja and en dictionaries have the same keys', () => {
  const [j, e] = [Object.keys(ja).sort(), Object.keys(en).sort()];
  assert.deepEqual(
    j.filter((k) => !e.includes(k)),
    [],
    'keys only in ja.ts',
  );
  assert.deepEqual(
    e.filter((k) => !j.includes(k)),
    [],
    'keys only in en.ts',
  );
});

test('Japanese follows the terminology table (docs/terminology.md)', () => {
  const banned = ['防がれた', '飛ばした', '飛ばす', '親技術', '最終報告', '回復の見通し', '回復を報告'];
  for (const [k, v] of Object.entries(ja)) for (const w of banned) assert.ok(!v.includes(w), `${k}: 「${w}」`);
  assert.equal(ja['report.kind.first'], '第一報');
  assert.equal(ja['report.kind.update'], '続報');
  assert.equal(ja['report.kind.final'], '最終報');
  assert.equal(ja['report.outlook'], '復旧見通し');
  assert.equal(ja['report.alternatives'], '代替手段とその利用方法');
});
