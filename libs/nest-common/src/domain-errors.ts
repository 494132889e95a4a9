import type { Issue } from '@warroom/contracts';

/**
 * What a service throws when it refuses a request: plain errors that know nothing of HTTP, so the rules
 * stay testable without Nest and every refusal reaches the caller the same way. Each app's
 * `ErrorBodyFilter` turns them into a status and an `apiErrorBodySchema` body.
 */

/** Facts a refusal carries beside its message, sent along in the body (e.g. the revision that won a 409). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export abstract class DomainError extends Error {
  constructor(
    message: string,
    readonly details: ErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request is malformed: `issues` names every failing field when a schema refused it. */
export class InvalidInput extends DomainError {
  constructor(
    message: string,
    readonly issues?: readonly Issue[],
  ) {
    super(message);
  }
}

/** Nobody is signed in, or the credential is not valid. */
export class Unauthorized extends DomainError {}

/** The caller is known but may not do this. */
export class Forbidden extends DomainError {}

export class NotFound extends DomainError {}

/** The request clashes with the current state (a taken name, a newer revision): the details say with what. */
export class Conflict extends DomainError {}

/** Well-formed, but it names something this deployment cannot act on (a shop without a pack). */
export class Unprocessable extends DomainError {}

/** The caller must wait: `retryAfterSeconds` says how long. */
export class TooManyRequests extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { retryAfterSeconds });
  }
}

/** A part this needs (the bot, the store, the log) is away or not configured: try again later. */
export class Unavailable extends DomainError {}
