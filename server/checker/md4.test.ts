import assert from 'node:assert/strict';
import { test } from 'vitest';
import { md4, ntHash } from './md4.js';

test('MD4 matches RFC 1320’s test suite and Samba’s NT hash', () => {
  const hex = (s: string) => md4(Buffer.from(s)).toString('hex');
  assert.equal(hex(''), '31d6cfe0d16ae931b73c59d7e0c089c0');
  assert.equal(hex('abc'), 'a448017aaf21d8525fc10ae87aa6729d');
  assert.equal(hex('message digest'), 'd9130a8164549fe818874806e1c7014b');
  assert.equal(hex('1234567890'.repeat(8)), 'e33b4ddc9c38f2199c3e7b164fcc0536');
  assert.equal(ntHash('password'), '8846F7EAEE8FB117AD06BDD830B7586C');
});
