import { nodeEnv } from './node-config.js';
import { startOrder } from './start-order.js';
import type { PlannedNode, TeamPlan } from '../topology/plan-types.js';

/** Variables that point a node's own activity (the staff simulator) at the organisation's servers. */
const ACTOR_TARGETS = ['ENSHU_MAIL', 'ENSHU_FILE', 'ENSHU_ORDERS', 'ENSHU_AD', 'ENSHU_PROXY'];

export interface ResetOrder {
  /** old containers go in this order */
  removal: PlannedNode[];
  /** new containers are started in this order (slow roles first, as in `up`) */
  start: PlannedNode[];
  /** the nodes whose old containers must be gone before a node's new one starts (itself included) */
  after: Map<string, string[]>;
}

/**
 * In which order a reset removes a team's old containers and starts the new ones, so that old and
 * new nodes never meet although the new ones start while old ones are still being removed:
 * - the SOC gets every node's logs (syslog forwards over TCP and retries until it answers): an old
 *   node still running would fill a fresh SOC with lines from before the reset, and a new node would
 *   send its first lines to the old SOC. It goes first and starts once every old node is gone;
 * - the staff PCs act on the servers on their own (logons, mail, files, orders): they go right after
 *   the SOC, and start once every old node is gone (they are quick and start last anyway);
 * - every other node (the servers, the DC first) starts once its own old container, the SOC's and
 *   the staff PCs' are gone: the DC's boot, the longest, no longer waits for the whole team's removal.
 * With `nodes` a subset of the team (a node reset), only those nodes are ordered and waited for.
 */
export function resetOrder(plan: TeamPlan, nodes: PlannedNode[]): ResetOrder {
  const start = startOrder(nodes.map((node) => ({ node }))).map((w) => w.node);
  const env = new Map(plan.nodes.map((n) => [n.name, nodeEnv(plan, n)]));
  const socIps = new Set([...env.values()].map((e) => e.ENSHU_SOC).filter((ip): ip is string => !!ip));
  const sink = (n: PlannedNode) => n.interfaces.some((i) => socIps.has(i.ip));
  const actor = (n: PlannedNode) => !sink(n) && ACTOR_TARGETS.some((k) => env.get(n.name)![k]);
  const sinks = start.filter(sink);
  const actors = start.filter(actor);
  const removal = [...sinks, ...actors, ...start.filter((n) => !sink(n) && !actor(n))];
  const all = removal.map((n) => n.name);
  const first = [...sinks, ...actors].map((n) => n.name);
  const after = new Map(
    start.map((n) => [n.name, sink(n) || actor(n) ? all : [...new Set([...first, n.name])]] as const),
  );
  return { removal, start, after };
}
