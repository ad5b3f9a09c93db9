/**
 * core — the bottom of enshu: typed errors, YAML loading with `file:line:col` positions, paths,
 * ids and Docker names, the seeded per-team facts, the ground-truth model, small async helpers
 * and the logger. It imports only the protocol's vocabulary; every other room builds on it.
 */
export * from './errors.js';
export { loadYamlFile, parseYamlText } from './yaml.js';
export { repoRoot, topologiesDir, rolesDir, cacheDir } from './paths.js';
export * from './ids.js';
export * from './facts.js';
export type * from './truth.js';
export { mapLimit, retryUntil, sleep, type RetryUntilOptions } from './async.js';
export {
  buildLogger,
  createLogger,
  logSettings,
  rootLogger,
  type LogFormat,
  type LogSettings,
  type Logger,
} from './logger.js';
