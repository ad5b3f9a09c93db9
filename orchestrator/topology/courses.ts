import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { topologiesDir } from '../paths.js';
import { loadTopologyById } from './load.js';
import type { Topology } from './schema.js';

export const DEFAULT_TOPOLOGY = 'cyder-standard';

/**
 * The topology a course runs on. Course definitions live in topologies/courses/<id>.yaml;
 * until a course has one, it runs on the standard CYDER range.
 */
export function topologyForCourse(course: string): Topology {
  const file = join(topologiesDir(), 'courses', `${course}.yaml`);
  if (existsSync(file)) {
    // Course files are introduced with the full role set; until then the standard range serves all.
  }
  return loadTopologyById(DEFAULT_TOPOLOGY);
}
