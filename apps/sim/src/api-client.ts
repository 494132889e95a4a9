import {
  gapSchema,
  kbPatchDecisionSchema,
  patchPreviewSchema,
  replayQuestionsPageSchema,
  sessionResponseSchema,
  shopAnswerSchema,
  type Gap,
  type PatchPreview,
  type PatchRequest,
  type ShopAnswer,
  type User,
  rosterStoredSchema,
  type ReplayQuestionsPage,
  type ReplayQuestionsQuery,
  type RosterStored,
  type rosterUploadSchema,
} from '@warroom/contracts';
import { z } from 'zod';
import type { ReplaySourceApi } from './replay';
import type { TrainerDesk } from './trainers';

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

/** The most open gaps a trainer's list shows: the costliest first, as the trainer desk lists them. */
const GAP_LIST_LIMIT = 100;

/** The api as the simulated trainers use it: the routes a trainer's browser calls, with their session. */
export class HttpTrainerDesk implements TrainerDesk {
  constructor(
    private readonly apiUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async signIn(login: string, password: string): Promise<{ token: string; user: User }> {
    const { body } = await this.call(null, 'POST', '/api/auth/login', { login, password });
    const session = sessionResponseSchema.parse(body);
    return { token: session.token, user: session.user };
  }

  async openGaps(token: string, source: string): Promise<Gap[]> {
    const params = new URLSearchParams({ source, status: 'open', limit: String(GAP_LIST_LIMIT) });
    return z.array(gapSchema).parse((await this.call(token, 'GET', `/api/gaps?${params.toString()}`)).body);
  }

  async claim(token: string, gapId: string): Promise<boolean> {
    const { status } = await this.call(token, 'POST', `/api/gaps/${encodeURIComponent(gapId)}/claim`, undefined, [409]);
    return status !== 409;
  }

  async release(token: string, gapId: string): Promise<void> {
    await this.call(token, 'POST', `/api/gaps/${encodeURIComponent(gapId)}/release`);
  }

  async answers(token: string, shopId: string): Promise<ShopAnswer[]> {
    return z.array(shopAnswerSchema).parse((await this.call(token, 'GET', `/api/kb/answers?shop=${encodeURIComponent(shopId)}`)).body);
  }

  async preview(token: string, request: PatchRequest, source: string): Promise<PatchPreview> {
    return patchPreviewSchema.parse((await this.call(token, 'POST', `/api/kb/preview?source=${encodeURIComponent(source)}`, request)).body);
  }

  async publish(token: string, request: PatchRequest): Promise<{ target: string; revision: number }> {
    const decision = kbPatchDecisionSchema.parse((await this.call(token, 'POST', '/api/kb/patches', request)).body);
    if (decision.status !== 'applied') throw new Error(`patch rejected: ${decision.reason}`);
    return { target: decision.version.target, revision: decision.version.revision };
  }

  /** The status and the JSON body; any status but 2xx and `accepted` is an error naming the route. */
  private async call(
    token: string | null,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    accepted: readonly number[] = [],
  ): Promise<{ status: number; body: unknown }> {
    const response = await fetch(new URL(path, this.apiUrl), {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (!response.ok && !accepted.includes(response.status)) throw new Error(`${method} ${path.split('?')[0]}: ${response.status} ${text.slice(0, 300)}`);
    return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }
}
