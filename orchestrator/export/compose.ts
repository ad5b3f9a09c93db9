import { stringify } from 'yaml';
import type { PlannedNode, TeamPlan } from '../topology/plan.js';
import { nodeCapabilities, nodeEnv, nodeSysctls } from '../lifecycle/node-config.js';
import { nodeLimits } from '../lifecycle/limits.js';

/**
 * Compose interpolates `$NAME` and `${NAME}` in values, and rejects a lone `$` (a seeded password
 * such as `Momiji3393$` broke the whole file); `$$` is its escape for a literal dollar sign.
 */
export function composeEscape(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll('$', '$$$$')]));
}

/**
 * The same team ranges as a docker-compose (file format 2.4) project: same images, addresses,
 * capabilities and sysctls. Used to compare provisioning against compose; compose cannot add
 * enshu's host isolation rules, so such a project is for measurement, not for trainees.
 */
export function composeProject(
  plans: TeamPlan[],
  image: (role: string) => string,
  imageLabels: (role: string) => Record<string, string>,
  prefix = 'cmp',
): string {
  const services: Record<string, unknown> = {};
  const networks: Record<string, unknown> = {};
  for (const plan of plans) {
    for (const n of plan.networks) {
      networks[`${prefix}-${n.name}`] = {
        driver: 'bridge',
        internal: true,
        driver_opts: { 'com.docker.network.bridge.name': `c${n.bridge.slice(1)}` },
        ipam: { config: [{ subnet: n.subnet, gateway: n.hostGateway }] },
      };
    }
    for (const node of plan.nodes) {
      services[`${prefix}-${node.containerName}`] = {
        image: image(node.role),
        container_name: `${prefix}-${node.containerName}`,
        hostname: node.name,
        cap_add: nodeCapabilities(node, imageLabels(node.role)),
        sysctls: nodeSysctls(imageLabels(node.role)),
        environment: composeEscape(nodeEnv(plan, node)),
        networks: Object.fromEntries(node.interfaces.map((i) => [`${prefix}-${i.network}`, { ipv4_address: i.ip }])),
        ...composeLimits(node),
      };
    }
  }
  return stringify({ version: '2.4', services, networks });
}

/** The same caps as enshu's own containers (compose file format 2.4 keys). */
function composeLimits(node: PlannedNode) {
  const l = nodeLimits(node);
  return { mem_limit: `${l.memoryMiB}m`, memswap_limit: `${l.memoryMiB}m`, pids_limit: l.pids, cpus: l.cpus };
}
