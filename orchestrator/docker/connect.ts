import { DockerodeEngine, defaultEndpoint } from './dockerode-engine.js';
import type { Engine } from './types.js';

/** An engine at `endpoint` (unix://, tcp://, ssh://), checked to answer. */
export async function connectEngine(endpoint: string = defaultEndpoint()): Promise<Engine> {
  const engine = new DockerodeEngine(endpoint);
  await engine.ping();
  return engine;
}
