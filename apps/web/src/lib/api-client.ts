import { z } from 'zod';

/** A request the api refused or could not serve: its status, its message in words, and its body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Fired when the api refuses the session token (expired, or its user changed): the page signs in again. */
export const SESSION_REJECTED = 'warroom:session-rejected';

/** A 401 to a request sent with a session token: the session ended, so every page goes back to sign-in. */
export function announceRejectedSession(response: Response): void {
  if (response.status === 401) window.dispatchEvent(new Event(SESSION_REJECTED));
}

/** The body of the api's errors: Nest's `{message}`, the validation pipe's `{message, issues}`. */
const errorBodySchema = z.object({
  message: z.union([z.string(), z.array(z.string())]),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

function messageOf(status: number, body: unknown, text: string): string {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return `HTTP ${status}: ${text.slice(0, 300)}`;
  const message = [parsed.data.message].flat().join('; ');
  const detail = (parsed.data.issues ?? []).map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return detail ? `${message} (${detail})` : message;
}

/**
 * One call to the api on the page's own origin, with the session token, its reply parsed with the
 * contract's schema. Anything but 2xx is an ApiError (status, the api's words, the body); a 2xx body
 * outside the contract is an ApiError with status 0.
 */
export async function apiRequest<S extends z.ZodType>(
  token: string | null,
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  const response = await fetch(path, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    // Not JSON: reported as text.
  }
  if (token) announceRejectedSession(response);
  if (!response.ok) throw new ApiError(response.status, messageOf(response.status, json, text), json);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ApiError(0, `the api answered ${path} outside the contract: ${detail}`, json);
  }
  return parsed.data;
}

/** The words of any error, for a screen. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
