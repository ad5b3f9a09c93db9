import type { PlannedNode, TeamPlan } from '../topology/plan.js';

/**
 * What a node's container gets besides its image: the environment `enshu-init` reads, the
 * capabilities and the sysctls. One definition for enshu's own containers and for the
 * docker-compose export, so both build the same node.
 */
export function nodeEnv(plan: TeamPlan, node: PlannedNode): Record<string, string> {
  // One line per account, each ending in a newline: enshu-init's `while read` skips an unterminated last line.
  const accounts = node.accounts.map((a) => `${a.user}\t${a.sudo ? 1 : 0}\t${a.password}\n`).join('');
  return {
    ENSHU_EXERCISE: plan.exercise,
    ENSHU_TEAM: plan.team,
    ENSHU_NODE: node.name,
    ...(node.gatewayIp ? { ENSHU_GATEWAY: node.gatewayIp } : {}),
    ...(accounts ? { ENSHU_ACCOUNTS_B64: Buffer.from(accounts).toString('base64') } : {}),
    ...node.env,
  };
}

/** NET_ADMIN lets the node's start-up point its default route at the FW; non-routers drop it after. */
export function nodeCapabilities(node: PlannedNode, imageLabels: Record<string, string>): string[] {
  const fromImage = (imageLabels['enshu.capabilities'] ?? '').split(',').filter(Boolean);
  return [...new Set(['NET_ADMIN', ...node.capabilities, ...fromImage])].sort();
}

/** IPv6 is off in every range; roles add their own (e.g. the FW's ip_forward) through an image label. */
export function nodeSysctls(imageLabels: Record<string, string>): Record<string, string> {
  const sysctls: Record<string, string> = {
    'net.ipv6.conf.all.disable_ipv6': '1',
    'net.ipv6.conf.default.disable_ipv6': '1',
  };
  for (const s of (imageLabels['enshu.sysctls'] ?? '').split(',').filter(Boolean)) {
    const [k, v] = s.split('=');
    if (k && v !== undefined) sysctls[k] = v;
  }
  return sysctls;
}
