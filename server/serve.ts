import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { connectEngine } from '../orchestrator/index.js';
import { ConfigError, createLogger, describeError } from '../core/index.js';
import { createExerciseServer } from './app.js';
import { accessRouteFactory, attachTraineeAccess } from './gateway/index.js';
import { assertAdminPassword, bootstrapAdmin, warnDemoPasswords } from './bootstrap.js';
import { DEMO_PASSWORD } from './store/index.js';
import { attackPort, reportingPort, scoringPort } from './wiring.js';

export interface ServeOptions {
  port: number;
  host: string;
  dataDir: string;
  engine?: string;
  /** SSH gateway port; false: none */
  sshPort?: number | false;
  /** address the SSH gateway listens on; default: `host` */
  sshHost?: string;
  /** PEM files: serve HTTPS and WSS on `port` */
  tlsCert?: string;
  tlsKey?: string;
  /** reverse proxies whose X-Forwarded-For is believed (addresses/subnets, comma-separated); default
   * ENSHU_TRUST_PROXY */
  trustProxy?: string;
  /** self-paced ranges this host builds at once (default ENSHU_SELFPACED_RANGES, else 4) */
  selfPacedRanges?: number;
}

/** Whether an address to listen on is reachable from this machine only. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || h === '::ffff:127.0.0.1';
}

function readTls(o: ServeOptions): { cert: Buffer; key: Buffer } | undefined {
  if (!o.tlsCert && !o.tlsKey) return undefined;
  if (!o.tlsCert || !o.tlsKey) throw new ConfigError('--tls-cert and --tls-key go together');
  const read = (what: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new ConfigError(`cannot read the TLS ${what} ${file}: ${describeError(err)}`);
    }
  };
  return { cert: read('certificate', o.tlsCert), key: read('key', o.tlsKey) };
}

const log = createLogger('server');

/**
 * `enshu serve`: runs until SIGINT/SIGTERM, then closes cleanly (the store is safe either way).
 * What it says goes to the log (stderr): readable lines on a terminal, JSON lines otherwise.
 */
export async function serve(o: ServeOptions): Promise<void> {
  // refused before anything listens, so the process ends with the message
  assertAdminPassword(process.env);
  const tls = readTls(o);
  const trustProxy = o.trustProxy ?? process.env.ENSHU_TRUST_PROXY;
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
    ...(tls ? { tls } : {}),
    ...(trustProxy ? { trustProxy } : {}),
    ...(o.selfPacedRanges ? { selfPaced: { maxRanges: o.selfPacedRanges } } : {}),
  });
  const access = await attachTraineeAccess(server, {
    ...(engine ? { engine } : {}),
    dataDir: resolve(o.dataDir),
    sshPort: o.sshPort ?? 2222,
    sshHost: o.sshHost ?? o.host,
  });
  if (access.ssh)
    log.info(
      { sshPort: access.ssh.port },
      `SSH gateway on port ${access.ssh.port} (ssh -p ${access.ssh.port} <team>+<node>@host, password: the team's join code)`,
    );
  bootstrapAdmin(server.store, process.env);
  // bootstrapAdmin warns itself when ENSHU_ADMIN_PASSWORD is the demo password; this finds it in the store
  if (process.env.ENSHU_ADMIN_PASSWORD !== DEMO_PASSWORD) await warnDemoPasswords(server.store);
  const { resumed, reprovisioned } = await server.recover();
  if (resumed.length) log.info({ exercises: resumed }, `resumed exercises: ${resumed.join(', ')}`);
  if (reprovisioned.length) log.info({ exercises: reprovisioned }, `provisioning again: ${reprovisioned.join(', ')}`);
  const { url } = await server.listen(o.port, o.host);
  if (!tls && !isLoopback(o.host))
    log.warn(
      { url, host: o.host },
      `listening on ${o.host} WITHOUT TLS: passwords, tokens and join codes cross the network in clear text. ` +
        `Give --tls-cert/--tls-key, or listen on 127.0.0.1 behind a TLS reverse proxy (docs/api.md, "Deploying")`,
    );
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
