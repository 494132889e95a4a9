import { z } from 'zod';

/**
 * The one way every app and the browser put a zod failure into words, so a bad env var, a refused
 * request and a dead letter name the failing field the same way.
 */

/** One failing field: its dotted path (`(root)` for the value itself) and zod's message. */
export const issueSchema = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof issueSchema>;

export function issueList(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({ path: issue.path.length ? issue.path.join('.') : '(root)', message: issue.message }));
}

/** One line per failing field, e.g. `match.score: Too big: expected number to be <=1`. */
export function describeIssues(error: z.ZodError): string[] {
  return issueList(error).map((issue) => `${issue.path}: ${issue.message}`);
}

/** The failing fields on one line, the first `limit` of them, for logs and error messages. */
export function issuesText(error: z.ZodError, limit = Number.POSITIVE_INFINITY): string {
  const lines = describeIssues(error);
  const shown = lines.slice(0, limit).join('; ');
  return lines.length > limit ? `${shown}; and ${lines.length - limit} more` : shown;
}

/**
 * The body of every error the api and the bot answer (4xx and 5xx): the status, the message in words
 * and, for a refused input, every failing field. The browser's one HTTP client reads it.
 */
export const apiErrorBodySchema = z.object({
  statusCode: z.number().int(),
  message: z.string(),
  issues: z.array(issueSchema).optional(),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;
