/** Public surface of the orchestrator: topology model, engine driver, images, range lifecycle. */
export * from './errors.js';
export { loadYamlFile, parseYamlText } from './yaml/load.js';
export { TopologySchema, type Topology, type TopologyNode, type Segment, CAPABILITIES } from './topology/schema.js';
export { loadTopology, loadTopologyById, listTopologies, topologySource, CheckedTopologySchema } from './topology/load.js';
export { planTeam, teamId, teamNumber, networkName, containerName, bridgeName, EXERCISE_ID, type TeamPlan, type PlannedNode, type PlannedNetwork } from './topology/plan.js';
export { topologyForCourse, DEFAULT_TOPOLOGY } from './topology/courses.js';
export { LABEL, type Engine, type ExecResult, type ExecSession, type ExecOptions, type ContainerInfo, type NetworkInfo, type Labels } from './docker/types.js';
export { connectEngine } from './docker/connect.js';
export { ensureImages, type ImageEvent } from './images/build.js';
export { listRoles, roleTag, baseTag } from './images/catalog.js';
export { addressOffset } from './lifecycle/slots.js';
export { RangeManager, type ExerciseStatus, type TeamStatus, type NodeStatus, type DownResult, type UpOptions } from './lifecycle/range.js';
export type { RangeProgress, ProgressSink } from './lifecycle/events.js';
export { mapLimit, sleep } from './util/limit.js';
export { repoRoot } from './paths.js';
export { composeProject } from './export/compose.js';
