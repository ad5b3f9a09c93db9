import express, { type Express } from 'express';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../orchestrator/index.js';
import { openStore, schemaVersion, type Store } from './store/index.js';
import { authenticator } from './access.js';
import { apiRoutes } from './api.js';
import { ExerciseService } from './exercises/index.js';
import { errorHandler } from './http-errors.js';
import { hintRoutes } from './hints.js';
import { attachLive, type LiveServer } from './live.js';
import type { AttackPort, ScoringPort } from './ports.js';
import { Exporter, type ReportingPort } from './results.js';
import { mount, openApiDocument, type RouteSpec } from './routes.js';
import { ScoreService } from './scores.js';

export interface ServerOptions {
  dataDir: string;
  engine?: Engine;
  attack?: AttackPort;
  scoring?: ScoringPort;
  /** organizer views (results, statistics, timeline); their routes exist only with it */
  reporting?: ReportingPort;
  /** checker poll interval */
  checkIntervalMs?: number;
  /** how often running exercises are scored again for what time alone changes (deadlines, outages); 0: never */
  rescoreIntervalMs?: number;
  limits?: { loginPerMinute?: number; submissionsPerMinute?: number; socketConnectsPerMinute?: number };
  now?: () => Date;
  /** more REST routes (trainee access: range view, log search), mounted and documented like the rest */
  extraRoutes?: (store: Store) => RouteSpec[];
}

export interface ExerciseServer {
  app: Express;
  http: HttpServer;
  io: LiveServer;
  store: Store;
  service: ExerciseService;
  scores: ScoreService;
  routes: RouteSpec[];
  /** resumes exercises that were running before a restart */
  recover(): ReturnType<ExerciseService['recover']>;
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** Builds the exercise server (REST + socket.io on one HTTP server) over the store in `dataDir`. */
export function createExerciseServer(o: ServerOptions): ExerciseServer {
  const store = openStore(o.dataDir);
  const now = o.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  const http = createServer(app);
  const started = now();

  let live: ReturnType<typeof attachLive> | undefined;
  let scores: ScoreService | undefined = undefined;
  const service = new ExerciseService({
    store,
    now,
    ...(o.engine ? { engine: o.engine } : {}),
    ...(o.attack ? { attack: o.attack } : {}),
    ...(o.checkIntervalMs ? { checkIntervalMs: o.checkIntervalMs } : {}),
    hooks: {
      progress: (p) => live?.progress(p),
      state: (x) => live?.exercise(x),
      truthChanged: (ex) => scores?.invalidate(ex),
      runner: (ex, team, s) => live?.runner(ex, team, s),
    },
  });
  scores = new ScoreService(store.events, store.exercises, o.scoring, (ex) => service.truths(ex), {
    now,
    ...(o.rescoreIntervalMs !== undefined ? { rescoreIntervalMs: o.rescoreIntervalMs } : {}),
  });
  const views = { store, service, scores, ...(o.scoring ? { scoring: o.scoring } : {}) };
  live = attachLive(http, store, views, now, o.limits?.socketConnectsPerMinute);
  store.events.onAppend((e) => live!.event(e));
  scores.onDelta((d) => live!.scores(d));

  const exporter = o.reporting && new Exporter(store, scores, o.reporting, (ex) => service.truths(ex));
  let doc: ReturnType<typeof openApiDocument> | undefined;
  const routes = apiRoutes({
    ...views,
    ...(exporter ? { exporter } : {}),
    ...(o.limits ? { limits: o.limits } : {}),
    // the document describes every route, so it is generated after the list is complete
    docs: () => doc!,
    health: () => ({
      ok: true,
      schema: schemaVersion(store.db),
      engine: o.engine?.endpoint ?? null,
      startedAt: started.toISOString(),
    }),
  });
  routes.push(...hintRoutes(views), ...(o.extraRoutes?.(store) ?? []));
  doc = openApiDocument(routes);

  app.use(express.json({ limit: '256kb' }));
  const router = express.Router();
  mount(router, routes, authenticator(store, now));
  app.use(router);
  app.use('/api', (req, _res, next) =>
    next(Object.assign(new Error(`no route ${req.method} ${req.originalUrl}`), { status: 404 })),
  );
  app.use(errorHandler);

  return {
    app,
    http,
    io: live.io,
    store,
    service,
    scores,
    routes,
    recover: () => service.recover(),
    listen: (port, host = '127.0.0.1') =>
      new Promise((res, rej) => {
        http.once('error', rej);
        http.listen(port, host, () => {
          const a = http.address() as AddressInfo;
          res({ port: a.port, url: `http://${host.includes(':') ? `[${host}]` : host}:${a.port}` });
        });
      }),
    close: async () => {
      scores!.close();
      await service.close();
      await new Promise<void>((res) => live!.io.close(() => res()));
      store.close();
    },
  };
}
