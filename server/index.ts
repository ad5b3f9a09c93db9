/**
 * server — the exercise server (`enshu serve`): REST and socket.io over the event store, the
 * checker that runs containment and recovery checks in the ranges, the SSH gateway and browser
 * terminals, and the composition root (`wiring.ts`) that binds the range, the attacker and the
 * scoring rules together. The top of the stack beside the CLI.
 */
export {
  createExerciseServer,
  trustProxySetting,
  securityHeaders,
  type ExerciseServer,
  type ServerOptions,
} from './app.js';
export { bootstrapAdmin, warnDemoPasswords, DEMO_WARNING } from './bootstrap.js';
export { authRoutes, authLimiters, type AuthLimits } from './auth-routes.js';
export { openApiDocument, type RouteSpec } from './routes.js';
export { RateLimiter, FailureLimiter, FAILURE_LIMITS, clientAddress } from './rate-limit.js';
export { attackPort, scoringPort, reportingPort } from './wiring.js';
export { serve, isLoopback } from './serve.js';
export type { AttackPort, AttackRunnerLike, ScoringPort } from './ports.js';
export type { ReportingPort } from './results.js';
export { openStore, DB_FILE, type Store } from './store/index.js';
export { Checker, knownChecks } from './checker/index.js';
export {
  startSshGateway,
  parseLogin,
  DEFAULT_SSH_PORT,
  attachTerminalNamespace,
  loadOrCreateHostKey,
  HOST_KEY_FILE,
  gatewayDepsFromStore,
  accessRoutes,
  attachTraineeAccess,
  accessRouteFactory,
  WEB_DIST,
  mayOpen,
  resolveShell,
  AccessDeniedError,
  type GatewayDeps,
  type SshGateway,
  type AttachedAccess,
} from './gateway/index.js';
export { SelfPacedService, type SelfPacedOptions } from './selfpaced/index.js';
