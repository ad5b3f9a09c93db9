/**
 * orchestrator — the range: topology files and their model, the Docker driver (the only code
 * that imports dockerode), images built from debootstrap, the range lifecycle (up, status, reset,
 * down), host isolation rules and the compose export. Built over core; used by the attacker
 * (through the `Engine` interface), the server and the CLI.
 */
export { TopologySchema, type Topology, type TopologyNode, type Segment, CAPABILITIES } from './topology/schema.js';
export {
  loadTopology,
  loadTopologyById,
  listTopologies,
  topologySource,
  CheckedTopologySchema,
} from './topology/load.js';
export { planTeam, bridgeName, type TeamPlan, type PlannedNode, type PlannedNetwork } from './topology/plan.js';
export {
  topologyForCourse,
  loadCourse,
  listCourses,
  CourseSchema,
  DEFAULT_TOPOLOGY,
  type Course,
} from './topology/courses.js';
export { renderFirewall } from './topology/firewall.js';
export type {
  Engine,
  ExecResult,
  ExecSession,
  ExecOptions,
  ContainerInfo,
  NetworkInfo,
  Labels,
} from './docker/types.js';
export { connectEngine } from './docker/connect.js';
export { ensureImages, type ImageEvent } from './images/build.js';
export { listRoles, roleTag, baseTag } from './images/catalog.js';
export { rootfsTag } from './images/rootfs.js';
export { addressOffset } from './lifecycle/slots.js';
export {
  RangeManager,
  type ExerciseStatus,
  type TeamStatus,
  type NodeStatus,
  type DownResult,
  type UpOptions,
} from './lifecycle/range.js';
export type { ProgressSink } from './lifecycle/events.js';
export { composeProject } from './export/compose.js';
export { healthCommand, waitHealthy } from './lifecycle/health.js';
