import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { StoredEvent } from '../../protocol/index.js';
import { pageText, publishingTeams } from './notice.js';

describe('the public notice watcher', () => {
  it('reads a page as a visitor does: no tags, scripts or styles, entities and spaces folded', () => {
    const html =
      '<html><head><style>p{color:red}</style><script>var x = "<p>no</p>";</script></head>' +
      '<body><h1>お知らせ</h1>\n<p>復旧見通し:&nbsp;本日17時</p><p>A &amp; B &lt;3</p></body></html>';
    assert.equal(pageText(html), 'お知らせ 復旧見通し: 本日17時 A & B <3');
  });
  it('looks only at the sites of teams that published a report to the public on the web', () => {
    const report = (team: string, recipients: string[], channels: string[], seq: number) =>
      ({
        seq,
        exercise: 'x',
        at: '2026-06-01T00:00:00Z',
        type: 'report.submitted',
        team,
        id: `r${seq}`,
        by: 'u',
        kind: 'first',
        language: 'ja',
        fields: { occurredAt: '', affected: '', cause: '', outlook: '', alternatives: '', actions: '' },
        recipients,
        channels,
      }) as StoredEvent;
    const log = [
      report('t01', ['public'], ['web'], 1),
      report('t02', ['public'], ['sns'], 2),
      report('t03', ['authority'], ['web'], 3),
    ];
    assert.deepEqual([...publishingTeams(log)], ['t01']);
  });
});
