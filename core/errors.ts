/**
 * Typed errors that carry the context a user needs (file, team, node, step).
 * The CLI and the server print `message` only; stacks stay in debug output.
 */
export interface ErrorContext {
  exercise?: string;
  team?: string;
  node?: string;
  step?: string;
  file?: string;
}

export class EnshuError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** A YAML or schema problem, pointing at `file:line:col` and the field. */
export class ConfigError extends EnshuError {}

/** No engine answers, or the engine refused a request. */
export class EngineError extends EnshuError {}

/** What a wait saw before it gave up (`retryUntil` fills it in). */
export interface WaitDetail {
  /** what was waited for */
  what?: string;
  attempts?: number;
  waitedMs?: number;
  /** the last attempt's result, when it returned one that did not end the wait */
  lastResult?: unknown;
  /** the last attempt's error, when it threw one that was retried (also the error's `cause`) */
  lastError?: unknown;
}

/** Something waited for a condition that never came true. */
export class WaitTimeoutError extends EnshuError {
  readonly what: string | undefined;
  readonly attempts: number | undefined;
  readonly waitedMs: number | undefined;
  readonly lastResult: unknown;
  readonly lastError: unknown;
  constructor(message: string, context: ErrorContext = {}, options: { cause?: unknown } & WaitDetail = {}) {
    const { what, attempts, waitedMs, lastResult, lastError, cause } = options;
    const why = cause ?? lastError;
    super(message, context, why === undefined ? {} : { cause: why });
    this.what = what;
    this.attempts = attempts;
    this.waitedMs = waitedMs;
    this.lastResult = lastResult;
    this.lastError = lastError;
  }
}

/** A request that cannot be done in the current state (unknown exercise, team, node…). */
export class NotFoundError extends EnshuError {}

export class ImageBuildError extends EnshuError {}

/** Formats any thrown value for a human, without a stack trace for our own errors. */
export function describeError(err: unknown): string {
  if (err instanceof EnshuError) return err.message;
  if (err instanceof Error) {
    const anyErr = err as Error & { statusCode?: number; json?: { message?: string } };
    if (anyErr.json?.message) return `engine: ${anyErr.json.message}`;
    return err.message;
  }
  return String(err);
}
