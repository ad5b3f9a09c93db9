/**
 * Who sees what: one projection per role for every payload that leaves the server
 * (REST answers, socket snapshots and deltas, exports). See docs/api.md, "Visibility".
 */
export * from './project.js';
export * from './trainee.js';
export * from './selfpaced.js';
