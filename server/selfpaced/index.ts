/** Self-paced mode: windows, seats, the on-demand range queue and its REST routes. */
export { SelfPacedService, type SelfPacedOptions, type OpenWindow } from './service.js';
export { selfPacedRoutes, OpenWindowBody, RegisterBody } from './routes.js';
