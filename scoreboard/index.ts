/**
 * scoreboard — the scoring rules: a pure fold over the event log into each team's detection,
 * response, reporting and recovery score, the course rules and glossary, the board and its
 * freeze, the after-action timeline and the organizers' statistics. Over core and protocol only:
 * no engine, no server, testable without Docker.
 */
export {
  RulesSchema,
  RulesOverrideSchema,
  DecaySchema,
  mergeRules,
  withRules,
  type Rules,
  type RulesInput,
  type RulesOverride,
} from './rules/schema.js';
export { loadRules, listRules, rulesDir } from './rules/load.js';
export { decayFactor } from './decay.js';
export {
  normalizeIndicator,
  normalizeIp,
  normalizeDomain,
  normalizeUrl,
  normalizeHash,
  indicatorMatches,
  type IndicatorLike,
} from './normalize.js';
export { loadGlossary } from './glossary.js';
export {
  computeScores,
  computeDeadlines,
  foldEvent,
  finish,
  emptyState,
  sortEvents,
  ScoreFold,
  type ScoreItem,
  type TeamResult,
  type ScoreContext,
  type ScoreState,
  type ReasonParams,
} from './score.js';
export { computeBoard, visibleBoard, freezeTime, type Board, type Viewer, type VisibleBoard } from './board.js';
export { describeItem, REASON_CODES } from './describe.js';
export {
  fiscalYear,
  aggregateResults,
  statsCsv,
  resultsCsv,
  resultsJson,
  resultRows,
  toCsv,
  type ExerciseResultInput,
  type CourseYearStats,
} from './organizers.js';
export { teamTimeline } from './timeline.js';
export { parseOccurredAt, pageShows, clockStart } from './reporting.js';
export { exerciseMinutes, addExerciseMinutes, type SpeedChange } from './clock.js';
export { parseYearlyCsv, liveYearlyRows, yearlyTable, yearlyCsv, YearlyCsvError } from './yearly.js';
export { injectReaction, type InjectReaction } from './injects.js';
