import { apiErrorBodySchema, issueList, issuesText, type Issue } from '@warroom/contracts';
import type { z } from 'zod';

/**
 * A request the api refused or could not serve (anything but 2xx): its status, its message in words, the
 * failing fields of a refused input, and the parsed body (a 409 carries more than the words).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: readonly Issue[],
    /** The body as sent (null when it was not JSON): a 409's `current` is read from it by the call that expects one. */
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A 2xx answer outside the contract: the api and the web app disagree (a deploy half done, a bug). */
export class ContractError extends Error {
  constructor(
    readonly path: string,
    readonly issues: readonly Issue[],
    error: z.ZodError,
  ) {
    super(`the api answered ${path} outside the contract: ${issuesText(error, 3)}`);
    this.name = 'ContractError';
  }
}

/** Fired when the api refuses the session token (expired, or its user changed): the page signs in again. */
export const SESSION_REJECTED = 'warroom:session-rejected';

/** JSON text as a value; null for an empty body or text that is not JSON (the schema that reads it says what it expected). */
function jsonOf(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * The ApiError of a response that is not 2xx: the api's words and failing fields when its body is the
 * api's error body (`apiErrorBodySchema`), else the status and the start of the text (a proxy's page).
 */
export function apiErrorOf(status: number, text: string): ApiError {
  const json = jsonOf(text);
  const body = apiErrorBodySchema.safeParse(json);
  if (!body.success) return new ApiError(status, `HTTP ${status}: ${text.slice(0, 300)}`, [], json);
  return new ApiError(status, body.data.message, body.data.issues ?? [], json);
}

type Method = 'GET' | 'POST';

/** One call on the page's own origin with the session token: the body's text of a 2xx, an ApiError otherwise. */
async function send(token: string | null, method: Method, path: string, body: unknown, signal: AbortSignal | undefined): Promise<string> {
  const response = await fetch(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  if (token && response.status === 401) window.dispatchEvent(new Event(SESSION_REJECTED));
  if (!response.ok) throw apiErrorOf(response.status, text);
  return text;
}

/**
 * The one HTTP client of the web app: a call to the api with the session token, its reply parsed with the
 * contract's schema. Anything but 2xx is an ApiError; a 2xx body outside the contract is a ContractError.
 */
export async function apiRequest<S extends z.ZodType>(
  token: string | null,
  method: Method,
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  const parsed = schema.safeParse(jsonOf(await send(token, method, path, body, signal)));
  if (!parsed.success) throw new ContractError(path, issueList(parsed.error), parsed.error);
  return parsed.data;
}

/** The same call for a reply that is text (a CSV export), not JSON. */
export function apiText(token: string | null, method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<string> {
  return send(token, method, path, body, signal);
}

/** The words of any error, for a screen: a refused input's failing fields after the api's message. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError && error.issues.length > 0) return `${error.message} (${error.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')})`;
  return error instanceof Error ? error.message : String(error);
}
