import {
  replayQuestionsPageSchema,
  rosterStoredSchema,
  type ReplayQuestionsPage,
  type ReplayQuestionsQuery,
  type RosterStored,
  type rosterUploadSchema,
} from '@warroom/contracts';
import type { z } from 'zod';
import type { ReplaySourceApi } from './replay';

/** The api (apps/api) as the simulator uses it, with the service token: past questions, rosters. */
export class HttpApiClient implements ReplaySourceApi {
  constructor(
    private readonly apiUrl: string,
    private readonly serviceToken: string,
    private readonly timeoutMs: number,
  ) {}

  questions(query: ReplayQuestionsQuery): Promise<ReplayQuestionsPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return this.call('GET', `/api/replay/questions?${params.toString()}`, undefined, replayQuestionsPageSchema);
  }

  storeRoster(upload: z.input<typeof rosterUploadSchema>): Promise<RosterStored> {
    return this.call('PUT', '/api/reports/roster', upload, rosterStoredSchema);
  }

  private async call<T>(method: 'GET' | 'PUT', path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const response = await fetch(new URL(path, this.apiUrl), {
      method,
      headers: { authorization: `Bearer ${this.serviceToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path.split('?')[0]}: ${response.status} ${text.slice(0, 300)}`);
    return schema.parse(JSON.parse(text));
  }
}
