/** Runs scenario checks (containment, recovery, availability) in team ranges and logs value changes. */
export { Checker, knownChecks, checkKey, type CheckerOptions } from './checker.js';
