import { stringify } from 'yaml';
import type { TeamPlan } from '../topology/plan.js';

/**
 * The same team ranges as a docker-compose (file format 2.4) project: same images, addresses,
 * capabilities and sysctls. Used to compare provisioning against compose; compose cannot add
 * enshu's host isolation rules, so such a project is for measurement, not for trainees.
 */
export function composeProject(plans: TeamPlan[], image: (role: string) => string, sysctls: (role: string) => Record<string, string>, caps: (role: string) => string[], prefix = 'cmp'): string {
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
      const accounts = node.accounts.map((a) => `${a.user}\t${a.sudo ? 1 : 0}\t${a.password}`).map((l) => `${l}\n`).join('');
      services[`${prefix}-${node.containerName}`] = {
        image: image(node.role),
        container_name: `${prefix}-${node.containerName}`,
        hostname: node.name,
        cap_add: [...new Set(['NET_ADMIN', ...node.capabilities, ...caps(node.role)])].sort(),
        sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1', ...sysctls(node.role) },
        environment: {
          ENSHU_EXERCISE: plan.exercise,
          ENSHU_TEAM: plan.team,
          ENSHU_NODE: node.name,
          ...(node.gatewayIp ? { ENSHU_GATEWAY: node.gatewayIp } : {}),
          ...(accounts ? { ENSHU_ACCOUNTS_B64: Buffer.from(accounts).toString('base64') } : {}),
          ...node.env,
        },
        networks: Object.fromEntries(node.interfaces.map((i) => [`${prefix}-${i.network}`, { ipv4_address: i.ip }])),
      };
    }
  }
  return stringify({ version: '2.4', services, networks });
}
