/** Runs scenario checks (containment, recovery, availability) in team ranges and logs value changes. */
export { Checker, knownChecks, stepsDone, checkKey, type CheckerOptions } from './checker.js';
export { PROBE_DSCP } from './probes.js';
export { NoticeWatcher, pageText, publishingTeams, type NoticeWatcherOptions } from './notice.js';
