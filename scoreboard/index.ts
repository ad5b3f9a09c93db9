/** Public surface of the scoreboard: the event log model, ground truth, and scoring rules. */
export * from './events.js';
export * from './truth.js';
export { RulesSchema, RulesOverrideSchema, DecaySchema, mergeRules, withRules, type Rules, type RulesInput, type RulesOverride } from './rules/schema.js';
export { loadRules, listRules, rulesDir } from './rules/load.js';
export { decayFactor } from './decay.js';
export { normalizeIndicator, normalizeIp, normalizeDomain, normalizeUrl, normalizeHash, indicatorMatches, type IndicatorLike } from './normalize.js';
export { checkPlainLanguage, distinctTerms, GlossarySchema, GlossaryEntrySchema, type Glossary, type GlossaryEntry, type JargonHit } from './plain-language.js';
export { loadGlossary } from './glossary.js';
export { computeScores, foldEvent, finish, emptyState, sortEvents, ScoreFold, PHASES, type Phase, type ScoreItem, type TeamResult, type ScoreContext, type ScoreState, type ReasonParams } from './score.js';
export { computeBoard, visibleBoard, freezeTime, type Board, type Viewer, type VisibleBoard } from './board.js';
export { describeItem, REASON_CODES } from './describe.js';
export { fiscalYear, aggregateResults, statsCsv, resultsCsv, resultsJson, resultRows, toCsv, type ExerciseResultInput, type CourseYearStats } from './organizers.js';
export { teamTimeline, type TimelineEntry, type TimelineLane } from './timeline.js';
