/** Trainee access into ranges: the SSH gateway and the browser-terminal namespace. */
export {
  AccessDeniedError,
  mayOpen,
  resolveShell,
  allowedUsers,
  nodeAccounts,
  traineeAccess,
  visibleToTrainees,
  type Asker,
  type GatewayDeps,
  type TeamRef,
  type ShellTarget,
} from './access.js';
export {
  startSshGateway,
  parseLogin,
  DEFAULT_SSH_PORT,
  type SshGateway,
  type SshGatewayOptions,
} from './ssh-server.js';
export { attachTerminalNamespace, type TerminalNamespaceOptions } from './terminal-namespace.js';
export { AttemptThrottle, DEFAULT_THROTTLE, type ThrottleLimits } from './throttle.js';
export { loadOrCreateHostKey, HOST_KEY_FILE } from './host-key.js';
export { gatewayDepsFromStore } from './store-deps.js';
export { accessRoutes, type RangeView, type RangeNodeView, type LogLine } from './routes.js';
export {
  attachTraineeAccess,
  accessRouteFactory,
  WEB_DIST,
  type AccessOptions,
  type AttachedAccess,
} from './attach.js';
