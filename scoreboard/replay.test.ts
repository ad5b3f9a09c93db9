import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { courseATruth } from './fixtures/course-a-truth.js';
import { loadGlossary } from './glossary.js';
import { loadRules } from './rules/load.js';
import { withRules } from './rules/schema.js';
import { describeItem } from './describe.js';
import { ScoreFold, computeScores, type ScoreContext } from './score.js';
import type { StoredEvent } from '../protocol/index.js';

const log = JSON.parse(readFileSync(new URL('./fixtures/course-a-log.json', import.meta.url), 'utf8')) as StoredEvent[];
const ctx: ScoreContext = { rules: loadRules('A'), truth: courseATruth, glossary: loadGlossary() };
const summary = (r: ReturnType<typeof computeScores>) =>
  r.map((t) => ({ team: t.team, total: t.total, rank: t.rank, ...t.phases }));

describe('replay of a recorded course A exercise (two teams)', () => {
  it('gives the recorded scores, the same twice', () => {
    // #14: the recorded reports name no recipient, so they are not held to plain words (t01 +2 raw);
    // t02's 「11月25日午前」 is no time (−2 raw) and its jargon is not charged either (+2 raw).
    // #18: t01's admin-disabled was first seen true (never false): a check the range was built with
    // earns nothing, also not as proactive containment when lateral was blocked (was 80)
    const expected = [
      { team: 't01', total: 250.47, rank: 1, detection: 27.5, response: 40, reporting: 153, recovery: 29.97 },
      { team: 't02', total: 33.36, rank: 2, detection: -5.09, response: 36.26, reporting: 9, recovery: -6.81 },
    ];
    assert.deepEqual(summary(computeScores(log, ctx)), expected);
    assert.deepEqual(computeScores(log, ctx), computeScores(structuredClone(log), ctx));
  });

  it('traces every point to the event behind it', () => {
    for (const t of computeScores(log, ctx)) {
      for (const i of t.items) {
        if (i.code === 'reporting.update.overdue') continue; // a deadline that passed has no event
        const ev = log.find((e) => e.seq === i.eventSeq);
        assert.ok(ev, `${t.team} ${i.code} has an event`);
        assert.ok(!('team' in ev) || ev.team === t.team, `${i.code} points at the team's own event`);
      }
      const sum = t.items.reduce((n, i) => n + i.points, 0);
      assert.ok(Math.abs(sum - t.total) < 0.02, `${t.team} items add up to the total`);
    }
    const t02 = computeScores(log, ctx).find((t) => t.team === 't02')!;
    assert.deepEqual(
      t02.items.filter((i) => i.code === 'detection.false-positive').map((i) => i.params.reason),
      ['no-match', 'not-happened-yet'],
    );
    assert.ok(
      !t02.items.some((i) => log.find((e) => e.seq === i.eventSeq)?.type === 'recovery.declared'),
      'declaring recovery earns nothing',
    );
  });

  it('replays a rule change over the finished exercise', () => {
    const changed = withRules(ctx.rules, { weights: { reporting: 1 }, detection: { falsePositivePenalty: 10 } });
    assert.deepEqual(summary(computeScores(log, { ...ctx, rules: changed })), [
      { team: 't01', total: 199.47, rank: 1, detection: 27.5, response: 40, reporting: 102, recovery: 29.97 },
      { team: 't02', total: 14.36, rank: 2, detection: -21.09, response: 36.26, reporting: 6, recovery: -6.81 },
    ]);
  });

  it('folding events one by one gives the batch result after every event', () => {
    const fold = new ScoreFold(ctx);
    for (let i = 0; i < log.length; i++) {
      fold.add(log[i]!);
      const now = log[i]!.at;
      assert.deepEqual(fold.scores(now), computeScores(log.slice(0, i + 1), { ...ctx, now }), `after event ${i + 1}`);
    }
  });

  it('an event appended late (older than events before it) is folded in time order', () => {
    // the checker's result for c2-blocked arrives after the report that followed it
    const idx = log.findIndex(
      (e) => e.type === 'check.result' && e.check === 'c2-blocked' && e.team === 't01' && e.passed,
    );
    const moved = [...log.slice(0, idx), ...log.slice(idx + 1), log[idx]!].map((e, i) => ({ ...e, seq: i + 1 }));
    const fold = new ScoreFold(ctx);
    for (const e of moved) fold.add(e);
    const batch = computeScores(moved, ctx);
    assert.deepEqual(fold.scores(), batch);
    assert.equal(batch.find((t) => t.team === 't01')!.phases.response, 40);
    // an exercise-wide event appended late folds the whole log again
    const pause = { exercise: 'e-a01', type: 'exercise.paused' as const, at: '2026-11-25T01:50:00Z' };
    const resume = { exercise: 'e-a01', type: 'exercise.resumed' as const, at: '2026-11-25T02:20:00Z' };
    const withPause = [...moved, { ...resume, seq: moved.length + 1 }, { ...pause, seq: moved.length + 2 }];
    const f2 = new ScoreFold(ctx);
    for (const e of withPause) f2.add(e);
    assert.deepEqual(f2.scores(), computeScores(withPause, ctx));
  });

  it('describes every item in both languages', () => {
    for (const t of computeScores(log, ctx)) {
      for (const i of t.items) {
        for (const lang of ['ja', 'en'] as const)
          assert.notEqual(describeItem(i, lang), i.code, `${i.code} has ${lang} text`);
      }
    }
    // plain words are asked of what the public reads: t02's first report as a notice to the public
    const toPublic = log.map((e) =>
      e.type === 'report.submitted' && e.team === 't02'
        ? { ...e, recipients: ['public' as const], channels: ['web' as const] }
        : e,
    );
    const t02 = computeScores(toPublic, ctx).find((t) => t.team === 't02')!;
    assert.equal(
      describeItem(
        t02.items.find((i) => i.code === 'reporting.jargon')!,
        'ja',
      ),
      '専門用語を平易な言葉に: C2サーバ → 攻撃者が遠隔操作に使うサーバ, 輻輳 → 通信の集中',
    );
  });
});
