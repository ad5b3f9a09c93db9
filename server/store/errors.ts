import { EnshuError } from '../../core/index.js';

/** The request is valid but the exercise's state does not allow it (HTTP 409). */
export class ConflictError extends EnshuError {}

/** Authentication failed or is missing (HTTP 401). */
export class AuthError extends EnshuError {}

/** Authenticated, but not allowed to touch this resource (HTTP 403). */
export class ForbiddenError extends EnshuError {}

/** A request body or event that fails validation (HTTP 400); `detail` lists the problems. */
export class ValidationError extends EnshuError {
  constructor(
    message: string,
    readonly detail: unknown,
  ) {
    super(message);
  }
}
