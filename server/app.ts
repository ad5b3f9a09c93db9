import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import type { Engine } from '../orchestrator/index.js';
import { openStore, schemaVersion, type Store } from './store/index.js';
import { authenticator } from './access.js';
import { apiRoutes } from './api.js';
import { authRoutes, type AuthLimits } from './auth-routes.js';
import { ConfigError } from '../core/index.js';
import { guardSessions } from './sockets/sessions.js';
import { ExerciseService } from './exercises/index.js';
import { errorHandler } from './http-errors.js';
import { hintRoutes } from './hints.js';
import { courseRoutes } from './courses.js';
import { SelfPacedService, selfPacedRoutes, type SelfPacedOptions } from './selfpaced/index.js';
import { catalogRoutes } from './catalog-routes.js';
import { reportPdfRoutes } from './report-pdf.js';
import { attachLive, type LiveServer } from './live.js';
import type { AttackPort, ScoringPort } from './ports.js';
import { Exporter, type ReportingPort } from './results.js';
import { mount, openApiDocument, type RouteSpec } from './routes.js';
import { fastRoutes, type FastRoutes } from './fast-routes.js';
import { ScoreService } from './scores.js';
import { clientAddress, type TrustFn } from './client-address.js';

/** the routes served in front of express: a team's submissions, one request per event */
const SUBMISSION_PATH = /^\/api\/exercises\/:exercise\/teams\/:team\/(findings|actions|reports|recoveries)$/;
/** how long `close()` lets open connections finish before it cuts them */
const CLOSE_GRACE_MS = 3000;
import { attachIncidents, type Incidents } from './incidents/index.js';
import { gatewayDepsFromStore } from './gateway/store-deps.js';

export interface ServerOptions {
  dataDir: string;
  engine?: Engine;
  attack?: AttackPort;
  scoring?: ScoringPort;
  /** organizer views (results, statistics, timeline); their routes exist only with it */
  reporting?: ReportingPort;
  /** checker poll interval */
  checkIntervalMs?: number;
  /** how the checker looks: continuously (`live`, the default) or in rounds every `checkIntervalMs` (server/checker) */
  checkMode?: 'live' | 'rounds';
  /** engine watch probe interval (ENSHU_ENGINE_WATCH_MS, 5 s by default) */
  engineWatchMs?: number;
  /** how often running exercises are scored again for what time alone changes (deadlines, outages); 0: never */
  rescoreIntervalMs?: number;
  /**
   * Login and join count failures only (`loginFailures`, `joinFailures` per `failureWindowMs`, per
   * address); the older `loginPerMinute` stands for `loginFailures` when that is not given.
   */
  limits?: {
    loginPerMinute?: number;
    submissionsPerMinute?: number;
    socketConnectsPerMinute?: number;
  } & AuthLimits;
  /**
   * Addresses (or subnets, comma-separated) of reverse proxies whose X-Forwarded-For is believed,
   * e.g. "127.0.0.1" for nginx on the same machine. Unset: none (the peer's address counts).
   */
  trustProxy?: string;
  /** PEM certificate and key: HTTPS and WSS on the same port */
  tls?: { cert: string | Buffer; key: string | Buffer };
  now?: () => Date;
  /** self-paced mode: the host's range limit and the idle sweep (server/selfpaced) */
  selfPaced?: SelfPacedOptions;
  /** how often each running team's SOC is scanned for new alerts (issue #17); 0: never */
  alertIntervalMs?: number;
  /** more REST routes (trainee access: range view, log search), mounted and documented like the rest */
  extraRoutes?: (store: Store) => RouteSpec[];
}

