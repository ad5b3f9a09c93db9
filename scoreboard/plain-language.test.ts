import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { checkPlainLanguage } from '../protocol/index.js';
import { loadGlossary } from './glossary.js';

const glossary = loadGlossary();

describe('plain-language check', () => {
  it('flags Japanese jargon with the plain word and its position', () => {
    const text = '回線の輻輳により流量規制を実施しました。';
    const hits = checkPlainLanguage(text, 'ja', glossary);
    assert.deepEqual(
      hits.map((h) => [h.found, h.plain]),
      [
        ['輻輳', '通信の集中'],
        ['流量規制', '通信の制限'],
      ],
    );
    assert.equal(text.slice(hits[0]!.index, hits[0]!.index + hits[0]!.length), '輻輳');
  });
  it('flags English jargon as whole words in any case, plurals included, longest first', () => {
    const hits = checkPlainLanguage('We saw Lateral Movement and beacons to two C2 servers.', 'en', glossary);
    assert.deepEqual(
      hits.map((h) => [h.found, h.term]),
      [
        ['Lateral Movement', 'lateral movement'],
        ['beacons', 'beacon'],
        ['C2 servers', 'C2 server'],
      ],
    );
    assert.equal(hits[2]!.plain, "the attacker's control server");
    assert.deepEqual(checkPlainLanguage('The AC2B unit and malwarebytes are fine.', 'en', glossary), []);
  });
  it('checks English terms inside Japanese text, keeping the longer Japanese term', () => {
    const hits = checkPlainLanguage('C2サーバへの通信とC2の痕跡', 'ja', glossary);
    assert.deepEqual(
      hits.map((h) => h.found),
      ['C2サーバ', 'C2'],
    );
  });
  it('finds nothing in a plain report', () => {
    assert.deepEqual(
      checkPlainLanguage('外部からの不審な通信を止めました。電話窓口をご利用ください。', 'ja', glossary),
      [],
    );
  });
  it('reports a broken glossary file at its line and column', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'enshu-glossary-')), 'g.yaml');
    writeFileSync(f, 'ja:\n  - { term: 輻輳 }\nen: []\n');
    assert.throws(
      () => loadGlossary(f),
      (e: Error) => e.message.startsWith(`${f}:2:5: ja.0.plain:`),
    );
  });
});
