import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter, type Provider } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import type { ApiErrorBody } from '@warroom/contracts';
import {
  Conflict,
  DomainError,
  Forbidden,
  InvalidInput,
  NotFound,
  TooManyRequests,
  Unauthorized,
  Unavailable,
  Unprocessable,
} from './domain-errors';

type DomainErrorClass = abstract new (...args: never[]) => DomainError;

const STATUS_OF: readonly (readonly [DomainErrorClass, HttpStatus])[] = [
  [InvalidInput, HttpStatus.BAD_REQUEST],
  [Unauthorized, HttpStatus.UNAUTHORIZED],
  [Forbidden, HttpStatus.FORBIDDEN],
  [NotFound, HttpStatus.NOT_FOUND],
  [Conflict, HttpStatus.CONFLICT],
  [Unprocessable, HttpStatus.UNPROCESSABLE_ENTITY],
  [TooManyRequests, HttpStatus.TOO_MANY_REQUESTS],
  [Unavailable, HttpStatus.SERVICE_UNAVAILABLE],
];

/** What a caller sees of a fault of ours: nothing of its internals (paths, SQL, stack), which go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error';

/** The status and body of one error, with the headers it needs (Retry-After); `unexpected`: a fault of ours, to log. */
export interface ErrorAnswer {
  body: ApiErrorBody & Readonly<Record<string, unknown>>;
  headers: Readonly<Record<string, string>>;
  unexpected: boolean;
}

/**
 * The one place an HTTP error becomes an answer, for every route of the api and the bot: a domain error
 * is its status with its message, issues and details; Nest's own exceptions (a route not found, a body too
 * large, a guard's refusal) keep their status and message; anything else is a 500 that says nothing of
 * what failed, and is logged with its stack. Every body parses with `apiErrorBodySchema`.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof DomainError) {
    const statusCode = STATUS_OF.find(([kind]) => error instanceof kind)?.[1];
    if (statusCode !== undefined) {
      return {
        body: { ...error.details, statusCode, message: error.message, ...(error instanceof InvalidInput && error.issues ? { issues: [...error.issues] } : {}) },
        headers: error instanceof TooManyRequests ? { 'Retry-After': String(error.retryAfterSeconds) } : {},
        unexpected: false,
      };
    }
  }
  if (error instanceof HttpException) {
    return { body: { statusCode: error.getStatus(), message: httpExceptionMessage(error) }, headers: {}, unexpected: false };
  }
  return { body: { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, message: INTERNAL_ERROR_MESSAGE }, headers: {}, unexpected: true };
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = 'message' in response ? response.message : undefined;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

@Catch()
export class ErrorBodyFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorBodyFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const { body, headers, unexpected } = errorAnswer(error);
    if (unexpected) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    if (httpAdapter.isHeadersSent(response)) {
      httpAdapter.end(response);
      return;
    }
    for (const [name, value] of Object.entries(headers)) httpAdapter.setHeader(response, name, value);
    httpAdapter.reply(response, body, body.statusCode);
  }
}

/** Installs `ErrorBodyFilter` for every route of the module's app, in main.ts and in the tests that build it alike. */
export const ERROR_BODY_FILTER: Provider = { provide: APP_FILTER, useClass: ErrorBodyFilter };
