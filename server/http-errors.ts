import type { ErrorRequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ZodError } from 'zod';
import { ConfigError, EnshuError, EngineError, NotFoundError, createLogger, describeError } from '../core/index.js';
import { AuthError, ConflictError, ForbiddenError, ValidationError } from './store/index.js';

/** Thrown by the limiter middleware (HTTP 429). */
export class RateLimitedError extends EnshuError {
  constructor(readonly retryAfter: number) {
    super(`too many requests; try again in ${retryAfter}s`);
  }
}

export interface ErrorBody {
  error: string;
  detail: unknown;
}

/** Maps a thrown value to a status and the `{error, detail}` body; never a stack trace. */
export function toHttpError(err: unknown): { status: number; body: ErrorBody } {
  if (err instanceof ZodError) return { status: 400, body: { error: 'invalid request', detail: err.issues } };
  if (err instanceof ValidationError) return { status: 400, body: { error: err.message, detail: err.detail } };
  if (err instanceof ConfigError) return { status: 400, body: { error: err.message, detail: err.context } };
  if (err instanceof AuthError) return { status: 401, body: { error: err.message, detail: null } };
  if (err instanceof ForbiddenError) return { status: 403, body: { error: err.message, detail: err.context } };
  if (err instanceof NotFoundError) return { status: 404, body: { error: err.message, detail: err.context } };
  if (err instanceof ConflictError) return { status: 409, body: { error: err.message, detail: err.context } };
  if (err instanceof RateLimitedError)
    return { status: 429, body: { error: err.message, detail: { retryAfter: err.retryAfter } } };
  if (err instanceof EngineError) return { status: 502, body: { error: err.message, detail: err.context } };
  // body-parser errors carry a status (malformed JSON → 400, too large → 413)
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, body: { error: status === 400 ? 'malformed JSON body' : describeError(err), detail: null } };
  }
  return { status: 500, body: { error: 'internal error', detail: describeError(err) } };
}

const log = createLogger('server/http');

/**
 * The last middleware: the caller gets `{error, detail}`; a 5xx is also logged, with its stack,
 * since nobody else will see it (the path without its query, which may carry a token).
 */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => sendError(req, res, err);

/** `errorHandler`'s answer on a plain node request and response (also for server/fast-routes.ts). */
export function sendError(req: IncomingMessage, res: ServerResponse, err: unknown): void {
  const { status, body } = toHttpError(err);
  if (status >= 500) {
    const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
    log.error({ err, status, method: req.method, path }, `${status} on ${req.method} ${path}: ${describeError(err)}`);
  }
  if (res.headersSent) return void res.end();
  if (status === 429) res.setHeader('Retry-After', String((body.detail as { retryAfter: number }).retryAfter));
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
