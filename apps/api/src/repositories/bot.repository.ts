import { Inject, Injectable } from '@nestjs/common';
import {
  botMatchResponseSchema,
  botPreviewResponseSchema,
  type BotMatchRequest,
  type BotMatchResponse,
  type BotPreviewRequest,
  type BotPreviewResponse,
} from '@warroom/contracts';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export class BotUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'BotUnavailableError';
  }
}

/** The answer engine (apps/bot) over HTTP: what the api asks of it (patch previews, matches). */
@Injectable()
export class BotRepository {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get configured(): boolean {
    return this.config.kb.botUrl !== null;
  }

  async preview(request: BotPreviewRequest): Promise<BotPreviewResponse> {
    return this.post('/api/kb/preview', request, botPreviewResponseSchema);
  }

  async match(request: BotMatchRequest): Promise<BotMatchResponse> {
    return this.post('/api/kb/match', request, botMatchResponseSchema);
  }

  private async post<S extends z.ZodType>(path: string, request: unknown, schema: S): Promise<z.infer<S>> {
    const base = this.config.kb.botUrl;
    if (base === null) throw new BotUnavailableError('this needs WARROOM_BOT_URL (the answer engine) to be set');
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new BotUnavailableError(`the answer engine at ${base} did not answer: ${(error as Error).message}`, { cause: error });
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) throw new BotUnavailableError(`the answer engine answered ${response.status}: ${JSON.stringify(body)}`);
    return schema.parse(body);
  }
}
