/**
 * Wires trainee access into a running exercise server: the browser-terminal namespace on its
 * socket.io, the built web app as static files, and the SSH gateway on its own port.
 * The REST part (range view, log search) goes in through `extraRoutes: accessRouteFactory(engine)`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import type { Server as IoServer } from 'socket.io';
import type { Engine } from '../../orchestrator/index.js';
import type { ExerciseServer } from '../app.js';
import type { RouteSpec } from '../routes.js';
import type { Store } from '../store/index.js';
import { repoRoot } from '../../core/index.js';
import { startSshGateway, DEFAULT_SSH_PORT, type SshGateway } from './ssh-server.js';
import { attachTerminalNamespace } from './terminal-namespace.js';
import { gatewayDepsFromStore } from './store-deps.js';
import { accessRoutes } from './routes.js';

export const WEB_DIST = join(repoRoot, 'web', 'dist');

export function accessRouteFactory(engine: Engine | undefined): (store: Store) => RouteSpec[] {
  return (store) => accessRoutes(store, engine && gatewayDepsFromStore(store, engine));
}

export interface AccessOptions {
  /** without an engine only the web app is served (no terminals, no SSH) */
  engine?: Engine;
  dataDir: string;
  /** SSH gateway port (default 2222); false: no gateway */
  sshPort?: number | false;
  sshHost?: string;
  /** the built web app (default web/dist); served when it exists */
  webDir?: string;
}

export interface AttachedAccess {
  ssh?: SshGateway;
  webServed: boolean;
  close(): Promise<void>;
}

export async function attachTraineeAccess(server: ExerciseServer, o: AccessOptions): Promise<AttachedAccess> {
  const deps = o.engine && gatewayDepsFromStore(server.store, o.engine);
  // The namespace has its own event map, apart from the live rooms' typed one.
  if (deps) attachTerminalNamespace(server.io as unknown as IoServer, deps);
  const web = o.webDir ?? WEB_DIST;
  const webServed = existsSync(join(web, 'index.html'));
  if (webServed) {
    server.app.use(express.static(web, { index: 'index.html', maxAge: '1h' }));
    // Views are hash routes, so any other page path also gets the app.
    server.app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(join(web, 'index.html')));
  }
  const ssh =
    o.sshPort === false || !deps
      ? undefined
      : await startSshGateway({
          deps,
          dataDir: o.dataDir,
          port: o.sshPort ?? DEFAULT_SSH_PORT,
          ...(o.sshHost ? { host: o.sshHost } : {}),
        });
  return {
    ...(ssh ? { ssh } : {}),
    webServed,
    close: async () => {
      await ssh?.close();
    },
  };
}
