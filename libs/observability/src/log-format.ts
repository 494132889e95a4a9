import { z } from 'zod';

/**
 * How an app writes its log: `json` (one pino object per line, what a log pipeline indexes) or `pretty`
 * (Nest's coloured text, for a person at a terminal). Production (NODE_ENV=production, as the image sets
 * it) writes JSON unless LOG_FORMAT says otherwise; `npm start` and the tests get text.
 */
export const logFormatEnvShape = {
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  NODE_ENV: z.string().optional(),
};

export type LogFormat = 'json' | 'pretty';

export function logFormatFrom(env: { LOG_FORMAT?: LogFormat | undefined; NODE_ENV?: string | undefined }): LogFormat {
  return env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty');
}
