import { resolve } from 'node:path';
import { connectEngine } from '../orchestrator/index.js';
import { describeError } from '../core/index.js';
import { createExerciseServer } from './app.js';
import { accessRouteFactory, attachTraineeAccess } from './gateway/index.js';
import { bootstrapAdmin } from './bootstrap.js';
import { attackPort, reportingPort, scoringPort } from './wiring.js';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  engine?: string;
  /** SSH gateway port; false: none */
  sshPort?: number | false;
  log?: (line: string) => void;
}

/** `enshu serve`: runs until SIGINT/SIGTERM, then closes cleanly (the store is safe either way). */
export async function serve(o: ServeOptions): Promise<void> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const engine = await connectEngine(o.engine).catch((err: unknown) => {
    log(`warning: no container engine (${describeError(err)}); ranges cannot be provisioned`);
    return undefined;
  });
  const server = createExerciseServer({
    dataDir: resolve(o.dataDir), ...(engine ? { engine } : {}),
    extraRoutes: accessRouteFactory(engine),
    attack: attackPort(), scoring: scoringPort(), reporting: reportingPort(),
  });
  const access = await attachTraineeAccess(server, { ...(engine ? { engine } : {}), dataDir: resolve(o.dataDir), sshPort: o.sshPort ?? 2222, sshHost: o.host, log });
  if (access.ssh) log(`SSH gateway on port ${access.ssh.port} (ssh -p ${access.ssh.port} <team>+<node>@host, password: the team's join code)`);
  bootstrapAdmin(server.store, process.env, log);
  const { resumed, reprovisioned } = await server.recover();
  if (resumed.length) log(`resumed exercises: ${resumed.join(', ')}`);
  if (reprovisioned.length) log(`provisioning again: ${reprovisioned.join(', ')}`);
  const { url } = await server.listen(o.port, o.host);
  log(`enshu server on ${url} (API docs: ${url}/api/docs, data: ${resolve(o.dataDir)})`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void access.close().then(() => server.close()).finally(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
