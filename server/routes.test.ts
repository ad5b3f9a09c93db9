import { strict as assert } from 'node:assert';
import { it } from 'vitest';
import { assertJsonDepth, MAX_JSON_DEPTH } from './routes.js';

const depth = (n: number) => Buffer.from('['.repeat(n) + ']'.repeat(n));

it('lets JSON nest up to the limit and refuses deeper with a 400', () => {
  assertJsonDepth(depth(MAX_JSON_DEPTH));
  assert.throws(
    () => assertJsonDepth(depth(MAX_JSON_DEPTH + 1)),
    (e: Error & { status?: number }) => e.status === 400 && /nested deeper than 32/.test(e.message),
  );
  assert.throws(() => assertJsonDepth(Buffer.from('{"a":{"b":{"c":[1]}}}'), 3));
  assertJsonDepth(Buffer.from('{"a":{"b":[1]}}'), 3);
});

it('does not count brackets inside strings, escaped quotes included', () => {
  assertJsonDepth(Buffer.from(JSON.stringify({ s: '[[[[{{{{'.repeat(100), t: 'a\\"[[[[' })), 2);
  assertJsonDepth(Buffer.from(JSON.stringify(['\\', '[[[[[[[['])), 1);
});
