/**
 * Ids and the names built from them, written once: team ids, the Docker object names of a
 * range, and the labels every object carries so that a restarted orchestrator finds it again.
 */
import { TEAM_ID_PATTERN } from '../protocol/index.js';
import { ConfigError } from './errors.js';

/** Team ids are `t01`, `t02`, …; the number is the team's position in the exercise. */
export function teamId(n: number): string {
  return `t${String(n).padStart(2, '0')}`;
}

export function teamNumber(id: string): number {
  if (!TEAM_ID_PATTERN.test(id)) throw new ConfigError(`"${id}" is not a team id (expected t01, t02, …)`);
  return Number(id.slice(1));
}

/** Every container and network of one team's range starts with this. */
export function rangePrefix(exercise: string, team: string): string {
  return `enshu-${exercise}-${team}-`;
}

export function networkName(exercise: string, team: string, segment: string): string {
  return rangePrefix(exercise, team) + segment;
}

export function containerName(exercise: string, team: string, node: string): string {
  return rangePrefix(exercise, team) + node;
}

/** Docker labels on every object enshu creates. */
export const LABEL = {
  exercise: 'enshu.exercise',
  team: 'enshu.team',
  node: 'enshu.node',
  role: 'enshu.role',
  segment: 'enshu.segment',
  slot: 'enshu.slot',
  topology: 'enshu.topology',
  topologyFile: 'enshu.topology-file',
  kind: 'enshu.kind',
  imageHash: 'enshu.image-hash',
  seed: 'enshu.seed',
} as const;
