import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Principal, Role } from './store/index.js';
import { zodToJsonSchema } from './zod-json.js';
import { assertAccess } from './access.js';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** One REST route: registered in express and described in the OpenAPI document from the same object. */
export interface RouteSpec<B extends z.ZodTypeAny = z.ZodTypeAny> {
  method: Method;
  /** express path, e.g. /api/exercises/:exercise */
  path: string;
  summary: string;
  /** roles allowed; 'public' needs no token. Team-scoped routes also check the trainee's own team. */
  roles: Role[] | 'public';
  body?: B;
  /** extra middleware that runs before the handler (rate limits) */
  before?: RequestHandler[];
  /** responds with something other than JSON (CSV) */
  produces?: string;
  handler: (ctx: { req: Request; res: Response; principal: Principal | undefined; body: z.output<B> }) => unknown;
}

export interface Registry {
  routes: RouteSpec[];
}

function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}

export function openApiDocument(routes: RouteSpec[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const p = (paths[openApiPath(r.path)] ??= {});
    const params = [...r.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    p[r.method] = {
      summary: r.summary,
      'x-roles': r.roles,
      ...(r.roles === 'public' ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: zodToJsonSchema(r.body) } } } } : {}),
      responses: {
        '200': { description: 'ok', content: { [r.produces ?? 'application/json']: {} } },
        '400': { $ref: '#/components/responses/Error' },
        ...(r.roles === 'public' ? {} : { '401': { $ref: '#/components/responses/Error' }, '403': { $ref: '#/components/responses/Error' } }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'enshu exercise server', version: '1', description: 'REST API of enshu serve. Live updates use socket.io on the same port (see docs/api.md).' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: { type: 'object', properties: { error: { type: 'string' }, detail: {} }, required: ['error', 'detail'] } },
      responses: { Error: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

export function mount(router: Router, routes: RouteSpec[], authenticate: (req: Request, roles: Role[] | 'public') => Principal | undefined): void {
  for (const r of routes) {
    const auth: RequestHandler = (req, res, next) => {
      const principal = authenticate(req, r.roles);
      // one place enforces exercise/team scope for every route, before the body is even read
      if (r.roles !== 'public' && req.params.exercise) assertAccess(principal, String(req.params.exercise), req.params.team === undefined ? undefined : String(req.params.team));
      res.locals.principal = principal;
      next();
    };
    const handler: RequestHandler = async (req, res) => {
      const principal = res.locals.principal as Principal | undefined;
      const body = r.body ? r.body.parse(req.body ?? {}) : undefined;
      const out = await r.handler({ req, res, principal, body });
      if (!res.headersSent) res.json(out ?? { ok: true });
    };
    router[r.method](r.path, auth, ...(r.before ?? []), handler);
  }
}
