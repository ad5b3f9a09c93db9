/**
 * The trainees' submissions (findings, actions, reports, recoveries) served in front of express.
 * They are the server's busiest requests (one per event), and express's own handling of a request
 * (its request and response objects, the router, the body parser) cost about 0.1–0.2 CPU-ms of
 * each, as much as everything else of a finding but the socket writes (docs/performance.md,
 * "Server throughput"). This runs the same steps as `mount` (routes.ts), in the same order, with
 * the same parts: security headers, the token and its role, the exercise/team scope, the body
 * (size, depth, strict JSON), the route's own middleware (rate limit), zod, the handler, the
 * answer, and the error body of `errorHandler`.
 *
 * Only the plain case is taken here: a POST to the exact path (ids of unreserved characters, no
 * query), `Content-Type: application/json` in UTF-8, a Content-Length within the limit, no
 * Content-Encoding, and a caller the route accepts. Anything else — a refused token or scope, a
 * compressed or chunked body, another charset — goes to express untouched (the body not read),
 * which answers it as it always did, so every refusal and every odd request keeps express's answer.
 * A handler served here gets a plain node request with `params` and `body` and a plain response
 * with `locals`: it must use only those and its context (the submission handlers do);
 * tests/server/fast-routes.test.ts holds both sides to the same answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Principal, Role } from './store/index.js';
import { assertAccess } from './access.js';
import { sendError } from './http-errors.js';
import { answerJson, assertJsonDepth, MAX_JSON_BODY_BYTES, type RouteSpec } from './routes.js';

export type FastRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

const JSON_TYPE = /^application\/json\s*(;\s*charset="?utf-8"?\s*)?$/i;

/** A malformed body, as body-parser reports it (400, `malformed JSON body`). */
const malformed = (message: string) => Object.assign(new SyntaxError(message), { status: 400 });

/**
 * A request listener's first look: true when it took the request (and will answer it), false when
 * express should have it. `routes` must be POST routes with a body and no `guard`.
 */
export function fastRoutes(
  routes: RouteSpec[],
  authenticate: (req: Request, roles: Role[] | 'public') => Principal | undefined,
  securityHeaders: RequestHandler,
): FastRoutes {
  const table = routes.map((r) => {
    if (r.method !== 'post' || !r.body || r.guard?.length || r.roles === 'public')
      throw new Error(`${r.method} ${r.path} cannot be served in front of express`);
    const names: string[] = [];
    const source = r.path.replace(/:([A-Za-z]+)/g, (_m, n: string) => {
      names.push(n);
      return '([A-Za-z0-9._~-]+)';
    });
    return { r, names, pattern: new RegExp(`^${source}$`) };
  });
  return (req, res) => {
    if (req.method !== 'POST' || !req.url) return false;
    const h = req.headers;
    if (h['content-encoding'] || h['transfer-encoding'] || !JSON_TYPE.test(h['content-type'] ?? '')) return false;
    const length = Number(h['content-length']);
    if (!Number.isInteger(length) || length < 0 || length > MAX_JSON_BODY_BYTES) return false;
    let route: (typeof table)[number] | undefined;
    let m: RegExpExecArray | null = null;
    for (const t of table) {
      m = t.pattern.exec(req.url);
      if (m) {
        route = t;
        break;
      }
    }
    if (!route || !m) return false;
    const { r, names } = route;
    const params: Record<string, string> = {};
    names.forEach((n, i) => (params[n] = m![i + 1]!));
    const q = Object.assign(req, { params }) as unknown as Request;
    const s = res as unknown as Response;
    // a caller the route refuses gets express's answer (401/403 before anything about the body)
    let principal: Principal | undefined;
    try {
      principal = authenticate(q, r.roles);
      if (params.exercise) assertAccess(principal, params.exercise, params.team);
    } catch {
      return false;
    }
    const fail = (err: unknown) => sendError(req, res, err);
    securityHeaders(q, s, (err?: unknown) => {
      if (err) return fail(err);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('error', fail);
      req.on('end', () => {
        try {
          let buf = Buffer.concat(chunks);
          assertJsonDepth(buf);
          // as body-parser: a byte-order mark is dropped, an empty body is {}, the top is an object or array
          if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
          const text = buf.toString('utf8');
          const first = text.trimStart()[0];
          if (text.length && first !== '{' && first !== '[') throw malformed('JSON body must be an object or array');
          let parsed: unknown = {};
          if (text.length)
            try {
              parsed = JSON.parse(text);
            } catch (e) {
              throw malformed((e as Error).message);
            }
          Object.assign(q, { body: parsed });
          Object.assign(s, { locals: { principal } });
          for (const before of r.before ?? []) {
            let passed = false;
            before(q, s, (e?: unknown) => {
              if (e) throw e;
              passed = true;
            });
            if (!passed) throw new Error(`${r.path}: a middleware in front of express did not pass at once`);
          }
          const body: unknown = r.body!.parse(parsed ?? {});
          Promise.resolve(r.handler({ req: q, res: s, principal, body, query: {} }))
            .then((out) => {
              if (res.headersSent) return;
              res.statusCode = r.status ?? 200;
              answerJson(res, out ?? { ok: true });
            })
            .catch(fail);
        } catch (err) {
          fail(err);
        }
      });
    });
    return true;
  };
}
