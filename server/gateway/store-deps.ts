import { resolve } from 'node:path';
import { repoRoot } from '../../core/index.js';
import {
  type Engine,
  loadTopology,
  loadTopologyById,
  topologyForCourse,
  type Topology,
} from '../../orchestrator/index.js';
import type { Store } from '../store/index.js';
import type { GatewayDeps } from './access.js';

/** Binds the gateway to the server's store: join codes, tokens, and each exercise's topology. */
export function gatewayDepsFromStore(store: Store, engine: Engine): GatewayDeps {
  const topologies = new Map<string, Topology>();
  return {
    engine,
    teamByCode: (code) => {
      const t = store.exercises.teamByCode(code);
      return t && { exercise: t.exercise, team: t.id };
    },
    principal: (token) => store.auth.resolve(token),
    topology: (exercise) => {
      const cached = topologies.get(exercise);
      if (cached) return cached;
      const x = store.exercises.find(exercise);
      if (!x) return undefined;
      // the same reading as the server's: an id, or a YAML file relative to the project
      const t = !x.topology
        ? topologyForCourse(x.course)
        : x.topology.endsWith('.yaml')
          ? loadTopology(resolve(repoRoot, x.topology))
          : loadTopologyById(x.topology);
      topologies.set(exercise, t);
      return t;
    },
  };
}
