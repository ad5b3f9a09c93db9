import { createHash } from 'node:crypto';
import { ConfigError, containerName, networkName, teamFacts } from '../../core/index.js';
import { EXERCISE_ID_PATTERN } from '../../protocol/index.js';
import {
  contains,
  formatCidr,
  formatIPv4,
  hostAt,
  lastUsableHost,
  parseCidr,
  parseIPv4,
  type Cidr,
} from './address.js';
import type { Segment, Topology } from './schema.js';
import { applyServices } from './services.js';
import type { PlannedInterface, PlannedNetwork, PlannedNode, TeamPlan } from './plan-types.js';

export function renderTemplate(template: string, slot: number): string {
  return template.replaceAll('{team}', String(slot));
}

export function segmentCidr(segment: Segment, slot: number): Cidr | undefined {
  return parseCidr(renderTemplate(segment.subnet, slot));
}

/** Address of an interface for the given slot, or a reason it has none. */
export function interfaceAddress(
  segment: Segment,
  address: number | string,
  slot: number,
): { ip: number } | { error: string } {
  const cidr = segmentCidr(segment, slot);
  if (!cidr) return { error: `subnet "${segment.subnet}" is not a valid IPv4 network for team slot ${slot}` };
  let ip: number | undefined;
  if (typeof address === 'number') {
    ip = hostAt(cidr, address);
    if (ip === undefined)
      return { error: `host number ${address} is outside ${formatCidr(cidr)} or is its network/broadcast address` };
  } else {
    ip = parseIPv4(renderTemplate(address, slot));
    if (ip === undefined) return { error: `"${address}" is not a valid address template` };
    if (!contains(cidr, ip) || ip === cidr.network || ip === cidr.network + 2 ** (32 - cidr.prefix) - 1) {
      return { error: `${formatIPv4(ip)} is not a usable address of ${formatCidr(cidr)}` };
    }
  }
  const bridge = bridgeAddress(segment, cidr);
  if (ip === bridge)
    return { error: `${formatIPv4(ip)} is the host bridge address of segment ${segment.name}; it is never a node's` };
  return { ip };
}

export function bridgeAddress(segment: Segment, cidr: Cidr): number {
  return cidr.network + (segment.bridgeHost ?? lastUsableHost(cidr));
}

export type { PlannedInterface, PlannedNetwork, PlannedNode, TeamPlan };

/** Linux limits interface names to 15 characters; a hash keeps them short and unique. */
export function bridgeName(exercise: string, team: string, segment: string): string {
  return 'es' + createHash('sha256').update(`${exercise}/${team}/${segment}`).digest('hex').slice(0, 10);
}

/**
 * Concrete networks and nodes for one team. `slot` is the number put in `{team}`:
 * the team number plus the exercise's address offset, so two exercises on one engine never overlap.
 */
export function planTeam(
  topology: Topology,
  exercise: string,
  team: string,
  slot: number,
  opts: { seed?: string } = {},
): TeamPlan {
  if (!EXERCISE_ID_PATTERN.test(exercise)) {
    throw new ConfigError(`exercise id "${exercise}" must be 1-20 lower-case letters, digits or "-"`, { exercise });
  }
  const segments = new Map(topology.segments.map((s) => [s.name, s]));
  const networks: PlannedNetwork[] = topology.segments.map((s) => {
    const cidr = segmentCidr(s, slot);
    if (!cidr) {
      throw new ConfigError(
        `segment ${s.name}: subnet "${s.subnet}" gives no valid network for team slot ${slot} (an octet above 255?)`,
        { exercise, team },
      );
    }
    return {
      segment: s.name,
      purpose: s.purpose,
      name: networkName(exercise, team, s.name),
      bridge: bridgeName(exercise, team, s.name),
      subnet: formatCidr(cidr),
      hostGateway: formatIPv4(bridgeAddress(s, cidr)),
    };
  });
  const nodeIps = new Map<string, Map<string, string>>();
  const nodes: PlannedNode[] = topology.nodes.map((n) => {
    const ips = new Map<string, string>();
    const interfaces = n.interfaces.map((i) => {
      const seg = segments.get(i.segment)!;
      const a = interfaceAddress(seg, i.address, slot);
      if ('error' in a) throw new ConfigError(`node ${n.name}: ${a.error}`, { exercise, team, node: n.name });
      ips.set(i.segment, formatIPv4(a.ip));
      return { segment: i.segment, network: networkName(exercise, team, i.segment), ip: formatIPv4(a.ip) };
    });
    nodeIps.set(n.name, ips);
    return {
      name: n.name,
      role: n.role,
      ...(n.title ? { title: n.title } : {}),
      containerName: containerName(exercise, team, n.name),
      interfaces,
      capabilities: n.capabilities,
      // Addresses of other nodes differ per team, so env values take the same {team} template.
      env: Object.fromEntries(Object.entries(n.env).map(([k, v]) => [k, renderTemplate(v, slot)])),
      accounts: n.accounts.map((a) => ({ ...a })),
      ...(n.health ? { health: n.health } : {}),
      ...(n.memoryMiB ? { memoryMiB: n.memoryMiB } : {}),
      ...(n.limits ? { limits: { ...n.limits } } : {}),
    };
  });
  for (const [i, n] of topology.nodes.entries()) {
    if (n.gateway === 'none') continue;
    const gwIps = nodeIps.get(n.gateway)!;
    const shared = n.interfaces.find((i) => gwIps.has(i.segment))!;
    nodes[i]!.gatewayIp = gwIps.get(shared.segment)!;
  }
  const seed = opts.seed ?? exercise;
  const plan: TeamPlan = { exercise, team, slot, seed, networks, nodes };
  // Same seed and team, same facts: a reset or a later `up` plans exactly this range again.
  applyServices(topology, plan, teamFacts(seed, team, topology.domain));
  return plan;
}
