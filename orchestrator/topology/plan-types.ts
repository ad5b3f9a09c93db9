/** The concrete networks and nodes of one team's range, as `planTeam` makes them. */
import type { Capability, TopologyNode } from './schema.js';

export interface PlannedNetwork {
  segment: string;
  purpose: string;
  name: string;
  bridge: string;
  subnet: string;
  /** Address Docker gives to the host side of the bridge (blocked from the range by host rules). */
  hostGateway: string;
}

export interface PlannedInterface {
  segment: string;
  network: string;
  ip: string;
}

export interface PlannedNode {
  name: string;
  role: string;
  title?: string;
  containerName: string;
  interfaces: PlannedInterface[];
  gatewayIp?: string;
  capabilities: Capability[];
  env: Record<string, string>;
  accounts: TopologyNode['accounts'];
  health?: { command: string; timeoutSeconds: number };
  memoryMiB?: number;
  /** the topology's own limits for the node (role defaults fill the rest) */
  limits?: { memoryMiB?: number; pids?: number; cpus?: number };
}

export interface TeamPlan {
  exercise: string;
  team: string;
  slot: number;
  /** Seed of the exercise's facts (staff, passwords, documents); defaults to the exercise id. */
  seed: string;
  networks: PlannedNetwork[];
  nodes: PlannedNode[];
}
