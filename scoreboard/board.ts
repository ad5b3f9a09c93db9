/**
 * The board as each viewer may see it. Staff see live scores; after the freeze (a
 * `score.frozen` event, or the rules' minutes before the scheduled end) trainees see the
 * board as it stood at the freeze — their own breakdown, and the others' totals only if the
 * course shows the ranking.
 */
import type { EnshuEvent, StoredEvent } from '../protocol/index.js';
import { computeScores, isoZ, type ScoreContext, type TeamResult } from './score.js';

export interface Board {
  /** the moment the live scores are for */
  now: string;
  live: TeamResult[];
  /** when trainees' view froze, and the scores at that moment */
  frozenAt?: string;
  frozen?: TeamResult[];
  traineesSeeRanking: boolean;
}

export type Viewer = { role: 'instructor' | 'organizer' } | { role: 'trainee'; team: string };

/** When the board freezes for trainees: the first `score.frozen` event, else `endsAt` minus the rules' minutes. */
export function freezeTime(
  events: readonly (EnshuEvent | StoredEvent)[],
  ctx: Pick<ScoreContext, 'rules'> & { endsAt?: string },
): string | undefined {
  const ev = events
    .filter((e) => e.type === 'score.frozen')
    .map((e) => isoZ(e.at))
    .sort()[0];
  if (ev) return ev;
  const m = ctx.rules.visibility.freezeMinutesBeforeEnd;
  if (!m || !ctx.endsAt) return undefined;
  return new Date(Date.parse(ctx.endsAt) - m * 60_000).toISOString();
}

/** Live scores, and the frozen ones once the freeze time has come (by `now`). */
export function computeBoard(
  events: readonly (EnshuEvent | StoredEvent)[],
  ctx: Omit<ScoreContext, 'frozenAt'> & { endsAt?: string },
): Board {
  const now = isoZ(
    ctx.now ??
      events
        .map((e) => isoZ(e.at))
        .sort()
        .at(-1) ??
      new Date(0).toISOString(),
  );
  const live = computeScores(events, { ...ctx, now });
  const freeze = freezeTime(events, ctx);
  const board: Board = { now, live, traineesSeeRanking: ctx.rules.visibility.traineesSeeRanking };
  if (freeze && freeze <= now) {
    board.frozenAt = freeze;
    board.frozen = computeScores(events, { ...ctx, now, frozenAt: freeze });
  }
  return board;
}

export interface VisibleBoard {
  now: string;
  frozenAt?: string;
  /** the viewer's own team first for trainees; others without their breakdown */
  teams: (TeamResult | Omit<TeamResult, 'items'>)[];
}

export function visibleBoard(board: Board, viewer: Viewer): VisibleBoard {
  if (viewer.role !== 'trainee') return { now: board.now, teams: board.live };
  const scores = board.frozen ?? board.live;
  const own = scores.filter((s) => s.team === viewer.team);
  const others = board.traineesSeeRanking
    ? scores.filter((s) => s.team !== viewer.team).map(({ items: _items, ...rest }) => rest)
    : [];
  return { now: board.now, ...(board.frozenAt ? { frozenAt: board.frozenAt } : {}), teams: [...own, ...others] };
}
