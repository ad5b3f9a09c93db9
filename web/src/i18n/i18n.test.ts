import { test } from 'vitest';
import assert from 'node:assert/strict';
import { browserLang, duration, format } from './index.js';
import { en } from './en.js';
import { ja } from './ja.js';

test('the language follows the browser, Japanese or English, English otherwise', () => {
  assert.equal(browserLang(['ja-JP', 'en-US']), 'ja');
  assert.equal(browserLang(['fr-FR', 'en-GB']), 'en');
  assert.equal(browserLang(['de-DE']), 'en');
});

test('both catalogues fill the same placeholders, and Japanese is really translated', () => {
  const holes = (s: string) =>
    [...s.matchAll(/\{(\w+)\}/g)]
      .map((m) => m[1])
      .sort()
      .join(',');
  let same = 0;
  for (const k of Object.keys(en) as (keyof typeof en)[]) {
    assert.ok(ja[k].trim(), `ja ${k} is empty`);
    assert.equal(holes(ja[k]), holes(en[k]), `placeholders of ${k}`);
    if (ja[k] === en[k]) same++;
  }
  assert.ok(same <= 2, `${same} strings are left in English in ja.ts`);
  assert.equal(format('ja', 'report.firstDue', { time: '12:00' }), '第一報の期限まで あと 12:00');
  assert.equal(format('en', 'map.team', { team: 't02' }), 'Team t02');
});

test('countdowns read as m:ss or h:mm:ss', () => {
  assert.equal(duration(61_000), '1:01');
  assert.equal(duration(3_600_000 + 5_000), '1:00:05');
  assert.equal(duration(-5), '0:00');
});
