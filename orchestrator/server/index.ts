/** The exercise server: REST + socket.io over the event store (enshu serve). */
export { createExerciseServer, type ExerciseServer, type ServerOptions } from './app.js';
export { bootstrapAdmin } from './bootstrap.js';
export { openApiDocument, type RouteSpec } from './routes.js';
export { RateLimiter } from './rate-limit.js';
export type { AttackPort, AttackRunnerLike, ScoringPort, TeamScore, Phase } from './ports.js';
export type { ReportingPort, ExerciseResult } from './results.js';
export type * from './socket-events.js';
export { room } from './socket-events.js';
