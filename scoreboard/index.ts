/** Public surface of the scoreboard: the event log model, ground truth, and scoring rules. */
export * from './events.js';
export * from './truth.js';
