/**
 * Error helpers shared by the admin, consumer and producer code. kafkajs wraps errors several
 * levels deep (retrier -> KafkaJSNumberOfRetriesExceeded -> cause), so decisions look at the chain.
 */

/** The error at the end of the `cause` chain (the original failure), or the error itself. */
export function rootCause(error: unknown): unknown {
  let current = error;
  // Bounded, so a cyclic cause chain cannot hang the process.
  for (let depth = 0; depth < 32; depth += 1) {
    const next = causeOf(current);
    if (next === undefined) return current;
    current = next;
  }
  return current;
}

/** True when any error in the `cause` chain has the given `name`. */
export function hasErrorNamed(error: unknown, name: string): boolean {
  let current = error;
  for (let depth = 0; depth < 32 && current !== undefined; depth += 1) {
    if (current instanceof Error && current.name === name) return true;
    current = causeOf(current);
  }
  return false;
}

/**
 * kafkajs' own rule for "may succeed if tried again": anything not explicitly marked
 * `retriable: false`, except the error types that mean a programming bug.
 */
export function isRetriableError(error: unknown): boolean {
  const cause = rootCause(error);
  if (!(cause instanceof Error)) return true;
  if (PROGRAMMING_ERRORS.has(cause.name)) return false;
  return (cause as { retriable?: unknown }).retriable !== false;
}

/**
 * Throw this (or any error with `retriable: false`) from a batch handler for a failure that
 * retrying cannot fix. The consumer then stops instead of retrying the batch forever.
 */
export class NonRetriableError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetriableError';
  }
}

const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

function causeOf(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('cause' in error)) return undefined;
  const cause: unknown = error.cause;
  return cause === null || cause === error ? undefined : cause;
}
