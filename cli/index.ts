/**
 * cli — the `enshu` command: range commands (images, up, status, reset, down, topology), the
 * pseudo-attacker (`enshu attack …`) and `enshu serve`. Composes the other rooms; nothing imports it
 * but `bin/enshu.mjs` and the tests that run it.
 */
export { main } from './main.js';
export { DEFAULT_SCENARIO, renderPlan } from './attack.js';
