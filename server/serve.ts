import { resolve } from 'node:path';
import { connectEngine } from '../orchestrator/index.js';
import { createLogger, describeError } from '../core/index.js';
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
}

const log = createLogger('server');

/**
 * `enshu serve`: runs until SIGINT/SIGTERM, then closes cleanly (the store is safe either way).
 * What it says goes to the log (stderr): readable lines on a terminal, JSON lines otherwise.
 */
export async function serve(o: ServeOptions): Promise<void> {
  const engine = await connectEngine(o.engine).catch((err: unknown) => {
    log.warn(`no container engine (${describeError(err)}); ranges cannot be provisioned`);
    return undefined;
  });
  const server = createExerciseServer({
    dataDir: resolve(o.dataDir),
    ...(engine ? { engine } : {}),
    extraRoutes: accessRouteFactory(engine),
    attack: attackPort(),
    scoring: scoringPort(),
    reporting: reportingPort(),
  });
  const access = await attachTraineeAccess(server, {
    ...(engine ? { engine } : {}),
    dataDir: resolve(o.dataDir),
    sshPort: o.sshPort ?? 2222,
    sshHost: o.host,
  });
  if (access.ssh)
    log.info(
      { sshPort: access.ssh.port },
      `SSH gateway on port ${access.ssh.port} (ssh -p ${access.ssh.port} <team>+<node>@host, password: the team's join code)`,
    );
  bootstrapAdmin(server.store, process.env);
  const { resumed, reprovisioned } = await server.recover();
  if (resumed.length) log.info({ exercises: resumed }, `resumed exercises: ${resumed.join(', ')}`);
  if (reprovisioned.length) log.info({ exercises: reprovisioned }, `provisioning again: ${reprovisioned.join(', ')}`);
  const { url } = await server.listen(o.port, o.host);
  log.info(
    { url, dataDir: resolve(o.dataDir) },
    `enshu server on ${url} (API docs: ${url}/api/docs, data: ${resolve(o.dataDir)})`,
  );
  await new Promise<void>((done) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log.info({ signal }, `${signal}: closing`);
      void access
        .close()
        .then(() => server.close())
        .then(
          () => log.info('closed'),
          (err: unknown) => {
            log.error({ err }, `closing failed: ${describeError(err)}`);
            process.exitCode = 1;
          },
        )
        .finally(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
