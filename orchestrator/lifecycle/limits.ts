import type { PlannedNode } from '../topology/plan-types.js';

/** What one node may take: memory (no swap beyond it), processes and CPU. */
export interface NodeLimits {
  memoryMiB: number;
  pids: number;
  cpus: number;
}

/**
 * Every node runs a shell a trainee (often root) can use, so every node gets caps: a fork bomb
 * stops at its pids limit, a memory hog is killed by the OOM killer inside its own node, and no
 * node takes more than one core. A cyder-standard team's 18 nodes hold about 425 MiB at rest
 * (docs/performance.md), so the caps leave every service several times its share. A topology
 * raises or lowers them per node (`limits:`, or the older `memoryMiB:`).
 */
export const DEFAULT_LIMITS: NodeLimits = { memoryMiB: 256, pids: 512, cpus: 1 };

/** Roles whose services hold more: Samba AD, the mail server with its mailboxes, the SOC's search. */
export const ROLE_LIMITS: Record<string, Partial<NodeLimits>> = {
  ad: { memoryMiB: 512, pids: 1024 },
  mail: { memoryMiB: 384 },
  soc: { memoryMiB: 512 },
};

export function nodeLimits(node: Pick<PlannedNode, 'role' | 'memoryMiB' | 'limits'>): NodeLimits {
  return {
    ...DEFAULT_LIMITS,
    ...ROLE_LIMITS[node.role],
    ...(node.memoryMiB ? { memoryMiB: node.memoryMiB } : {}),
    ...node.limits,
  };
}

/** The node's limits as container spec fields. */
export function nodeLimitsSpec(node: PlannedNode): { memoryMiB: number; pidsLimit: number; cpus: number } {
  const l = nodeLimits(node);
  return { memoryMiB: l.memoryMiB, pidsLimit: l.pids, cpus: l.cpus };
}

/** The most a team's range may hold in memory: the sum of its nodes' caps. */
export function teamMemoryBudgetMiB(nodes: Pick<PlannedNode, 'role' | 'memoryMiB' | 'limits'>[]): number {
  return nodes.reduce((sum, n) => sum + nodeLimits(n).memoryMiB, 0);
}