export interface ExerciseServer {
  app: Express;
  /** the listening server: node:http, or node:https with `tls` */
  http: HttpServer | HttpsServer;
  /** whether it serves HTTPS */
  tls: boolean;
  io: LiveServer;
  store: Store;
  service: ExerciseService;
  scores: ScoreService;
  selfPaced: SelfPacedService;
  /** SOC alerts, injects, the vendor (issue #17) */
  incidents: Incidents;
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
  // never blanket: only a configured proxy's X-Forwarded-For names the client (rate limits key on it)
  app.set('trust proxy', trustProxySetting(o.trustProxy));
  const headers = securityHeaders(!!o.tls);
  app.use(headers);
  // the trainees' submissions in their plain form are served in front of express (server/fast-routes.ts)
  let fast: FastRoutes | undefined;
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    if (!fast?.(req, res)) app(req, res);
  };
  const http = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, listener) : createServer(listener);
  const started = now();

  let live: ReturnType<typeof attachLive> | undefined;
  let scores: ScoreService | undefined = undefined;
  const service = new ExerciseService({
    store,
    now,
    ...(o.engine ? { engine: o.engine } : {}),
    ...(o.attack ? { attack: o.attack } : {}),
    ...(o.checkIntervalMs ? { checkIntervalMs: o.checkIntervalMs } : {}),
    ...(o.checkMode ? { checkMode: o.checkMode } : {}),
    ...(o.engineWatchMs ? { engineWatchMs: o.engineWatchMs } : {}),
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
  // socket.io attaches to an https server like to an http one (WSS on the same port)
  const trust = app.get('trust proxy fn') as TrustFn;
  live = attachLive(http as HttpServer, store, views, now, o.limits?.socketConnectsPerMinute, (req) =>
    clientAddress(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], trust),
  );
  guardSessions(live.io, store, now);
  store.events.onAppend((e) => live!.event(e));
  scores.onDelta((d) => live!.scores(d));

  const selfPaced = new SelfPacedService(store, service, () => o.attack?.listScenarios() ?? [], o.selfPaced);
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
      engineStatus: service.engineHealth(),
      startedAt: started.toISOString(),
    }),
  });
  const incidents = attachIncidents({
    store,
    now,
    attack: o.attack,
    engine: o.engine,
    topology: o.engine ? gatewayDepsFromStore(store, o.engine).topology : undefined,
    alertIntervalMs: o.alertIntervalMs,
  });
  routes.push(
    ...hintRoutes(views),
    ...courseRoutes(o.attack),
    ...selfPacedRoutes(selfPaced, o.limits),
    ...incidents.routes,
    ...(o.extraRoutes?.(store) ?? []),
  );
  routes.push(...catalogRoutes(o.attack), ...reportPdfRoutes(store));
  // sessions (login, join, logout, password, users) live in auth-routes.ts
  // `loginPerMinute` (older option) is the staff login failure budget unless `loginFailures` is given
  const { loginPerMinute, ...limits } = o.limits ?? {};
  routes.push(
    ...authRoutes({
      store,
      now,
      limits: { ...(loginPerMinute !== undefined ? { loginFailures: loginPerMinute } : {}), ...limits },
    }),
  );
  doc = openApiDocument(routes);

  // bodies are parsed per route, after its permission check (routes.ts: 403 before 400)
  const router = express.Router();
  const authenticate = authenticator(store, now);
  mount(router, routes, authenticate);
  fast = fastRoutes(
    routes.filter((r) => r.method === 'post' && SUBMISSION_PATH.test(r.path)),
    authenticate,
    headers,
  );
  app.use(router);
  app.use('/api', (req, _res, next) =>
    next(Object.assign(new Error(`no route ${req.method} ${req.originalUrl}`), { status: 404 })),
  );
  app.use(errorHandler);

  return {
    app,
    http,
    tls: !!o.tls,
    io: live.io,
    store,
    service,
    scores,
    selfPaced,
    routes,
    incidents,
    recover: async () => {
      const r = await service.recover();
      incidents.recover();
      return r;
    },
    listen: (port, host = '127.0.0.1') =>
      new Promise((res, rej) => {
        http.once('error', rej);
        http.listen(port, host, () => {
          const a = http.address() as AddressInfo;
          const scheme = o.tls ? 'https' : 'http';
          res({ port: a.port, url: `${scheme}://${host.includes(':') ? `[${host}]` : host}:${a.port}` });
        });
      }),
    close: async () => {
      scores!.close();
      await selfPaced.stop();
      await incidents.close();
      await service.close();
      // io.close() ends the sockets and then waits for the HTTP server, which waits for every
      // connection: one a client left open (a hung long-poll, a half-closed keep-alive, a proxy)
      // would hold shutdown for ever. Idle ones go now, the rest after a short grace.
      http.closeIdleConnections();
      const force = setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS);
      live!.close();
      await new Promise<void>((res) => live!.io.close(() => res()));
      clearTimeout(force);
      store.close();
    },
  };
}

/** express's `trust proxy` from `--trust-proxy`: a list of addresses/subnets, never `true`. */
export function trustProxySetting(value: string | undefined): string[] | false {
  const list = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) return false;
  for (const a of list) {
    const [ip, bits] = a.split('/');
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(a);
    if (!named && (!ip || !isIP(ip) || (bits !== undefined && !/^\d{1,3}$/.test(bits))))
      throw new ConfigError(`--trust-proxy: "${a}" is not an address or subnet (e.g. 127.0.0.1, 10.0.0.0/8)`);
  }
  return list;
}

/**
 * helmet's headers with a Content-Security-Policy the built web app passes: its own scripts and
 * styles only (xterm.js adds style elements and style attributes, hence 'unsafe-inline' for
 * styles only), socket.io over ws/wss to this same host, the data: favicon, no frames, no plugins.
 * HSTS and upgrade-insecure-requests only when the server itself speaks TLS.
 */
export function securityHeaders(tls: boolean): RequestHandler {
  const headers = helmetHeaders(tls);
  // helmet sets its headers one middleware at a time on every request, and they depend on the
  // request only through its Host (the CSP's ws: source): worked out once per Host, then set as
  // they are. Hosts are the client's to name, so only the first few are kept.
  type Value = string | number | readonly string[];
  /** what helmet did to a response: set a header (a value) or remove it (none) */
  const byHost = new Map<string, [string, Value | undefined][]>();
  return (req, res, next) => {
    const host = req.headers.host ?? '';
    let done = byHost.get(host);
    if (!done) {
      const got: [string, Value | undefined][] = [];
      let failed: unknown;
      const recorder = {
        setHeader: (k: string, v: Value) => void got.push([k, v]),
        removeHeader: (k: string) => void got.push([k, undefined]),
      };
      headers(req, recorder as never, (err?: unknown) => (failed = err));
      if (failed) return next(failed);
      done = got;
      if (byHost.size < 16) byHost.set(host, done);
    }
    for (const [k, v] of done)
      if (v === undefined) res.removeHeader(k);
      else res.setHeader(k, v);
    next();
  };
}

function helmetHeaders(tls: boolean): RequestHandler {
  const self = "'self'";
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: [self],
        scriptSrc: [self],
        styleSrc: [self, "'unsafe-inline'"],
        imgSrc: [self, 'data:'],
        fontSrc: [self, 'data:'],
        connectSrc: [
          self,
          // older browsers do not count ws: to the same host as 'self'
          (req) => {
            const host = req.headers.host;
            return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `${tls ? 'wss' : 'ws'}://${host}` : self;
          },
        ],
        workerSrc: [self, 'blob:'],
        objectSrc: ["'none'"],
        baseUri: [self],
        formAction: [self],
        frameAncestors: ["'none'"],
        ...(tls ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: tls ? { maxAge: 180 * 24 * 3600 } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}
